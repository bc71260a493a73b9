import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv/dist/2020";
import { ConfigError } from "../errors";
import { JSON_SCHEMA_PATH, REGENERATE_JSON_SCHEMA, renderJsonSchema } from "./json-schema";
import { parseConfig } from "./load";

const committedPath = join(__dirname, "../../../..", JSON_SCHEMA_PATH);

test("the committed JSON Schema equals a fresh generation", () => {
  const committed = readFileSync(committedPath, "utf8");
  if (committed !== renderJsonSchema()) {
    throw new Error(`${JSON_SCHEMA_PATH} is stale; regenerate it with: ${REGENERATE_JSON_SCHEMA}`);
  }
});

describe("the JSON Schema and the loader agree", () => {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  const validate = ajv.compile(JSON.parse(readFileSync(committedPath, "utf8")));

  // Only what the schema can express: the loader's extra checks (port ranges
  // that end before they start, malformed ${…}) are tested in load.test.ts.
  test.each([
    ["minimal", { name: "a" }, true],
    [
      "full",
      {
        schema: 1,
        name: "renderer",
        image: { registry: "127.0.0.1:5000", repository: "team/renderer" },
        build: { "size-budget": "150MB", root: "warn", args: { N: 1 } },
        tags: { extra: ["latest", { tag: "stable", branches: ["main"] }] },
        run: {
          instances: 2,
          ports: ["8000-8099:8080", { container: 53, protocol: "udp" }],
          env: { A: "x", B: 1, C: true, D: null },
          volumes: ["/a:/b:ro"],
          health: { http: "/healthz", interval: "5s" },
          "stop-timeout": 10,
          memory: "512m",
          command: ["node"],
        },
        deploy: { strategy: "canary" },
        environments: { prod: { hosts: ["deploy@prod1:22", { host: "p2", jump: "b" }] } },
      },
      true,
    ],
    ["missing name", { run: {} }, false],
    ["bad name", { name: "Renderer" }, false],
    ["unknown key", { name: "a", nmae: "b" }, false],
    ["unknown nested key", { name: "a", run: { instanses: 1 } }, false],
    ["instances zero", { name: "a", run: { instances: 0 } }, false],
    ["instances fraction", { name: "a", run: { instances: 1.5 } }, false],
    ["instances string", { name: "a", run: { instances: "four" } }, false],
    ["bad strategy", { name: "a", deploy: { strategy: "fast" } }, false],
    ["bad duration", { name: "a", run: { "stop-timeout": "10 sec" } }, false],
    ["bad size", { name: "a", run: { memory: "lots" } }, false],
    ["bad port", { name: "a", run: { ports: ["http"] } }, false],
    ["port out of range", { name: "a", run: { ports: [{ container: 70000 }] } }, false],
    ["relative volume target", { name: "a", run: { volumes: [{ source: "x", target: "rel" }] } }, false],
    ["bad env name", { name: "a", run: { env: { "1A": "x" } } }, false],
    ["env value list", { name: "a", run: { env: { A: [1] } } }, false],
    ["health path", { name: "a", run: { health: { http: "healthz" } } }, false],
    ["schema 2", { schema: 2, name: "a" }, false],
    ["bad environment name", { name: "a", environments: { "a b": {} } }, false],
    ["host with spaces", { name: "a", environments: { p: { hosts: ["a b"] } } }, false],
    [
      "host that looks like an ssh option",
      { name: "a", environments: { p: { hosts: ["-oProxyCommand=x"] } } },
      false,
    ],
    [
      "a chain of jump hosts",
      { name: "a", environments: { p: { hosts: [{ host: "h", jump: "ops@b1:2200,b2" }] } } },
      true,
    ],
    [
      "jump host that looks like an ssh option",
      { name: "a", environments: { p: { hosts: [{ host: "h", jump: "b1,-oProxyCommand=x" }] } } },
      false,
    ],
    [
      "user that looks like an ssh option",
      { name: "a", environments: { p: { hosts: [{ host: "h", user: "-F/x" }] } } },
      false,
    ],
    ["IPv6 host", { name: "a", environments: { p: { hosts: ["deploy@[::1]:22"] } } }, true],
    ["empty command list", { name: "a", run: { command: [] } }, false],
    ["restart policy", { name: "a", run: { restart: "on-failure:5" } }, true],
    ["bad restart policy", { name: "a", run: { restart: "sometimes" } }, false],
  ])("%s", (_name, document, valid) => {
    let loaderValid = true;
    try {
      parseConfig(JSON.stringify(document), "powertrain.yml");
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      loaderValid = false;
    }
    expect({ jsonSchema: validate(document), loader: loaderValid }).toEqual({
      jsonSchema: valid,
      loader: valid,
    });
  });
});
