import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../errors";
import { loadConfig, MAX_CONFIG_BYTES, parseConfig } from "./load";

const FILE = "powertrain.yml";

/** The problems of a config that must fail, as "path: message (line:col)" strings. */
function problems(text: string | Buffer): string[] {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => {
      const where = p.position ? ` (${p.position.line}:${p.position.column})` : "";
      return `${p.path ? `${p.path}: ` : ""}${p.message}${where}`;
    });
  }
  throw new Error("expected a ConfigError");
}

const REFERENCE = `schema: 1
name: renderer
image: { registry: "127.0.0.1:5000", repository: team/renderer }
build: { context: ., dockerfile: Dockerfile, target: runtime, test-target: test, test-reports: /reports, args: {NODE_ENV: production}, size-budget: 150MB, root: warn }
tags: { version: "{build}-{sha:7}", extra: [latest] }
run:
  instances: 2
  ports: ["8000-8099:8080"]
  env: { LOG_LEVEL: info, API_TOKEN: "\${API_TOKEN}" }
  health: { http: /healthz }
  stop-timeout: 10s
deploy: { strategy: rolling, keep: 2 }
environments:
  dev:  { hosts: ["deploy@127.0.0.1:2222"], run: { instances: 1 } }
  prod: { hosts: [deploy@prod1, deploy@prod2], deploy: { strategy: blue-green }, run: { instances: 4, env: { LOG_LEVEL: warn } } }
`;

describe("parseConfig", () => {
  test("accepts the reference model", () => {
    const config = parseConfig(REFERENCE, FILE);
    expect(config.name).toBe("renderer");
    expect(config.environments?.prod?.run?.instances).toBe(4);
    expect(config.run?.env?.API_TOKEN).toBe("${API_TOKEN}");
  });

  test.each([
    [
      "YAML 1.2: on/yes/no stay strings",
      "name: a\nrun:\n  env: { on: yes, off: no }\n",
      { on: "yes", off: "no" },
    ],
    ["a BOM is ignored", "\uFEFFname: a\n", undefined],
    [
      "aliases within limits work",
      "name: a\nrun:\n  env: &e { A: x }\nenvironments:\n  dev: { run: { env: *e } }\n",
      { A: "x" },
    ],
  ])("%s", (_name, text, env) => {
    const config = parseConfig(text, FILE);
    expect(config.name).toBe("a");
    if (env) expect(config.run?.env).toEqual(env);
  });

  test.each([
    [
      "a wrong type, with path, expectation and position",
      "name: renderer\nenvironments:\n  prod:\n    run:\n      instances: four\n",
      ['environments.prod.run.instances: expected a positive integer, got "four" (5:18)'],
    ],
    [
      "an enum",
      "name: a\ndeploy: { strategy: fast }\n",
      ['deploy.strategy: expected one of rolling, blue-green, canary, got "fast" (2:21)'],
    ],
    [
      "an unknown key, at the key, with did-you-mean",
      "name: a\nrun:\n  instanses: 2\n",
      ['run.instanses: unknown key "instanses"; did you mean "instances"? (3:3)'],
    ],
    [
      "an unknown key far from every allowed one lists them",
      "name: a\nzzz: 1\n",
      [
        'zzz: unknown key "zzz"; expected one of: $schema, schema, name, image, build, tags, run, deploy, environments (2:1)',
      ],
    ],
    [
      "a missing required key",
      "run: {}\n",
      ["name: is required: expected a lower-case name (letters, digits, and . _ - between them) (1:1)"],
    ],
    [
      "every problem, not just the first, in file order",
      "name: Bad\nrun:\n  instances: 0\n  memory: lots\n  ports: [http]\n",
      [
        'name: expected a lower-case name (letters, digits, and . _ - between them), got "Bad" (1:7)',
        "run.instances: expected a positive integer, got 0 (3:14)",
        'run.memory: expected a size such as "150MB", "1.5GiB" or "512m", got "lots" (4:11)',
        'run.ports.0: expected "CONTAINER", "HOST:CONTAINER" or "FROM-TO:CONTAINER", optionally with "/tcp" or "/udp", got "http" (5:11)',
      ],
    ],
    [
      "an invalid env name, at the key",
      "name: a\nrun:\n  env:\n    1A: x\n",
      ['run.env.1A: invalid key "1A": expected an environment variable name (4:5)'],
    ],
    [
      "a port range backwards",
      'name: a\nrun:\n  ports: ["8099-8000:80"]\n',
      ['run.ports.0: port range "8099-8000" ends before it starts (3:11)'],
    ],
    [
      "a malformed reference",
      'name: a\nrun:\n  env: { A: "${1X}" }\n',
      [expect.stringMatching(/^run\.env\.A: invalid reference "\$\{1X\}"/)],
    ],
    [
      "an empty value",
      "name: a\nrun:\n  instances:\n",
      ["run.instances: expected a positive integer, got null (an empty value) (3:13)"],
    ],
    [
      "two health checks",
      "name: a\nrun:\n  health: { http: /, tcp: true }\n",
      ["run.health: choose one of http, tcp or command (3:11)"],
    ],
    [
      "a union of nothing",
      "name: a\nrun:\n  memory: true\n",
      [expect.stringMatching(/^run\.memory: expected .*size.* got true \(3:11\)$/)],
    ],
  ])("reports %s", (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  test.each([
    ["tabs used for indentation", "name: a\nrun:\n\tinstances: 2\n", /tab used for indentation.*\(3:1\)/],
    ["a duplicate key", "name: a\nrun: {}\nname: b\n", /duplicate key "name" \(3:1\)/],
    ["an alias bomb", bomb(), /alias bomb/],
    ["a huge file", `name: a\n# ${"x".repeat(MAX_CONFIG_BYTES)}\n`, /larger than 1048576 bytes \(1 MiB\)/],
    [
      "invalid UTF-8",
      Buffer.from([...Buffer.from('name: a\nrun: "'), 0xc3, 0x28, 0x22, 0x0a]),
      /not valid UTF-8: byte 0xc3 at offset 14 \(line 2\)/,
    ],
    ["an overlong UTF-8 encoding", Buffer.from([0x6e, 0x3a, 0x20, 0xc0, 0xaf]), /byte 0xc0 at offset 3/],
    ["an empty file", "", /the file is empty/],
    ["a file of comments only", "# nothing yet\n", /the file is empty/],
    [
      "a list instead of a map",
      "- name: a\n",
      /expected a map of settings at the top level .*got a list \(1:1\)/,
    ],
    ["a scalar instead of a map", "renderer\n", /got a single value \("renderer"\)/],
    ["several documents", "name: a\n---\nname: b\n", /expected one YAML document, found several .*\(2:1\)/],
    ["a custom tag", "name: !!js/function 'function(){}'\n", /unsupported tag "!!js\/function"/],
    ["a local tag", "name: !shell x\n", /unsupported tag "!shell"/],
    ["YAML merge keys (not in YAML 1.2)", "name: a\n<<: { run: {} }\n", /unknown key "<<"/],
    ["deep flow nesting", `name: a\nrun: ${"[".repeat(30_000)}`, /nested more than 64 levels deep \(2:70\)/],
    ["unclosed flow", "name: [a, b\n", /invalid YAML/],
    ["NUL bytes", "name: a\u0000\n", /./],
  ])("rejects %s with a ConfigError", (_name, text, message) => {
    const started = Date.now();
    expect(problems(text).join("\n")).toMatch(message);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("the error message names the file and every problem", () => {
    expect(() => parseConfig("name: a\nrun: { instances: 0, init: maybe }\n", "app/powertrain.yml")).toThrow(
      /^app\/powertrain\.yml: 2 problems\n {2}- run\.instances: .*\(app\/powertrain\.yml:2:19\)\n {2}- run\.init: expected true or false, got "maybe"/,
    );
  });
});

describe("loadConfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pt-config-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("reads, validates and keeps the text", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, REFERENCE);
    const loaded = await loadConfig(file);
    expect(loaded).toMatchObject({ file, text: REFERENCE, config: { name: "renderer" } });
  });

  test("a missing file is a ConfigError that says how to start", async () => {
    await expect(loadConfig(join(dir, "nope.yml"))).rejects.toThrow(
      /nope\.yml: file not found \(create one with `powertrain init`\)/,
    );
  });

  test("a huge file is refused before it is read", async () => {
    const file = join(dir, "big.yml");
    writeFileSync(file, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    await expect(loadConfig(file)).rejects.toThrow(ConfigError);
  });
});

function bomb(): string {
  const lines = ["name: a", 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (const [name, prev] of [
    ["b", "a"],
    ["c", "b"],
    ["d", "c"],
    ["e", "d"],
    ["f", "e"],
    ["g", "f"],
  ]) {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}
