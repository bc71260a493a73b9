import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, UsageError } from "@powertrain/core";
import { parseList, parseMap, readInputs } from "./inputs";
import { runAction } from "./run";

const savedEnv = { ...process.env };
let stdout: string[];
let writeSpy: jest.SpyInstance;

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), "pt-action-kit-"));
  for (const f of ["output", "state", "summary"]) writeFileSync(join(dir, f), "");
  process.env.GITHUB_OUTPUT = join(dir, "output");
  process.env.GITHUB_STATE = join(dir, "state");
  process.env.GITHUB_STEP_SUMMARY = join(dir, "summary");
  stdout = [];
  writeSpy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
});

afterEach(() => {
  writeSpy.mockRestore();
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});

describe("readInputs", () => {
  test("reads every kind of input by its kebab-case name", () => {
    process.env["INPUT_CONFIG-FILE"] = "app/powertrain.yml";
    process.env["INPUT_DRY-RUN"] = "true";
    process.env.INPUT_INSTANCES = "4";
    process.env.INPUT_HOSTS = "a\nb, c\n\n";
    process.env["INPUT_BUILD-ARGS"] = "A=1\nB=x=y,z";
    const inputs = readInputs({
      "config-file": { kind: "string", required: true },
      "dry-run": { kind: "boolean" },
      instances: { kind: "integer", min: 1 },
      hosts: { kind: "list" },
      "build-args": { kind: "map" },
      missing: { kind: "string", default: "fallback" },
    } as const);
    expect(inputs).toEqual({
      "config-file": "app/powertrain.yml",
      "dry-run": true,
      instances: 4,
      hosts: ["a", "b", "c"],
      "build-args": { A: "1", B: "x=y,z" },
      missing: "fallback",
    });
  });

  test.each([
    [{ x: { kind: "string", required: true } }, "", /input "x" is required/],
    [{ x: { kind: "boolean" } }, "maybe", /expected true or false, got "maybe"/],
    [{ x: { kind: "integer" } }, "four", /expected a whole number, got "four"/],
    [{ x: { kind: "integer", min: 1 } }, "0", /at least 1/],
    [{ x: { kind: "map" } }, "novalue", /expected KEY=value lines/],
  ] as const)("%j with %j is a UsageError", (spec, raw, message) => {
    process.env.INPUT_X = raw;
    expect(() => readInputs(spec)).toThrow(UsageError);
    expect(() => readInputs(spec)).toThrow(message);
  });

  test("a secret input is masked at once", () => {
    process.env.INPUT_PASSWORD = "hunter2";
    readInputs({ password: { kind: "string", secret: true } });
    expect(stdout.join("")).toContain("::add-mask::hunter2");
  });
});

test.each([
  ["a,b\nc", ["a", "b", "c"]],
  ["", []],
  [" spaced , out ", ["spaced", "out"]],
])("parseList(%j)", (raw, expected) => {
  expect(parseList(raw)).toEqual(expected);
});

test("parseMap keeps = inside values", () => {
  expect(parseMap("m", "K=a=b\n  J = c ")).toEqual({ K: "a=b", J: " c" });
});

describe("runAction", () => {
  test("runs main, then post on the second invocation", async () => {
    const calls: string[] = [];
    await runAction(
      async () => void calls.push("main"),
      async () => void calls.push("post"),
    );
    // The runner hands saved state back to the post step as STATE_* variables.
    const state = readFileSync(process.env.GITHUB_STATE!, "utf8");
    expect(state).toContain("powertrain-is-post");
    process.env["STATE_powertrain-is-post"] = "true";
    await runAction(
      async () => void calls.push("main"),
      async () => void calls.push("post"),
    );
    expect(calls).toEqual(["main", "post"]);
    expect(process.exitCode).toBeUndefined();
  });

  test("a ConfigError becomes one annotation per problem and a failure", async () => {
    await runAction(async () => {
      throw new ConfigError("powertrain.yml", [
        {
          path: "run.instances",
          message: "expected a positive integer",
          position: { file: "powertrain.yml", line: 4, column: 14 },
        },
        { path: "nme", message: 'unknown key (did you mean "name"?)' },
      ]);
    });
    const out = stdout.join("");
    expect(out).toContain("::error title=powertrain.yml,file=powertrain.yml,line=4,col=14::run.instances:");
    expect(out).toContain("::error title=powertrain.yml,file=powertrain.yml::nme: unknown key");
    expect(out).toContain("::error::powertrain.yml is not valid (2 problems)");
    expect(process.exitCode).toBe(1);
  });

  test("a user error fails with its message and no stack trace", async () => {
    await runAction(async () => {
      throw new UsageError('input "image" is required');
    });
    const out = stdout.join("");
    expect(out).toContain('::error::input "image" is required');
    expect(out).not.toContain("    at ");
  });

  test("an unexpected bug keeps its stack trace", async () => {
    await runAction(async () => {
      throw new TypeError("boom");
    });
    expect(stdout.join("")).toMatch(/TypeError: boom%0A\s+at /);
    expect(process.exitCode).toBe(1);
  });

  test("a failing post step warns without failing the job", async () => {
    process.env["STATE_powertrain-is-post"] = "true";
    await runAction(
      async () => {},
      async () => {
        throw new Error("cleanup failed");
      },
    );
    expect(stdout.join("")).toContain("::warning::post step: Error: cleanup failed");
    expect(process.exitCode).toBeUndefined();
  });
});
