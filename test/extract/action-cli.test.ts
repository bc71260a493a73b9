/**
 * The two shells over extractConfig: the action's main with INPUT_* variables
 * and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and `powertrain
 * extract-config` parsed by commander. process.env is restored afterwards.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main as actionMain } from "../../actions/extract-config/src/main";
import { registerExtractConfig } from "../../packages/cli/src/commands/extract-config";
import { buildProgram, type CliContext, EXIT_USAGE, reportError } from "../../packages/cli/src/main";
import { StreamLogger } from "../../packages/core/src/log";
import { readOutputs } from "../support/action-outputs";
import { testEnv } from "../support/env";
import { tempDir } from "../support/helpers";
import {
  CONFIG,
  cleanUpAfterAll,
  credentials,
  type Published,
  publish,
  sealEnvironment,
  silent,
} from "./support/fixture";
import { DEPLOY_SCRIPT } from "./support/images";

jest.setTimeout(120_000);

let image: Published;

sealEnvironment();
cleanUpAfterAll();

beforeAll(async () => {
  image = await publish("pt-test-extract-shells");
});

function actionEnvironment(inputs: Record<string, string>): {
  output: string;
  summary: string;
  workspace: string;
} {
  const workspace = tempDir("pt-test-extract-action-");
  const output = join(workspace, "github-output");
  const summary = join(workspace, "step-summary");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  process.env.GITHUB_OUTPUT = output;
  process.env.GITHUB_STEP_SUMMARY = summary;
  process.env.RUNNER_TEMP = workspace;
  return { output, summary, workspace };
}

test("the action sets every output, writes the config file and the files, and a job summary", async () => {
  const { output, summary, workspace } = actionEnvironment({
    image: image.tagged,
    environment: "prod",
    source: "registry",
    username: credentials().username,
    password: credentials().password,
    files: "/app/deploy.sh\n",
    "files-dir": join(tempDir("pt-test-extract-action-files-"), "files"),
  });
  await actionMain({ logger: silent });

  const outputs = readOutputs(output);
  const config = JSON.parse(outputs.config!);
  expect(config).toMatchObject({ name: "prod", app: "web", run: { instances: 4 } });
  expect(outputs.image).toBe(image.pinned);
  expect(outputs.version).toBe("7-abc1234");
  // What promote.yml checks against the default branch.
  expect(outputs.revision).toBe("abc1234def5678abc1234def5678abc1234def56");
  expect(JSON.parse(outputs.environments!)).toEqual(["dev", "prod"]);
  expect(JSON.parse(outputs.references!)).toEqual(["DB_PASSWORD", "DB_USER", "SENTRY_DSN"]);
  expect(outputs["config-file"]!.startsWith(workspace)).toBe(true);
  expect(JSON.parse(readFileSync(outputs["config-file"]!, "utf8"))).toEqual(config);
  const [file] = JSON.parse(outputs.files!) as string[];
  expect(readFileSync(file!, "utf8")).toBe(DEPLOY_SCRIPT);
  const text = readFileSync(summary, "utf8");
  expect(text).toContain(image.pinned);
  expect(text).toContain("SENTRY_DSN");
  expect(text).not.toContain(credentials().password);
});

test("the action fails with one line on an unknown environment and sets no outputs", async () => {
  const { output } = actionEnvironment({
    image: image.tagged,
    environment: "staging",
    source: "registry",
    username: credentials().username,
    password: credentials().password,
    files: "",
  });
  await expect(actionMain({ logger: silent })).rejects.toThrow(
    /has no environment "staging" \(known: dev, prod\)$/,
  );
  expect(readFileSync(output, "utf8")).toBe("");
});

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const collect = (into: string[]) => ({ write: (s: string) => into.push(s) > 0 }) as NodeJS.WritableStream;
  const ctx: CliContext = { logger: new StreamLogger(collect(err)), out: collect(out) };
  const program = buildProgram(ctx);
  // Registered here until the command list includes it.
  if (!program.commands.some((c) => c.name() === "extract-config")) registerExtractConfig(program, ctx);
  return { ctx, program, stdout: () => out.join(""), stderr: () => err.join("") };
}

test("powertrain extract-config --json prints the outputs, writes config.json and the files into --out", async () => {
  process.env.POWERTRAIN_REGISTRY_USER = credentials().username;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = credentials().password;
  // The variables belong to one registry; an image elsewhere would get none (docs/registry.md).
  process.env.POWERTRAIN_REGISTRY = testEnv().registry.host;
  const out = join(tempDir("pt-test-extract-cli-"), "out");
  const { program, stdout } = cli();
  await program.parseAsync(
    [
      "extract-config",
      image.tagged,
      "--env",
      "dev",
      "--source",
      "registry",
      "--files",
      "/app/deploy.sh",
      "--out",
      out,
      "--json",
    ],
    { from: "user" },
  );
  const result = JSON.parse(stdout());
  expect(result).toMatchObject({ image: image.pinned, version: "7-abc1234", environments: ["dev", "prod"] });
  expect(result.config).toMatchObject({ name: "dev", app: CONFIG.name, run: { instances: 1 } });
  expect(result.files).toEqual([join(out, "deploy.sh")]);
  expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).toEqual(result.config);
  expect(readFileSync(join(out, "deploy.sh"), "utf8")).toBe(DEPLOY_SCRIPT);
});

test("powertrain extract-config on an image without powertrain labels: exit 2 and one error line", async () => {
  const { ctx, program, stdout, stderr } = cli();
  const code = await program
    .parseAsync(["extract-config", testEnv().images.busybox, "--env", "prod", "--source", "local"], {
      from: "user",
    })
    .then(
      () => 0,
      (err: unknown) => reportError(err, ctx),
    );
  expect(code).toBe(EXIT_USAGE);
  expect(stdout()).toBe("");
  expect(stderr()).toMatch(
    /^error: image powertrain-test\/busybox:1 has no dev\.powertrain\.config label: [^\n]+\n$/,
  );
  expect(existsSync("powertrain-files")).toBe(false);
});
