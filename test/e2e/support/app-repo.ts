/**
 * A throw-away copy of the sample application as its own git repository, with powertrain.yml and
 * the workflows pointed at the test environment: a unique app name and repository (so parallel
 * runs and leftovers never collide), the test registry, the test ssh hosts and port ranges.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exec } from "../../../packages/core/src/exec/exec";
import type { TestEnv } from "../../support/env";

export const SAMPLE_APP = resolve(__dirname, "../../../examples/renderer");

export interface AppRepo {
  dir: string;
  /** App name in powertrain.yml, also the value of the app label on its containers. */
  name: string;
  /** registry/repository, without tag. */
  repository: string;
  /** Host port ranges per environment, as written into powertrain.yml. */
  ports: { dev: string; qa: string };
}

/** Replaces `pattern` in `text`, failing loudly when the sample no longer has it. */
function replaceOnce(text: string, pattern: RegExp, replacement: string, file: string): string {
  if (!pattern.test(text)) throw new Error(`${file} no longer matches ${pattern}; update the e2e test`);
  return text.replace(pattern, replacement);
}

function rewrite(file: string, edits: [RegExp, string][]): void {
  let text = readFileSync(file, "utf8");
  for (const [pattern, replacement] of edits) text = replaceOnce(text, pattern, replacement, file);
  writeFileSync(file, text);
}

export async function createAppRepo(dir: string, name: string, env: TestEnv): Promise<AppRepo> {
  cpSync(SAMPLE_APP, dir, { recursive: true });
  const [devHost, qaHost = devHost] = env.ssh.hosts;
  const host = (h: string | undefined) => `${env.ssh.user}@${h}:${env.ssh.port}`;
  const repositoryPath = `pt-e2e/${name}`;
  const ports = { dev: "18500-18519", qa: "18520-18539" };
  rewrite(join(dir, "powertrain.yml"), [
    [/^name: renderer$/m, `name: ${name}`],
    [/^ {2}registry: .*$/m, `  registry: ${env.registry.host}`],
    [/^ {2}repository: .*$/m, `  repository: ${repositoryPath}`],
    // dev on the first ssh host; qa on the second (the same Docker engine behind another sshd).
    [/(\n {2}dev:\n[\s\S]*?hosts: )\[[^\]]*\]/, `$1["${host(devHost)}"]`],
    [/(\n {2}qa:\n[\s\S]*?hosts: )\[[^\]]*\]/, `$1["${host(qaHost)}"]`],
    [/"8100-8119:8080"/, `"${ports.dev}:8080"`],
    [/"8200-8219:8080"/, `"${ports.qa}:8080"`],
  ]);
  const repository = `${env.registry.host}/${repositoryPath}`;
  for (const workflow of ["promote.yml", "rollback.yml"]) {
    rewrite(join(dir, ".github/workflows", workflow), [[/image: \S+/, `image: ${repository}`]]);
  }
  await git(dir, ["init", "-q", "-b", "main"]);
  await commit(dir, "the sample application");
  return { dir, name, repository, ports };
}

/** Commits everything in the repository; returns the new commit's sha. */
export async function commit(dir: string, message: string): Promise<string> {
  await git(dir, ["add", "-A"]);
  await git(dir, [
    "-c",
    "user.name=powertrain e2e",
    "-c",
    "user.email=e2e@powertrain.invalid",
    "commit",
    "-qm",
    message,
  ]);
  return (await git(dir, ["rev-parse", "HEAD"])).trim();
}

async function git(dir: string, args: string[]): Promise<string> {
  return (await exec("git", args, { cwd: dir })).stdout;
}
