/**
 * Runs a workflow of an app repository with nektos/act: jobs on this host (no runner images),
 * this checkout standing in for the powertrain repository the workflows reference, and the test
 * environment's credentials as secrets (passed through act's environment, never on its argv).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exec } from "../../../packages/core/src/exec/exec";
import type { TestEnv } from "../../support/env";

const REPO_ROOT = resolve(__dirname, "../../..");
export const ACT_BIN = resolve(REPO_ROOT, ".tmp/bin/act");
/** What the app workflows name in `uses:`; act reads it from this checkout instead of GitHub. */
export const POWERTRAIN_REPOSITORY = "powertrain/powertrain@v1";
const LOG_DIR = resolve(REPO_ROOT, ".tmp/e2e-logs");

/**
 * What act reads for `powertrain/powertrain@v1`: the workflows and each action's action.yml and
 * bundled dist/ — the files a release holds — copied from this checkout. act tars the directory
 * for every action step, so a whole checkout (node_modules, .tmp) would cost seconds per step.
 * POWERTRAIN_E2E_DIST=fresh bundles the actions' current sources instead of the committed dist/.
 */
export async function preparePowertrainRelease(dir: string): Promise<string> {
  cpSync(join(REPO_ROOT, ".github/workflows"), join(dir, ".github/workflows"), { recursive: true });
  const fresh = process.env.POWERTRAIN_E2E_DIST === "fresh";
  for (const action of readdirSync(join(REPO_ROOT, "actions"))) {
    const source = join(REPO_ROOT, "actions", action);
    if (!existsSync(join(source, "action.yml"))) continue;
    cpSync(join(source, "action.yml"), join(dir, "actions", action, "action.yml"));
    const dist = join(dir, "actions", action, "dist");
    if (fresh) {
      await exec(
        resolve(REPO_ROOT, "node_modules/.bin/ncc"),
        [
          "build",
          join(source, "src/index.ts"),
          "-o",
          dist,
          "--quiet",
          "--transpile-only",
          "--target",
          "es2022",
        ],
        { cwd: REPO_ROOT },
      );
    } else {
      cpSync(join(source, "dist"), dist, { recursive: true });
    }
  }
  return dir;
}

export interface ActRun {
  exitCode: number;
  /** The whole output; also kept in .tmp/e2e-logs/<label>.log. */
  output: string;
  logFile: string;
}

export interface ActOptions {
  repo: string;
  /** Directory standing in for the powertrain repository (see preparePowertrainRelease). */
  powertrain: string;
  event: "push" | "workflow_dispatch" | "pull_request";
  workflow: string;
  /** GITHUB_RUN_NUMBER, which the version tag starts with. */
  runNumber: number;
  inputs?: Record<string, string>;
  /** Names the log file. */
  label: string;
}

export function assertActBuilt(): void {
  if (!existsSync(ACT_BIN)) throw new Error(`${ACT_BIN} does not exist — run ./scripts/setup`);
}

export async function runAct(env: TestEnv, options: ActOptions): Promise<ActRun> {
  const args = [
    options.event,
    "--workflows",
    join(".github/workflows", options.workflow),
    "--platform",
    "ubuntu-latest=-self-hosted",
    "--local-repository",
    `${POWERTRAIN_REPOSITORY}=${options.powertrain}`,
    "--env",
    `GITHUB_RUN_NUMBER=${options.runNumber}`,
    "--defaultbranch",
    "main",
  ];
  for (const name of ["REGISTRY_USERNAME", "REGISTRY_PASSWORD", "SSH_KEY", "KNOWN_HOSTS"]) {
    args.push("--secret", name);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) args.push("--input", `${name}=${value}`);
  const result = await exec(ACT_BIN, args, {
    cwd: options.repo,
    allowFailure: true,
    env: {
      REGISTRY_USERNAME: env.registry.user,
      REGISTRY_PASSWORD: env.registry.password,
      SSH_KEY: readFileSync(env.ssh.key, "utf8"),
      KNOWN_HOSTS: readFileSync(env.ssh.knownHosts, "utf8"),
    },
    secrets: [env.registry.password],
  });
  const output = `${result.stdout}${result.stderr}`;
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${options.label}.log`);
  writeFileSync(logFile, output);
  return { exitCode: result.exitCode, output, logFile };
}

/** The last lines of a run, for assertion messages. */
export function tail(run: ActRun, lines = 40): string {
  return run.output.trimEnd().split("\n").slice(-lines).join("\n");
}
