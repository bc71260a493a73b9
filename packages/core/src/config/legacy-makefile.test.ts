import { importLegacyMakefile, parseMakefile, splitWords } from "./legacy-makefile";
import { parseConfig } from "./load";
import { resolveEnvironment } from "./resolve";

describe("parseMakefile", () => {
  test.each([
    ["NAME := renderer", [{ name: "NAME", value: "renderer", line: 1 }]],
    ["NAME=renderer", [{ name: "NAME", value: "renderer", line: 1 }]],
    ["export INSTANCES ?= 4", [{ name: "INSTANCES", value: "4", line: 1 }]],
    ["A = 1\nA ?= 2", [{ name: "A", value: "1", line: 1 }]],
    ["A = 1\nA += 2", [{ name: "A", value: "1 2", line: 1 }]],
    ["A = 1\nA = 2", [{ name: "A", value: "2", line: 2 }]],
    [
      "A = x \\\n    y \\\n    z\nB = 2",
      [
        { name: "A", value: "x y z", line: 1 },
        { name: "B", value: "2", line: 4 },
      ],
    ],
    ["A = x # comment", [{ name: "A", value: "x", line: 1 }]],
    ["A = x\\#y", [{ name: "A", value: "x#y", line: 1 }]],
    ["# only a comment\n\n", []],
    [
      "A = 1\r\nB = 2\r\n",
      [
        { name: "A", value: "1", line: 1 },
        { name: "B", value: "2", line: 2 },
      ],
    ],
  ])("%p", (text, expected) => {
    expect(parseMakefile(text).variables).toEqual(expected);
  });

  test("rules, includes and shell assignments are reported with their line", () => {
    const { other } = parseMakefile("include x.mk\nrun:\n\tdocker run x\nV != git describe\n");
    expect(other.map((o) => [o.variable, o.line])).toEqual([
      ["include", 1],
      ["run:", 2],
      ["V", 4],
    ]);
  });
});

describe("splitWords", () => {
  test.each([
    ["a b  c", ["a", "b", "c"]],
    ['-e "A=hello world" -e B=x', ["-e", "A=hello world", "-e", "B=x"]],
    ["'single $quoted' plain\\ space", ["single $quoted", "plain space"]],
    ['""', [""]],
    ["", []],
  ])("%p", (text, expected) => {
    expect(splitWords(text)).toEqual(expected);
  });

  test("an unclosed quote is an error", () => {
    expect(() => splitWords('-e "A=x')).toThrow(/unclosed " quote/);
  });
});

describe("importLegacyMakefile", () => {
  /** Imports, checks the output validates, and returns the resolved default run configuration. */
  function convert(text: string) {
    const result = importLegacyMakefile(text, "Fallback Dir");
    const config = parseConfig(result.yaml, "powertrain.yml");
    return { ...result, config, resolved: resolveEnvironment(config) };
  }

  test.each([
    ["NAME := renderer", (r: ReturnType<typeof convert>) => expect(r.config.name).toBe("renderer")],
    ["INSTANCES = 3", (r: ReturnType<typeof convert>) => expect(r.config.name).toBe("fallback-dir")],
    ["INSTANCES ?= 4", (r: ReturnType<typeof convert>) => expect(r.resolved.run.instances).toBe(4)],
    [
      "REGISTRY = host:5000/docker-local/team\nNAME = svc",
      (r: ReturnType<typeof convert>) =>
        expect(r.config.image).toEqual({ registry: "host:5000", repository: "docker-local/team/svc" }),
    ],
    [
      "REGISTRY = 127.0.0.1:5000",
      (r: ReturnType<typeof convert>) => expect(r.config.image).toEqual({ registry: "127.0.0.1:5000" }),
    ],
    [
      "PORTS = 8000-8099:8080",
      (r: ReturnType<typeof convert>) =>
        expect(r.resolved.run.ports).toEqual([
          { container: 8080, host: { from: 8000, to: 8099 }, protocol: "tcp" },
        ]),
    ],
    [
      "PORTS = 8080",
      (r: ReturnType<typeof convert>) =>
        expect(r.resolved.run.ports).toEqual([{ container: 8080, protocol: "tcp" }]),
    ],
    [
      "VOLUMES = /a:/b /c:/d:ro",
      (r: ReturnType<typeof convert>) =>
        expect(r.resolved.run.volumes).toEqual([
          { source: "/a", target: "/b", readOnly: false },
          { source: "/c", target: "/d", readOnly: true },
        ]),
    ],
    [
      'ENVS = -e KEY=value -e "OTHER=a b" --env=THIRD=3',
      (r: ReturnType<typeof convert>) =>
        expect(r.resolved.run.env).toEqual({ KEY: "value", OTHER: "a b", THIRD: "3" }),
    ],
    [
      "ENVS = KEY=value OTHER=x",
      (r: ReturnType<typeof convert>) => expect(r.resolved.run.env).toEqual({ KEY: "value", OTHER: "x" }),
    ],
    [
      "ENVS = -e TOKEN=$(TOKEN) -e PASS -e LEVEL=$(LEVEL)\nLEVEL = debug",
      (r: ReturnType<typeof convert>) =>
        expect(r.resolved.run.env).toEqual({ TOKEN: "${TOKEN}", PASS: "${PASS}", LEVEL: "debug" }),
    ],
    [
      "ENVS = -e PRICE=$$5 -e HOME=$${HOME}",
      (r: ReturnType<typeof convert>) => expect(r.resolved.run.env).toEqual({ PRICE: "$5", HOME: "${HOME}" }),
    ],
    [
      "LABELS = -l team=a --label tier=web",
      (r: ReturnType<typeof convert>) => expect(r.resolved.run.labels).toEqual({ team: "a", tier: "web" }),
    ],
    [
      "CMD = node server.js",
      (r: ReturnType<typeof convert>) => expect(r.resolved.run.command).toEqual(["node", "server.js"]),
    ],
    [
      "RUN_SCRIPT = node migrate.js up",
      (r: ReturnType<typeof convert>) => {
        expect(r.resolved.deploy.hooks?.["pre-deploy"]).toEqual({
          command: ["node", "migrate.js", "up"],
          timeoutMs: 600_000,
          on: "first-host",
        });
        expect(r.resolved.run.command).toBeUndefined();
        expect(r.unmapped).toEqual([]);
        expect(r.yaml).toMatch(
          /# from RUN_SCRIPT \(powertrain\.mk:1\); it now runs in a one-off container of the new image/,
        );
      },
    ],
    [
      "RUN_SCRIPT = node a.js && node b.js",
      (r: ReturnType<typeof convert>) =>
        expect(r.resolved.deploy.hooks?.["pre-deploy"]?.command).toEqual([
          "/bin/sh",
          "-c",
          "node a.js && node b.js",
        ]),
    ],
    [
      "RUN_SCRIPT = $(shell ./migrate)",
      (r: ReturnType<typeof convert>) => {
        expect(r.resolved.deploy.hooks).toBeUndefined();
        expect(r.unmapped.map((n) => n.variable)).toEqual(["RUN_SCRIPT"]);
      },
    ],
    [
      "ENTRY_POINT = /usr/local/bin/node",
      (r: ReturnType<typeof convert>) => expect(r.resolved.run.entrypoint).toEqual(["/usr/local/bin/node"]),
    ],
    [
      "RUN_MODE = -d --restart=always --init -m 256m --stop-timeout 5",
      (r: ReturnType<typeof convert>) =>
        expect(r.resolved.run).toMatchObject({
          restart: "always",
          init: true,
          memory: 256 * 1024 ** 2,
          stopTimeoutMs: 5000,
        }),
    ],
  ])("%p", (text, check) => {
    check(convert(text));
  });

  test.each([
    ["VERSION = 1.2.3", "VERSION", /tags\.version/],
    ["INSTANCES = four", "INSTANCES", /not a positive number/],
    ["PORTS = http", "PORTS", /port "http"/],
    ["VOLUMES = relative", "VOLUMES", /volume "relative"/],
    ["ENVS = -e 1BAD=x", "ENVS", /not KEY=value/],
    ["ENVS = -e A=$${X", "ENVS", /cannot reference/],
    ["RUN_MODE = --privileged", "RUN_MODE", /not converted: --privileged/],
    ["RUN_MODE = --restart sometimes", "RUN_MODE", /run\.restart/],
    ["MYSTERY = 1", "MYSTERY", /no powertrain.yml equivalent/],
    ["ENVS = -e A=$(shell date)", "ENVS", /make function/],
    ['ENVS = -e "A=x', "ENVS", /unclosed/],
    ["A = $(B)\nB = $(A)\nENVS = -e X=$(A)", "ENVS", /loop/],
    ["REGISTRY = not a registry!", "REGISTRY", /host\[:port\]/],
  ])("%p reports %s as not converted, and still validates", (text, variable, reason) => {
    const result = convert(text);
    const note = result.unmapped.find((n) => n.variable === variable);
    expect(note?.reason).toMatch(reason);
    expect(note?.line).toBe(text.split("\n").findIndex((l) => l.startsWith(variable)) + 1);
  });

  test("the output is commented with where each setting came from", () => {
    const { yaml } = convert("NAME := renderer\nINSTANCES = 2\nPORTS = 8080");
    expect(yaml).toMatch(/^# Converted from powertrain\.mk/);
    expect(yaml).toContain("# from NAME (powertrain.mk:1)\nname: renderer");
    expect(yaml).toContain("# from INSTANCES (powertrain.mk:2)\n  instances: 2");
  });
});
