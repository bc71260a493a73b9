import type { PowertrainConfig } from "../config/schema";
import { ExtractError } from "./errors";
import {
  LABEL_CONFIG,
  LABEL_POWERTRAIN_VERSION,
  LABEL_SCHEMA,
  readBakedConfig,
  resolveBaked,
} from "./labels";

const IMAGE = "127.0.0.1:5000/shop/web:7-abc1234";

const config: PowertrainConfig = {
  name: "web",
  run: { instances: 2, ports: ["8080"], env: { LOG: "info", DB_URL: "postgres://${DB_USER}@db" } },
  environments: {
    dev: { run: { instances: 1 } },
    prod: { hosts: ["deploy@10.0.0.1"], run: { env: { LOG: "warn", TOKEN: "${API_TOKEN}" } } },
  },
};

function labels(value: unknown, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [LABEL_CONFIG]: JSON.stringify(value),
    [LABEL_SCHEMA]: "1",
    [LABEL_POWERTRAIN_VERSION]: "0.0.9",
    ...extra,
  };
}

function failure(fn: () => unknown): ExtractError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExtractError) return err;
    throw err;
  }
  throw new Error("expected an ExtractError");
}

test("a valid label gives the config, its schema and who wrote it", () => {
  expect(readBakedConfig(labels(config), IMAGE)).toEqual({ config, schema: 1, writtenBy: "0.0.9" });
});

test.each([
  [
    "no config label",
    { "org.opencontainers.image.version": "7" },
    "no-config",
    /has no dev\.powertrain\.config label: .*built by something else/,
  ],
  ["a label that is not JSON", { [LABEL_CONFIG]: "{name: web" }, "invalid-config", /is not valid JSON/],
  [
    "a config from a newer schema",
    labels({ ...config, schema: 2 }, { [LABEL_SCHEMA]: "2", [LABEL_POWERTRAIN_VERSION]: "3.0.0" }),
    "invalid-config",
    /holds a config of schema 2 \(written by powertrain 3\.0\.0\); powertrain \S+ reads schema 1/,
  ],
  [
    "a config that no longer validates",
    labels({ ...config, run: { instances: 0, replicas: 3 } }),
    "invalid-config",
    /^the config in image \S+ \(schema 1, written by powertrain 0\.0\.9\) no longer validates under schema 1 of powertrain \S+: run\.\S+: .* \(and 1 more problem\)$/,
  ],
  [
    "a config failing a check beyond the schema",
    labels({ name: "web", run: { ports: ["9000-8000:80"] } }),
    "invalid-config",
    /written by powertrain 0\.0\.9\) no longer validates.*run\.ports/,
  ],
  [
    "no powertrain version label",
    { [LABEL_CONFIG]: JSON.stringify({ name: "Web" }) },
    "invalid-config",
    /written by an unknown powertrain version\) no longer validates.*name:/,
  ],
])("%s is a one-line %s error", (_what, input, kind, message) => {
  const err = failure(() => readBakedConfig(input as Record<string, string>, IMAGE));
  expect(err.kind).toBe(kind);
  expect(err.message).toMatch(message);
  expect(err.message).toContain(IMAGE);
  expect(err.message).not.toContain("\n");
});

test.each([
  ["dev", { instances: 1, env: { LOG: "info", DB_URL: "postgres://${DB_USER}@db" } }, [], ["DB_USER"]],
  [
    "prod",
    { instances: 2, env: { LOG: "warn", DB_URL: "postgres://${DB_USER}@db", TOKEN: "${API_TOKEN}" } },
    ["10.0.0.1"],
    ["API_TOKEN", "DB_USER"],
  ],
  ["default", { instances: 2 }, [], ["DB_USER"]],
])("environment %s overlays the top-level run configuration", (name, run, hosts, references) => {
  const resolved = resolveBaked(config, name, IMAGE);
  expect(resolved.config.name).toBe(name);
  expect(resolved.config.run).toMatchObject(run);
  expect(resolved.config.hosts.map((h) => h.host)).toEqual(hosts);
  expect(resolved.references).toEqual(references);
  expect(resolved.environments).toEqual(["dev", "prod"]);
});

test.each([
  ["prdo", config, /has no environment "prdo" \(known: dev, prod\); did you mean "prod"\?$/],
  ["staging", config, /has no environment "staging" \(known: dev, prod\)$/],
  ["dev", { name: "web" }, /has no environment "dev" \(it defines none\)$/],
])("unknown environment %s names the known ones", (name, cfg, message) => {
  const err = failure(() => resolveBaked(cfg, name, IMAGE));
  expect(err.kind).toBe("unknown-environment");
  expect(err.message).toMatch(message);
});

describe("keys that name prototype machinery", () => {
  // JSON.parse keeps "__proto__" as an own key; the schema's record drops it silently, so a reader
  // that used the raw data after validating the parsed copy resolved an unvalidated environment.
  const hostile =
    '{"name":"web","run":{"ports":["8080"]},"environments":{"prod":{"hosts":["deploy@10.0.0.1"]},' +
    '"__proto__":{"hosts":["-oProxyCommand=touch /tmp/pwned"],"run":{"instances":"lots","env":{"A;id":"x"}}}}}';

  test("an environments.__proto__ key is refused, naming it", () => {
    expect(() => readBakedConfig({ ...labels({}), [LABEL_CONFIG]: hostile }, IMAGE)).toThrow(
      /environments\.__proto__: "__proto__" is a reserved name/,
    );
  });

  test.each([
    ['{"name":"web","run":{"env":{"constructor":"x"}}}', "run.env.constructor"],
    [
      '{"name":"web","run":{"ports":["8080"]},"environments":{"a":{"run":{"labels":{"__proto__":{}}}}}}',
      "environments.a.run.labels.__proto__",
    ],
    ['{"__proto__":{"name":"x"},"name":"web"}', "__proto__"],
  ])("%s is refused at %s", (raw, path) => {
    let error: unknown;
    try {
      readBakedConfig({ ...labels({}), [LABEL_CONFIG]: raw }, IMAGE);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExtractError);
    expect((error as Error).message).toContain(`${path}: "`);
  });
});
