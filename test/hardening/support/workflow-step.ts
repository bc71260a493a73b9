/**
 * Runs one `run:` step of a workflow in this repository with bash, the way a runner does
 * (`bash -e {0}` with GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files), so a test can
 * check the shell a workflow holds without starting the whole workflow under act.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
// yaml is a dependency of core, not of the workspace root.
import { parse } from "../../../packages/core/node_modules/yaml";
import { exec } from "../../../packages/core/src/exec/exec";
import { tempDir } from "../../support/helpers";

const REPO_ROOT = resolve(__dirname, "../../..");

export interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

/** A workflow file of this repository, parsed. */
export function readWorkflow(workflow: string): {
  on: Record<string, { inputs?: Record<string, { type?: string; default?: unknown }> }>;
  jobs: Record<string, { steps: Step[] }>;
} {
  return parse(readFileSync(join(REPO_ROOT, workflow), "utf8"));
}

/** The `run` text of the step with `id` in job `job` of `workflow` (a path from the repository root). */
export function stepScript(workflow: string, job: string, id: string): string {
  const step = readWorkflow(workflow).jobs[job]?.steps.find((s) => s.id === id);
  if (!step?.run) throw new Error(`${workflow}: job ${job} has no run step with id ${id}`);
  return step.run;
}

export interface StepRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT as name → value (single-line `name=value` entries). */
  outputs: Record<string, string>;
  /** What the step appended to GITHUB_ENV. */
  envFile: string;
}

/** Runs `script` with bash -e in `cwd`, with `env` and the runner's files added to this process's environment. */
export async function runStep(script: string, env: Record<string, string>, cwd?: string): Promise<StepRun> {
  const dir = tempDir("pt-step-");
  const file = join(dir, "step.sh");
  const output = join(dir, "output");
  const envFile = join(dir, "env");
  writeFileSync(file, script);
  for (const f of [output, envFile]) writeFileSync(f, "");
  const r = await exec("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
    cwd: cwd ?? dir,
    allowFailure: true,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      GITHUB_OUTPUT: output,
      GITHUB_ENV: envFile,
      GITHUB_STEP_SUMMARY: join(dir, "summary"),
      ...env,
    },
  });
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(output, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return {
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs,
    envFile: readFileSync(envFile, "utf8"),
  };
}
