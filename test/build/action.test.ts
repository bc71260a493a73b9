/**
 * The build action as the runner runs it: INPUT_* variables, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY — through the action's own entry (runAction + main),
 * against the real dockerd.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as BuildAction from "../../actions/build/src/main";
import type * as ActionKit from "../../packages/action-kit/src";
import { testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";
import { standaloneBuilder } from "./builders";
import { fixtureConfig } from "./support";

jest.setTimeout(180_000);

const savedEnv = { ...process.env };
const made: string[] = [];
afterAll(() => dockerRmi(made));

interface ActionRun {
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  exitCode: number | string | undefined;
}

/** Run the action with these inputs in a fresh runner-like environment; restores process.env after. */
async function runBuildAction(inputs: Record<string, string>): Promise<ActionRun> {
  const dir = tempDir("pt-build-action-");
  const files = { GITHUB_OUTPUT: "output", GITHUB_STEP_SUMMARY: "summary.md", GITHUB_STATE: "state" };
  const runNumber = String(100_000 + Math.floor(Math.random() * 800_000));
  for (const [key, name] of Object.entries(files)) {
    process.env[key] = join(dir, name);
    writeFileSync(join(dir, name), "");
  }
  Object.assign(process.env, {
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_NUMBER: runNumber,
    GITHUB_RUN_ID: "777",
    GITHUB_SHA: "feedfacefeedfacefeedfacefeedfacefeedface",
    GITHUB_REPOSITORY: "acme/web",
  });
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  const name = /pt-build-fixture-\w+/.exec(readFileSync(inputs.config!, "utf8"))![0];
  made.push(`${name}:build-${runNumber}`, `${name}:build-${runNumber}-test`);

  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    // Fresh modules for every run, as the runner starts a new process per step (@actions/core
    // remembers the summary file of its first use).
    await jest.isolateModulesAsync(async () => {
      const { runAction } = require("../../packages/action-kit/src") as typeof ActionKit;
      const { main, post } = require("../../actions/build/src/main") as typeof BuildAction;
      await runAction(main, post);
    });
    return {
      outputs: parseOutputs(readFileSync(join(dir, files.GITHUB_OUTPUT), "utf8")),
      summary: readFileSync(join(dir, files.GITHUB_STEP_SUMMARY), "utf8"),
      stdout: written.join(""),
      exitCode: process.exitCode,
    };
  } finally {
    spy.mockRestore();
    process.exitCode = 0;
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

test("a passing build sets the outputs and writes the job summary", async () => {
  const run = await runBuildAction({
    config: fixtureConfig("passing"),
    "build-args": `BASE=${testEnv().images.node}`,
  });
  expect(run.exitCode).not.toBe(1);
  expect(run.outputs.image).toMatch(/^pt-build-fixture-passing:build-\d+$/);
  expect(run.outputs["image-id"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(Number(run.outputs.size)).toBeGreaterThan(100_000_000);
  expect(JSON.parse(run.outputs.tests!)).toEqual({ passed: 3, failed: 0, skipped: 1 });
  // What publish's test-result attestation records (its test-report input).
  expect(JSON.parse(run.outputs["test-report"]!)).toMatchObject({
    total: 4,
    passed: 3,
    failed: 0,
    skipped: 1,
  });
  expect(JSON.parse(run.outputs.config!)).toMatchObject({
    name: "pt-build-fixture-passing",
    run: { ports: ["8080"] },
  });
  expect(run.summary).toContain("<th>Passed</th><th>Failed</th><th>Skipped</th>");
  expect(run.summary).toMatch(/<td>3<\/td><td>0<\/td><td>1<\/td>/);
  expect(run.summary).toContain("Slowest tests");
  // The classic builder records "COPY dir:<hash> in ./node_modules", BuildKit "COPY /app/node_modules ./node_modules".
  expect(run.summary).toMatch(/<td>[\d.]+ MB<\/td><td><code>COPY \S+ (in )?\.\/node_modules<\/code><\/td>/);
  expect(run.summary).toContain("Smoke test: ✅");
  expect(run.stdout).not.toContain("::error");
});

test("a native runner's leg on the standalone builder: login inputs, a masked secret, pushed by digest", async () => {
  const env = testEnv();
  const secret = `s3cr3t-${Date.now().toString(36)}`;
  const push = `${env.registry.host}/pt-test/${uniqueName("native-leg")}:amd64`;
  const run = await runBuildAction({
    config: fixtureConfig("passing"),
    "build-args": `BASE=${standaloneBuilder(env).images.node}`,
    builder: standaloneBuilder(env).builder,
    registry: env.registry.host,
    username: env.registry.user,
    password: env.registry.password,
    secrets: `token=${secret}`,
    "secret-envs": "home=HOME",
    push,
    summary: "false",
  });
  expect(run.exitCode).not.toBe(1);
  expect(run.outputs.builder).toBe(`buildx remote (${standaloneBuilder(env).builder})`);
  expect(JSON.parse(run.outputs.tests!)).toEqual({ passed: 3, failed: 0, skipped: 1 });
  expect(run.outputs.index).toBe(`${push}@${run.outputs["index-digest"]}`);
  expect(run.outputs["index-digest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  // The only places the values show: the runner's mask commands.
  for (const value of [secret, env.registry.password]) {
    const showing = run.stdout.split("\n").filter((l) => l.includes(value));
    expect(showing.length).toBeGreaterThan(0);
    expect(showing.every((l) => l === `::add-mask::${value}`)).toBe(true);
  }

  // The pipeline's merge job: the legs' digests in, one index out, nothing built.
  const repository = push.slice(0, push.lastIndexOf(":"));
  const merged = await runBuildAction({
    config: fixtureConfig("passing"),
    merge: `${repository}@${run.outputs["index-digest"]}\n`,
    push: `${repository}:merged`,
    username: env.registry.user,
    password: env.registry.password,
  });
  expect(merged.exitCode).not.toBe(1);
  expect(merged.outputs.index).toMatch(new RegExp(`^${repository}:merged@sha256:[0-9a-f]{64}$`));
  expect(merged.outputs.image).toBe(`${repository}@${merged.outputs["index-digest"]}`);
  expect(merged.stdout).toMatch(/linux\/amd64 +sha256:/);
});

test("a failing test: the step fails, the failure is annotated with file and line and is in the summary", async () => {
  const run = await runBuildAction({
    config: fixtureConfig("failing"),
    "build-args": `BASE=${testEnv().images.node}`,
    summary: "true",
  });
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toMatch(
    /::error file=test\/fixtures\/apps\/failing\/test\/math\.test\.js,line=9::multiplies: Expected values to be strictly equal:42 !== 41/,
  );
  expect(run.stdout).toMatch(/::error::1 of 6 tests failed/);
  expect(JSON.parse(run.outputs.tests!)).toEqual({ passed: 4, failed: 1, skipped: 1 });
  expect(run.outputs.image).toBeUndefined();
  expect(run.summary).toMatch(/<td>4<\/td><td>1<\/td><td>1<\/td>/);
  expect(run.summary).toContain("<code>test/fixtures/apps/failing/test/math.test.js:9</code>");
  expect(run.summary).toContain("❌ Build");
});

test("test-target none skips the tests; summary false writes no summary", async () => {
  const run = await runBuildAction({
    config: fixtureConfig("passing"),
    "build-args": `BASE=${testEnv().images.node}`,
    "test-target": "none",
    summary: "false",
  });
  expect(run.exitCode).not.toBe(1);
  expect(run.outputs.tests).toBeUndefined();
  expect(run.outputs.image).toMatch(/^pt-build-fixture-passing:/);
  expect(run.summary).toBe("");
});

test("a config mistake is one annotated error naming the file", async () => {
  const dir = tempDir("pt-build-action-cfg-");
  const file = join(dir, "powertrain.yml");
  writeFileSync(file, "name: pt-build-fixture-bad\nbuild:\n  size-budjet: 1MB\n");
  const run = await runBuildAction({ config: file });
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toMatch(
    /::error title=powertrain\.yml,file=[^,]*powertrain\.yml,line=3,col=3::build\.size-budjet: unknown key .*did you mean "size-budget"/,
  );
});
