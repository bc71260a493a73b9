/**
 * The powertrain.yml schema — the single source of truth. The loader
 * validates with it, the TypeScript types are inferred from it, and
 * schema/powertrain.schema.json (for editor completion) is generated from it,
 * so the three cannot drift apart.
 *
 * Keys are kebab-case, like action inputs and workflow files. Objects are
 * strict: an unknown key is an error (with a did-you-mean), never ignored.
 * No defaults here: defaults are applied after environments are merged
 * (see resolve.ts), so an overlay can tell "unset" from "set to default".
 */
import { z } from "zod";
import { runtimeOptions } from "./schema-runtime";

/** `30s`, `5m`, `1h`, `500ms`, or a number of seconds. */
export const Duration = z
  .union([
    z.number().nonnegative(),
    z
      .string()
      .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { error: 'expected a duration such as "30s", "5m" or "500ms"' }),
  ])
  .meta({ description: 'A duration: "500ms", "30s", "5m", "1h", or a number of seconds.' });

/** `150MB`, `1.5GiB`, `512m`, or a number of bytes. */
export const Size = z
  .union([
    z.int().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?\s*([kKmMgGtT]i?[bB]?|[bB])?$/, {
      error: 'expected a size such as "150MB", "1.5GiB" or "512m"',
    }),
  ])
  .meta({ description: 'A size: "150MB", "1.5GiB", "512m" (docker style), or a number of bytes.' });

const PortNumber = z.int().min(1).max(65535);

/** A host port (8080) or an inclusive range to allocate from ("8000-8099"). */
export const HostPort = z
  .union([
    PortNumber,
    z.string().regex(/^\d{1,5}-\d{1,5}$/, { error: 'expected a port or a range such as "8000-8099"' }),
  ])
  .meta({
    description: 'A host port (8080) or an inclusive range to allocate free ports from ("8000-8099").',
  });

export const PortMapping = z.union([
  z
    .string()
    .regex(/^((\d{1,5}(-\d{1,5})?):)?\d{1,5}(\/(tcp|udp))?$/, {
      error:
        'expected "CONTAINER", "HOST:CONTAINER" or "FROM-TO:CONTAINER", optionally with "/tcp" or "/udp"',
    })
    .meta({ description: 'Short form: "8080", "80:8080" or "8000-8099:8080", optionally "/udp".' }),
  z.strictObject({
    container: PortNumber.meta({ description: "The port the application listens on inside the container." }),
    host: HostPort.optional(),
    protocol: z.enum(["tcp", "udp"]).optional(),
    name: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "A name for this port, used in discovery labels." }),
  }),
]);

/** Env var names as POSIX shells accept them. */
const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" });

export const EnvMap = z.record(EnvName, z.union([z.string(), z.number(), z.boolean(), z.null()])).meta({
  description:
    "Environment variables. Values may reference ${NAME}, resolved at deploy time from the deploy step's environment " +
    "(write $${ for a literal ${). Never put secret values here: this file is baked into the image. " +
    "In an environment overlay, null removes a variable.",
});

export const Volume = z.union([
  z
    .string()
    .regex(/^[^:\s]+:[^:\s]+(:(ro|rw))?$/, { error: 'expected "SOURCE:TARGET" or "SOURCE:TARGET:ro"' }),
  z.strictObject({
    source: z.string().min(1).meta({ description: "A host path or a named volume." }),
    target: z.string().regex(/^\//, { error: "expected an absolute path inside the container" }),
    "read-only": z.boolean().optional(),
  }),
]);

export const CommandLine = z.union([z.string().min(1), z.array(z.string()).min(1)]).meta({
  description: "A command: an argument list (exec form, preferred) or one string run by /bin/sh -c.",
});

export const HealthCheck = z
  .strictObject({
    http: z
      .string()
      .regex(/^\//, { error: 'expected a URL path such as "/healthz"' })
      .optional()
      .meta({ description: "HTTP path that must answer 2xx/3xx." }),
    tcp: z.boolean().optional().meta({ description: "Healthy when the port accepts a TCP connection." }),
    command: CommandLine.optional().meta({
      description: "A command run inside the container; exit 0 is healthy.",
    }),
    port: PortNumber.optional().meta({ description: "Container port to check (default: the first port)." }),
    interval: Duration.optional(),
    timeout: Duration.optional().meta({ description: "Time one probe may take." }),
    retries: z.int().positive().optional(),
    "start-period": Duration.optional(),
  })
  .refine((h) => [h.http, h.tcp, h.command].filter((v) => v !== undefined && v !== false).length <= 1, {
    error: "choose one of http, tcp or command",
  })
  .meta({ description: "How to tell an instance is healthy. Without one, the image's HEALTHCHECK is used." });

export const RunConfig = z
  .strictObject({
    instances: z
      .int()
      .positive()
      .optional()
      .meta({ description: "How many containers to run on each host." }),
    ports: z.array(PortMapping).optional(),
    env: EnvMap.optional(),
    volumes: z.array(Volume).optional(),
    labels: z.record(z.string().min(1), z.string()).optional(),
    health: HealthCheck.optional(),
    "stop-timeout": Duration.optional().meta({
      description: "Grace period between the stop signal and SIGKILL.",
    }),
    "stop-signal": z
      .string()
      .regex(/^(SIG[A-Z0-9]+|\d+)$/, { error: 'expected a signal such as "SIGTERM"' })
      .optional(),
    init: z
      .boolean()
      .optional()
      .meta({ description: "Run an init process as PID 1 (docker run --init) so signals reach the app." }),
    restart: z
      .string()
      .regex(/^(no|always|unless-stopped|on-failure(:\d+)?)$/, {
        error: 'expected "no", "always", "unless-stopped" or "on-failure[:N]"',
      })
      .optional(),
    memory: Size.optional(),
    cpus: z.number().positive().optional(),
    user: z.string().min(1).optional(),
    network: z.string().min(1).optional(),
    entrypoint: CommandLine.optional(),
    command: CommandLine.optional(),
    ...runtimeOptions(Size),
  })
  .meta({ description: "How the application's containers run." });

/** A name ssh must not mistake for an option: no leading "-", no spaces. */
const SshWord = (what: string) =>
  z.string().regex(/^[^\s@-][^\s@]*$/, { error: `expected a ${what} (no spaces, no leading "-")` });

const HOP = "([^@\\s,-][^@\\s,]*@)?(\\[[0-9A-Fa-f:.]+\\]|[^@:\\s[\\],-][^@:\\s[\\],]*)(:\\d{1,5})?";
const JumpSpec = z.string().regex(new RegExp(`^${HOP}(,${HOP})*$`), {
  error: 'expected "[user@]host[:port]", comma-separated for a chain',
});

export const HostSpec = z.union([
  z
    .string()
    .regex(/^([^@\s-][^@\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^@:\s[\]-][^@:\s[\]]*)(:\d{1,5})?$/, {
      error: 'expected "[user@]host[:port]"',
    })
    .meta({ description: '"[user@]host[:port]"; an IPv6 address in brackets.' }),
  z.strictObject({
    host: SshWord("host name"),
    user: SshWord("user name").optional(),
    port: PortNumber.optional(),
    jump: JumpSpec.optional().meta({
      description:
        "Jump host, [user@]host[:port] (comma-separated for a chain); its key is checked like the host's.",
    }),
  }),
]);

/** The load balancer powertrain drives during a deploy (see docs/traffic.md). */
export const RouterSettings = z
  .strictObject({
    type: z
      .enum(["nginx", "command"])
      .meta({ description: "nginx on the deploy host, or your own command." }),
    upstream: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { error: "expected letters, digits, ., _ and -" })
      .optional()
      .meta({ description: "Upstream name (default <app>-<environment>)." }),
    address: z
      .string()
      .regex(/^[A-Za-z0-9.:-]+$/, { error: "expected a host name or IP address" })
      .optional()
      .meta({ description: "Address the load balancer reaches the instances at (default 127.0.0.1)." }),
    "conf-dir": z.string().regex(/^\//, { error: "expected an absolute path" }).optional().meta({
      description: "nginx: directory whose powertrain/ holds the upstream file (default /etc/nginx/conf.d).",
    }),
    nginx: z.string().min(1).optional().meta({ description: 'nginx: the binary (default "nginx").' }),
    "nginx-config": z
      .string()
      .regex(/^\//, { error: "expected an absolute path" })
      .optional()
      .meta({ description: "nginx: main configuration file, passed as -c (default nginx's own)." }),
    reload: CommandLine.optional().meta({ description: "nginx: reload command (default nginx -s reload)." }),
    command: CommandLine.optional().meta({
      description: "command: run on the deploy host with the desired upstream list as JSON on stdin.",
    }),
  })
  .refine((r) => r.type !== "command" || r.command !== undefined, { error: "type command needs a command" });

/** How a Docker Swarm service is updated and rolled back (deploy.engine: swarm). */
export const SwarmSettings = z.strictObject({
  context: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, { error: "expected a docker context name" })
    .optional()
    .meta({ description: "Docker context of a manager, used by the local docker CLI when hosts is empty." }),
  parallelism: z
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "Tasks replaced at once (default 1; 0 = all at once)." }),
  delay: Duration.optional().meta({ description: "Pause between batches of tasks (default 0s)." }),
  order: z
    .enum(["start-first", "stop-first"])
    .optional()
    .meta({ description: "Start the new task before stopping the old one (default start-first)." }),
  "failure-action": z
    .enum(["rollback", "pause", "continue"])
    .optional()
    .meta({ description: "What Swarm does when an updated task fails (default rollback)." }),
  monitor: Duration.optional().meta({
    description: "How long each new task is watched for failure after it starts (default 5s).",
  }),
  "max-failure-ratio": z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({ description: "Share of failed tasks tolerated during an update (default 0)." }),
  constraints: z
    .array(
      z.string().regex(/^[A-Za-z0-9_.-]+\s*(==|!=)\s*\S+$/, {
        error: 'expected a placement constraint such as "node.role==worker"',
      }),
    )
    .optional()
    .meta({ description: "Placement constraints, e.g. node.labels.zone==a." }),
  publish: z.enum(["ingress", "host"]).optional().meta({
    description: "Publish ports on the routing mesh or on each task's node only (default ingress).",
  }),
  secrets: z
    .enum(["secret", "env"])
    .optional()
    .meta({
      description:
        "Env values holding ${NAME} references: Swarm secrets mounted at /run/secrets/<VAR> with <VAR>_FILE set " +
        "(default), or plain env in the service spec.",
    }),
});

/**
 * What an image must carry before it is deployed (see docs/signing.md). Enforced from the deploy
 * side's configuration: the copy baked into the image can add requirements, never choose the key.
 */
export const VerifySettings = z.strictObject({
  key: z.string().min(1).meta({
    description:
      "Public key the image must be signed with: a file path, PEM text, or ${NAME} read from the deploy step's environment.",
  }),
  require: z
    .array(z.enum(["signature", "tests"]))
    .min(1)
    .optional()
    .meta({
      description:
        "signature: a cosign signature of the digest by the key (default); tests: a signed test-result attestation with every test passed.",
    }),
});

/** One deploy hook: a one-off container of the new image (docs/hooks.md). */
export const HookSettings = z.union([
  CommandLine,
  z.strictObject({
    command: CommandLine.optional().meta({
      description:
        "What the container runs (the image's entrypoint stays); an environment may leave it to the top level.",
    }),
    timeout: Duration.optional().meta({
      description: "Wall-clock limit; past it the container is killed and removed (default 10m).",
    }),
    on: z.enum(["first-host", "every-host"]).optional().meta({
      description: "Run on the environment's first host only (default), or on every host.",
    }),
  }),
]);

/** Commands run around a deploy, each as a one-off container of the new image; null removes one in an overlay. */
export const HooksSettings = z.strictObject({
  "pre-deploy": HookSettings.nullable().optional().meta({
    description: "Before any instance changes (migrations); failing or timing out stops the deploy.",
  }),
  "post-deploy": HookSettings.nullable().optional().meta({
    description:
      "After every host serves the new version; failing marks the deploy failed, the new version stays.",
  }),
  "on-failure": HookSettings.nullable().optional().meta({
    description: "When the deploy fails (notifications); its own failure is a warning.",
  }),
});

const CanaryAction = z.enum(["promote", "abort", "hold"]);

/** deploy.canary.analysis: watch the canary against the stable set, then act on the verdict. */
export const CanaryAnalysis = z.strictObject({
  duration: Duration.meta({ description: "How long the canary must pass before it is promoted." }),
  interval: Duration.optional().meta({ description: "Time between two checks (default 30s)." }),
  "max-error-rate": z
    .union([
      z.number().min(0).max(1),
      z.string().regex(/^\d+(\.\d+)?%$/, { error: 'expected a share such as "1%" or "0.5%"' }),
    ])
    .optional()
    .meta({
      description:
        'Highest share of failed canary requests (5xx, connection failures), e.g. "1%" (default 1%).',
    }),
  "max-latency-ratio": z.number().gt(0).optional().meta({
    description: "Highest canary p99 ÷ stable p99, e.g. 1.5 (default: latency is not judged).",
  }),
  "min-requests": z.int().positive().optional().meta({
    description:
      "Canary requests a check needs to be judged; fewer over the whole duration is inconclusive (default 100).",
  }),
  "on-pass": CanaryAction.optional().meta({ description: "promote (default), abort or hold." }),
  "on-fail": CanaryAction.optional().meta({ description: "abort (default), promote or hold." }),
  "on-inconclusive": CanaryAction.optional().meta({
    description: "Too little traffic to judge: hold (default: the canary keeps running), abort or promote.",
  }),
  "metrics-command": z
    .union([z.string().min(1), z.array(z.string()).min(1)])
    .optional()
    .meta({
      description:
        "For a router of type command: the command on each host that prints the load balancer's per-backend numbers as JSON (docs/traffic.md).",
    }),
});

export const DeploySettings = z.strictObject({
  strategy: z.enum(["rolling", "blue-green", "canary"]).optional(),
  "max-parallel": z.int().positive().optional().meta({ description: "Hosts deployed at once." }),
  "max-unreachable": z.int().nonnegative().optional().meta({
    description:
      "Hosts that may be unreachable (SSH cannot connect) without failing the deploy: skipped, nothing changed there, and reported (default 0).",
  }),
  keep: z
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "Previous versions whose containers are kept stopped for instant rollback." }),
  "health-timeout": Duration.optional().meta({
    description: "How long new instances may take to become healthy.",
  }),
  "lock-timeout": Duration.optional().meta({ description: "How long to wait for another deploy's lock." }),
  "pull-timeout": Duration.optional().meta({
    description: "How long a host may take to pull the image before the deploy fails (default 10m).",
  }),
  "command-timeout": Duration.optional().meta({
    description:
      "How long any other command on a host may take before it is stopped and the deploy fails, so a stuck docker or link cannot hold the lock (default 2m; a command that waits on purpose — for the lock, the health gate, the pull — gets its own timeout plus this).",
  }),
  engine: z
    .enum(["ssh", "swarm"])
    .optional()
    .meta({ description: "ssh: containers on each host (default); swarm: a Docker Swarm service." }),
  swarm: SwarmSettings.optional(),
  router: RouterSettings.optional().meta({
    description: "The load balancer in front of the instances (needed by blue-green and canary).",
  }),
  drain: Duration.optional().meta({
    description:
      "How long instances keep running after leaving the load balancer, so requests in flight finish.",
  }),
  canary: z
    .strictObject({
      instances: z
        .int()
        .positive()
        .optional()
        .meta({ description: "Canary instances per host (default 1)." }),
      share: z
        .union([
          z.number().gt(0).lt(100),
          z
            .string()
            .regex(/^[1-9]\d?(\.\d+)?%$/, { error: 'expected a share between 1% and 99%, such as "10%"' }),
        ])
        .optional()
        .meta({ description: 'Share of the traffic the canary gets, e.g. "10%" (default 10%).' }),
      analysis: CanaryAnalysis.optional().meta({
        description:
          "Judge the canary from the load balancer's request numbers, then promote or abort it by itself (docs/traffic.md).",
      }),
    })
    .optional(),
  "blue-green": z
    .strictObject({
      "keep-idle": Duration.optional().meta({
        description:
          "How long the old set keeps running, idle, after the switch: rollback is one switch back.",
      }),
    })
    .optional(),
  verify: VerifySettings.optional().meta({
    description: "Signature and test results required before any host is touched (docs/signing.md).",
  }),
  hooks: HooksSettings.optional().meta({
    description:
      "pre-deploy, post-deploy and on-failure commands, run in one-off containers (docs/hooks.md).",
  }),
});

export const Environment = z.strictObject({
  description: z.string().optional(),
  hosts: z.array(HostSpec).optional().meta({ description: "Docker hosts reached over SSH." }),
  url: z
    .string()
    .regex(/^https?:\/\//, { error: "expected an http:// or https:// URL (it may use {host} and {port})" })
    .optional()
    .meta({
      description:
        "Where the environment can be seen: ssh-deploy's url output and the link on GitHub's environment page. May use {host} (the first host) and {port} (the first published port).",
    }),
  deploy: DeploySettings.optional(),
  run: RunConfig.optional(),
});

export const ExtraTag = z.union([
  z.string().min(1),
  z.strictObject({
    tag: z.string().min(1),
    branches: z.array(z.string().min(1)).optional().meta({ description: "Only on these branches." }),
  }),
]);

/** A cache source or export as buildx takes it, or `registry` (`<image>:buildcache`, mode=max). */
const CacheSpec = z.string().regex(/^(registry|type=[a-z]+(,[^,=]+=[^,]*)*)$/, {
  error: 'expected "registry" or buildx\'s syntax, e.g. "type=registry,ref=host/app:buildcache"',
});
const SecretId = z.string().regex(/^[A-Za-z0-9._-]+$/, { error: "expected an id (letters, digits, . _ -)" });

export const BuildCache = z.union([
  z
    .literal("registry")
    .meta({ description: "Shorthand: from and to <registry>/<repository>:buildcache (mode=max)." }),
  z.strictObject({
    from: z.array(CacheSpec).optional().meta({ description: "Cache sources (--cache-from)." }),
    to: z.array(CacheSpec).optional().meta({ description: "Cache exports (--cache-to)." }),
  }),
]);

export const BuildSecret = z.union([
  z.strictObject({
    id: SecretId,
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" })
      .meta({ description: "Environment variable of the build step that holds the value." }),
  }),
  z.strictObject({
    id: SecretId,
    file: z.string().min(1).meta({ description: "File that holds the value (relative to this file)." }),
  }),
]);

export const BuildSettings = z.strictObject({
  context: z.string().min(1).optional(),
  dockerfile: z.string().min(1).optional(),
  target: z.string().min(1).optional().meta({ description: "The final stage to build." }),
  "test-target": z.string().min(1).optional().meta({ description: "The stage that runs the unit tests." }),
  "test-reports": z
    .string()
    .regex(/^\//, { error: "expected an absolute path inside the test stage" })
    .optional()
    .meta({ description: "Directory of JUnit XML reports inside the test stage." }),
  args: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
  "size-budget": Size.optional().meta({ description: "Fail the build when the image is larger." }),
  builder: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "buildx builder to use (default: BUILDX_BUILDER, else buildx's current one)." }),
  cache: BuildCache.optional().meta({
    description: "BuildKit layer cache, shared by the test stage and the final image.",
  }),
  secrets: z
    .array(BuildSecret)
    .optional()
    .meta({ description: "Build secrets for RUN --mount=type=secret,id=…; values never enter the image." }),
  ssh: z
    .array(SecretId)
    .optional()
    .meta({ description: "SSH agent sockets for RUN --mount=type=ssh: [default] (SSH_AUTH_SOCK) or ids." }),
  platforms: z
    .array(
      z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, {
        error: 'expected os/architecture[/variant], e.g. "linux/arm64"',
      }),
    )
    .min(1)
    .optional()
    .meta({
      description:
        "Platforms of the image: one OCI index, pushed from the builder. The test stage runs on the runner's own.",
    }),
  attestations: z
    .strictObject({
      provenance: z
        .enum(["min", "max", "off"])
        .optional()
        .meta({ description: "SLSA provenance BuildKit attaches to the index (default off)." }),
      sbom: z.boolean().optional().meta({ description: "An SPDX SBOM BuildKit attaches to the index." }),
    })
    .optional()
    .meta({
      description: "Attestations BuildKit attaches to a pushed index (buildx builders of their own).",
    }),
  root: z
    .enum(["allow", "warn", "error"])
    .optional()
    .meta({ description: "What to do when the image runs as root (default warn)." }),
  "smoke-test": z
    .strictObject({
      environment: z
        .string()
        .min(1)
        .optional()
        .meta({ description: "Run configuration to start (default ci)." }),
      command: CommandLine.optional(),
      image: z.string().min(1).optional().meta({ description: "A test image run against the started app." }),
      timeout: Duration.optional(),
    })
    .optional(),
});

export const ImageSettings = z.strictObject({
  registry: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, { error: 'expected "host" or "host:port"' })
    .optional()
    .meta({ description: 'Registry host[:port], e.g. "artifactory.example.com" or "127.0.0.1:5000".' }),
  repository: z
    .string()
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
      error: 'expected a repository path such as "docker-local/team/app"',
    })
    .optional()
    .meta({ description: "Repository path inside the registry (default: name)." }),
});

export const PowertrainConfig = z
  .strictObject({
    $schema: z.string().optional(),
    schema: z.literal(1).optional().meta({ description: "Version of this file's format." }),
    name: z
      .string()
      .regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/, {
        error: "expected a lower-case name (letters, digits, and . _ - between them)",
      })
      .meta({ description: "The application's name; the default image repository." }),
    image: ImageSettings.optional(),
    build: BuildSettings.optional(),
    tags: z
      .strictObject({
        version: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'Version tag template (default "{build}-{sha:7}").' }),
        extra: z.array(ExtraTag).optional(),
      })
      .optional(),
    run: RunConfig.optional(),
    deploy: DeploySettings.optional(),
    environments: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/, { error: "expected an environment name (letters, digits, _ and -)" }),
        Environment,
      )
      .optional()
      .meta({ description: "Named environments (dev, qa, prod…): each overlays run and deploy settings." }),
  })
  .meta({
    title: "powertrain.yml",
    description: "powertrain: build → publish → deploy for one Docker application.",
  });

export type PowertrainConfig = z.infer<typeof PowertrainConfig>;
export type RunConfig = z.infer<typeof RunConfig>;
export type DeploySettings = z.infer<typeof DeploySettings>;
export type HooksSettings = z.infer<typeof HooksSettings>;
export type HookSettings = z.infer<typeof HookSettings>;
export type Environment = z.infer<typeof Environment>;
export type HealthCheck = z.infer<typeof HealthCheck>;
export type PortMapping = z.infer<typeof PortMapping>;
export type HostSpec = z.infer<typeof HostSpec>;
export type BuildSettings = z.infer<typeof BuildSettings>;
export type BuildCache = z.infer<typeof BuildCache>;
export type BuildSecret = z.infer<typeof BuildSecret>;

/** The schema version this build of powertrain writes and reads. */
export const SCHEMA_VERSION = 1;
