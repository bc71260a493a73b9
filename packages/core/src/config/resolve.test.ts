import { ConfigError } from "../errors";
import { parseConfig } from "./load";
import { listEnvironments, resolveEnvironment, resolveHost, resolvePort } from "./resolve";

const config = parseConfig(
  `name: renderer
image: { registry: "127.0.0.1:5000" }
run:
  instances: 2
  ports: ["8000-8099:8080"]
  env: { LOG_LEVEL: info, DEBUG: true, WORKERS: 4, SECRET: "\${SECRET}", GONE: null }
  health: { http: /healthz }
  stop-timeout: 10s
  command: node server.js
deploy: { keep: 3 }
environments:
  dev: { hosts: ["deploy@127.0.0.1:2222"], run: { instances: 1, health: { tcp: true } } }
  prod:
    hosts: [deploy@prod1, { host: prod2, user: ops, port: 2200, jump: bastion }]
    deploy: { strategy: blue-green }
    run: { instances: 4, env: { LOG_LEVEL: warn, DEBUG: null }, memory: 512m, init: false, command: [node, server.js] }
`,
  "powertrain.yml",
);

describe("resolveEnvironment", () => {
  test("the default run configuration applies every default", () => {
    const resolved = resolveEnvironment(parseConfig("name: tiny\n", "powertrain.yml"));
    expect(resolved).toEqual({
      name: "default",
      app: "tiny",
      image: { repository: "tiny" },
      hosts: [],
      run: {
        instances: 1,
        ports: [],
        env: {},
        volumes: [],
        labels: {},
        stopTimeoutMs: 10_000,
        init: true,
        restart: "unless-stopped",
      },
      deploy: {
        strategy: "rolling",
        maxParallel: 1,
        keep: 2,
        healthTimeoutMs: 60_000,
        lockTimeoutMs: 300_000,
      },
    });
  });

  test("top level only: env stringified, nulls dropped, string command through the shell", () => {
    const { run, image } = resolveEnvironment(config);
    expect(image).toEqual({ registry: "127.0.0.1:5000", repository: "renderer" });
    expect(run.env).toEqual({ LOG_LEVEL: "info", DEBUG: "true", WORKERS: "4", SECRET: "${SECRET}" });
    expect(run.command).toEqual(["/bin/sh", "-c", "node server.js"]);
    expect(run.health).toEqual({
      http: "/healthz",
      port: 8080,
      intervalMs: 1000,
      timeoutMs: 2000,
      retries: 3,
      startPeriodMs: 0,
    });
  });

  test("prod overlays run and deploy on the top level", () => {
    const prod = resolveEnvironment(config, "prod");
    expect(prod.name).toBe("prod");
    expect(prod.hosts).toEqual([
      { host: "prod1", user: "deploy" },
      { host: "prod2", user: "ops", port: 2200, jump: "bastion" },
    ]);
    expect(prod.run.instances).toBe(4);
    expect(prod.run.env).toEqual({ LOG_LEVEL: "warn", WORKERS: "4", SECRET: "${SECRET}" });
    expect(prod.run.memory).toBe(512 * 1024 * 1024);
    expect(prod.run.init).toBe(false);
    expect(prod.run.command).toEqual(["node", "server.js"]);
    expect(prod.run.ports).toEqual([{ container: 8080, host: { from: 8000, to: 8099 }, protocol: "tcp" }]);
    expect(prod.deploy).toMatchObject({ strategy: "blue-green", keep: 3 });
  });

  test("an overlay's health kind replaces the base's instead of adding a second check", () => {
    const dev = resolveEnvironment(config, "dev");
    expect(dev.run.health).toMatchObject({ tcp: true, port: 8080 });
    expect(dev.run.health?.http).toBeUndefined();
    expect(dev.hosts).toEqual([{ host: "127.0.0.1", user: "deploy", port: 2222 }]);
  });

  test.each([
    ["prdo", /unknown environment "prdo"; did you mean "prod"\? \(known: dev, prod\)/],
    ["staging", /unknown environment "staging" \(known: dev, prod\)/],
  ])("an unknown environment %p is a ConfigError", (name, message) => {
    expect(() => resolveEnvironment(config, name)).toThrow(ConfigError);
    expect(() => resolveEnvironment(config, name)).toThrow(message);
  });

  test("an http check without any port is a ConfigError naming the environment's path", () => {
    const noPorts = parseConfig(
      "name: a\nenvironments:\n  qa: { run: { health: { http: /up } } }\n",
      "x.yml",
    );
    expect(() => resolveEnvironment(noPorts, "qa")).toThrow(
      /environments\.qa\.run\.health: a http check needs a port/,
    );
  });

  test("durations, volumes and signals are normalised", () => {
    const c = parseConfig(
      'name: a\nrun: { volumes: ["/data:/data:ro", { source: cache, target: /cache }], stop-timeout: 1.5s, stop-signal: SIGINT, restart: "on-failure:3", health: { command: "wget -q localhost", interval: 500ms, start-period: 1m } }\ndeploy: { health-timeout: 2m, lock-timeout: 30, max-parallel: 2 }\n',
      "x.yml",
    );
    const resolved = resolveEnvironment(c);
    expect(resolved.run.volumes).toEqual([
      { source: "/data", target: "/data", readOnly: true },
      { source: "cache", target: "/cache", readOnly: false },
    ]);
    expect(resolved.run).toMatchObject({
      stopTimeoutMs: 1500,
      stopSignal: "SIGINT",
      restart: "on-failure:3",
    });
    expect(resolved.run.health).toMatchObject({
      command: ["/bin/sh", "-c", "wget -q localhost"],
      intervalMs: 500,
      startPeriodMs: 60_000,
    });
    expect(resolved.deploy).toMatchObject({
      healthTimeoutMs: 120_000,
      lockTimeoutMs: 30_000,
      maxParallel: 2,
    });
  });

  test("listEnvironments keeps file order", () => {
    expect(listEnvironments(config)).toEqual(["dev", "prod"]);
    expect(listEnvironments(parseConfig("name: a\n", "x.yml"))).toEqual([]);
  });
});

describe("environments.<name>.url", () => {
  const withUrl = (url: string, hosts = "[deploy@web1.example.com:2222]") =>
    parseConfig(
      `name: shop\nrun: { ports: ["18000-18009:8080"] }\nenvironments:\n  prod: { hosts: ${hosts}, url: "${url}" }\n`,
      "powertrain.yml",
    );

  test("the first host and the first published port fill the template", () => {
    expect(resolveEnvironment(withUrl("https://{host}:{port}/"), "prod").url).toBe(
      "https://web1.example.com:18000/",
    );
    expect(resolveEnvironment(withUrl("https://shop.example.com/"), "prod").url).toBe(
      "https://shop.example.com/",
    );
    expect(resolveEnvironment(config, "prod").url).toBeUndefined();
  });

  test.each([
    ["https://{nope}/", "[h1]", /environments\.prod\.url: unknown placeholder \{nope\}/],
    ["https://{host}/", "[]", /environments\.prod\.url: uses \{host\}, but the environment has no hosts/],
  ])("%s with hosts %s is a config error naming the key", (url, hosts, message) => {
    const err = (() => {
      try {
        resolveEnvironment(withUrl(url, hosts), "prod");
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(message);
  });

  test("the schema refuses a url that is not http(s)", () => {
    expect(() => withUrl("ftp://{host}/")).toThrow(
      /environments\.prod\.url: expected an http:\/\/ or https:\/\/ URL/,
    );
  });
});

describe("resolvePort", () => {
  test.each([
    ["8080", { container: 8080, protocol: "tcp" }],
    ["80:8080", { container: 8080, host: { from: 80, to: 80 }, protocol: "tcp" }],
    ["8000-8099:8080/udp", { container: 8080, host: { from: 8000, to: 8099 }, protocol: "udp" }],
    [
      { container: 53, host: 5353, protocol: "udp" as const, name: "dns" },
      { container: 53, host: { from: 5353, to: 5353 }, protocol: "udp", name: "dns" },
    ],
    [
      { container: 80, host: "9000-9001" },
      { container: 80, host: { from: 9000, to: 9001 }, protocol: "tcp" },
    ],
  ])("%p", (input, expected) => {
    expect(resolvePort(input)).toEqual(expected);
  });
});

describe("resolveHost", () => {
  test.each([
    ["prod1", { host: "prod1" }],
    ["deploy@prod1", { host: "prod1", user: "deploy" }],
    ["deploy@127.0.0.1:2222", { host: "127.0.0.1", user: "deploy", port: 2222 }],
    ["10.0.0.1:22", { host: "10.0.0.1", port: 22 }],
    ["ops@[::1]:2222", { host: "::1", user: "ops", port: 2222 }],
  ])("%p", (input, expected) => {
    expect(resolveHost(input)).toEqual(expected);
  });
});

describe("deploy.canary.analysis", () => {
  const resolveCanary = (analysis: string) =>
    resolveEnvironment(
      parseConfig(
        `name: a\ndeploy: { router: { type: nginx }, canary: { share: 10%, analysis: ${analysis} } }\n`,
        "x.yml",
      ),
    ).deploy.canary?.analysis;

  test.each([
    [
      "defaults",
      "{ duration: 5m }",
      {
        durationMs: 300_000,
        intervalMs: 30_000,
        maxErrorRate: 0.01,
        minRequests: 100,
        onPass: "promote",
        onFail: "abort",
        onInconclusive: "hold",
      },
    ],
    [
      "everything set",
      '{ duration: 10m, interval: 1m, max-error-rate: "0.5%", max-latency-ratio: 1.5, min-requests: 500, on-pass: hold, on-fail: abort, on-inconclusive: abort, metrics-command: "lb-stats --json" }',
      {
        durationMs: 600_000,
        intervalMs: 60_000,
        maxErrorRate: 0.005,
        maxLatencyRatio: 1.5,
        minRequests: 500,
        onPass: "hold",
        onFail: "abort",
        onInconclusive: "abort",
        metricsCommand: ["/bin/sh", "-c", "lb-stats --json"],
      },
    ],
    ["a rate as a number", "{ duration: 1m, max-error-rate: 0.02 }", { maxErrorRate: 0.02 }],
  ])("%s", (_, analysis, expected) => {
    expect(resolveCanary(analysis)).toMatchObject(expected);
  });

  test.each([
    ["no duration", "{ interval: 10s }", /analysis\.duration/],
    ["an unknown action", "{ duration: 1m, on-fail: rollback }", /on-fail/],
    ["a rate that is no share", '{ duration: 1m, max-error-rate: "five" }', /max-error-rate/],
    ["an unknown key", "{ duration: 1m, max-errors: 3 }", /max-errors/],
  ])("%s is a config error naming the key", (_, analysis, message) => {
    expect(() => resolveCanary(analysis)).toThrow(message);
  });
});
