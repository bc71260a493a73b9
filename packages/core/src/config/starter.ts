/** The commented powertrain.yml that `powertrain init` writes. It must itself validate (a test checks). */

/** `name` must already be a valid application name (see toAppName). */
export function starterConfig(name: string): string {
  return `# powertrain.yml — how ${name} is built, published and deployed.
# Reference: docs/config.md. Editor completion: schema/powertrain.schema.json.
schema: 1
name: ${name}

# Where the image is pushed. The repository defaults to the name above.
image:
  registry: "127.0.0.1:5000"
  # repository: team/${name}

build:
  context: .
  dockerfile: Dockerfile
  # The stage that runs the unit tests inside docker build, and where it leaves JUnit reports.
  # test-target: test
  # test-reports: /reports
  size-budget: 200MB

tags:
  # <CI build number>-<first 7 characters of the commit>
  version: "{build}-{sha:7}"
  # extra: [latest]

# How the containers run; environments below override parts of it.
run:
  instances: 1
  # Host ports are allocated from the range; the app listens on 8080 inside the container.
  ports: ["8000-8099:8080"]
  env:
    LOG_LEVEL: info
    # Secrets are referenced, never written here: this file is baked into the image.
    # API_TOKEN: \${API_TOKEN}
  health:
    http: /healthz
  stop-timeout: 10s
  # init: true is the default, so the app is not PID 1 and stops promptly.

deploy:
  strategy: rolling
  keep: 2

environments:
  dev:
    hosts: ["deploy@127.0.0.1:2222"]
  prod:
    hosts: ["deploy@prod1.example.com", "deploy@prod2.example.com"]
    run:
      instances: 2
      env:
        LOG_LEVEL: warn
`;
}

/** Turn a directory or project name into a valid application name ("My App" → "my-app"). */
export function toAppName(raw: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/[._-]{2,}/g, "-")
    .replace(/^[._-]+|[._-]+$/g, "");
  return name || "app";
}
