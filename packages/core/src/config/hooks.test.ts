import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors";
import { parseConfig } from "./load";
import { resolveEnvironment } from "./resolve";
import { parseResolvedDocument, toResolvedDocument } from "./resolved";

const CONFIG = `schema: 1
name: shop
deploy:
  hooks:
    pre-deploy: { command: [./migrate, up], timeout: 2m }
    on-failure: ./notify "deploy failed"
environments:
  qa:
    deploy:
      hooks:
        pre-deploy: { timeout: 30s, on: every-host }
  stage:
    deploy:
      hooks:
        on-failure: { on: every-host }
  prod:
    deploy:
      hooks:
        on-failure: null
        post-deploy: [./warm]
`;

describe("deploy.hooks", () => {
  const config = parseConfig(CONFIG, "powertrain.yml");

  test("short forms resolve: a list is exec form, a string runs through sh; defaults applied", () => {
    expect(resolveEnvironment(config).deploy.hooks).toEqual({
      "pre-deploy": { command: ["./migrate", "up"], timeoutMs: 120_000, on: "first-host" },
      "on-failure": {
        command: ["/bin/sh", "-c", './notify "deploy failed"'],
        timeoutMs: 600_000,
        on: "first-host",
      },
    });
  });

  test.each([
    ["qa", { "pre-deploy": { command: ["./migrate", "up"], timeoutMs: 30_000, on: "every-host" } }],
    ["prod", { "pre-deploy": { command: ["./migrate", "up"], timeoutMs: 120_000, on: "first-host" } }],
    [
      "stage",
      {
        "on-failure": {
          command: ["/bin/sh", "-c", './notify "deploy failed"'],
          timeoutMs: 600_000,
          on: "every-host",
        },
      },
    ],
  ])("environment %s overlays them key by key; null removes one", (name, expected) => {
    expect(resolveEnvironment(config, name).deploy.hooks).toMatchObject(expected);
  });

  test("prod: on-failure removed, post-deploy added", () => {
    const hooks = resolveEnvironment(config, "prod").deploy.hooks!;
    expect(Object.keys(hooks).sort()).toEqual(["post-deploy", "pre-deploy"]);
  });

  test("an overlay that leaves no command anywhere is a ConfigError naming the hook", () => {
    const c = parseConfig(
      "schema: 1\nname: shop\nenvironments:\n  qa:\n    deploy:\n      hooks:\n        post-deploy: { timeout: 1m }\n",
      "f",
    );
    expect(() => resolveEnvironment(c, "qa")).toThrow(
      "environments.qa.deploy.hooks.post-deploy: needs a command",
    );
  });

  test("no hooks, no key", () => {
    expect(resolveEnvironment(parseConfig("schema: 1\nname: shop\n", "f")).deploy.hooks).toBeUndefined();
  });

  test("they travel in the resolved document and are validated on the way back", () => {
    const doc = JSON.stringify(toResolvedDocument(resolveEnvironment(config, "qa")));
    expect(parseResolvedDocument(doc, "doc").deploy.hooks?.["pre-deploy"]?.on).toBe("every-host");
    const bad = doc.replace('"every-host"', '"some-host"');
    expect(() => parseResolvedDocument(bad, "doc")).toThrow(ConfigError);
  });

  test.each([
    ["deploy:\n  hooks:\n    pre-deploy: { command: [x], on: all }", "on"],
    ["deploy:\n  hooks:\n    pre-deploy: { command: [x], timeout: soon }", "timeout"],
    ["deploy:\n  hooks:\n    before: [x]", "before"],
    ["deploy:\n  hooks:\n    pre-deploy: []", "pre-deploy"],
  ])("%p is a ConfigError at its line", (yaml, key) => {
    expect(() => parseConfig(`schema: 1\nname: shop\n${yaml}\n`, "powertrain.yml")).toThrow(
      new RegExp(`deploy\\.hooks.*${key}|${key}.*powertrain\\.yml:\\d+:\\d+`),
    );
  });
});

// docs/hooks.md is what people copy from: its example must validate and mean what the text says.
test("the docs/hooks.md example validates: prod keeps the migration with 15 minutes", () => {
  const markdown = readFileSync(join(__dirname, "../../../../docs/hooks.md"), "utf8");
  const example = /```yaml\n([\s\S]*?)```/.exec(markdown)![1]!;
  const prod = resolveEnvironment(parseConfig(example, "docs/hooks.md"), "prod").deploy.hooks!;
  expect(prod["pre-deploy"]).toEqual({
    command: ["bin/rails", "db:migrate"],
    timeoutMs: 900_000,
    on: "first-host",
  });
  expect(prod["post-deploy"]?.command).toEqual(["/bin/sh", "-c", "bin/warm-caches"]);
  expect(prod["on-failure"]?.on).toBe("every-host");
});
