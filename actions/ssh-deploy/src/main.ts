/**
 * The ssh-deploy action: inputs → core's deploy → outputs (deployed,
 * previous-version, duration) and a job summary. The SSH key lives in a
 * private temp dir that deploy removes; the post step removes it again in
 * case the job was cancelled mid-deploy.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as actions from "@actions/core";
import { type ActionContext, readInputs } from "@powertrain/action-kit";
import {
  type DeployEnvironment,
  type DeployReport,
  deploy,
  loadConfig,
  parseHostSpec,
  RolloutError,
  registryOf,
  resolveEnvironment,
  resolveEnvReferences,
  UsageError,
} from "@powertrain/core";
import { writeDeploySummary } from "./summary";

export const inputs = {
  image: { kind: "string", required: true },
  config: { kind: "string" },
  "config-file": { kind: "string" },
  environment: { kind: "string", required: true },
  hosts: { kind: "list" },
  instances: { kind: "integer", min: 1 },
  "max-parallel": { kind: "integer", min: 1 },
  "ssh-key": { kind: "string", secret: true },
  "known-hosts": { kind: "string" },
  "insecure-ignore-host-key": { kind: "boolean", default: false },
  "registry-username": { kind: "string" },
  "registry-password": { kind: "string", secret: true },
  "dry-run": { kind: "boolean", default: false },
} as const;

const SESSION_STATE = "powertrain-ssh-tmp";

export async function main(ctx: ActionContext): Promise<void> {
  const input = readInputs(inputs);
  const environment = await loadEnvironment(input.config, input["config-file"], input.environment);
  const hosts = input.hosts.length > 0 ? input.hosts.map(parseHostSpec) : environment.hosts;
  const run = { ...environment.run, env: resolveEnvReferences(environment.run.env, process.env) };

  // Key material and control sockets go under a dir of ours, so the post step can always remove it.
  const sshTmp = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), "powertrain-ssh-"));
  actions.saveState(SESSION_STATE, sshTmp);
  process.env.TMPDIR = sshTmp;

  const username = input["registry-username"];
  const password = input["registry-password"];
  let report: DeployReport;
  try {
    report = await deploy({
      environment: { ...environment, run },
      hosts,
      image: input.image,
      instances: input.instances,
      maxParallel: input["max-parallel"],
      registryAuth:
        username && password ? { registry: registryOf(input.image), username, password } : undefined,
      dryRun: input["dry-run"],
      ssh: {
        privateKey: input["ssh-key"],
        knownHosts: input["known-hosts"],
        insecureIgnoreHostKey: input["insecure-ignore-host-key"],
      },
      logger: ctx.logger,
    });
  } catch (err) {
    if (err instanceof RolloutError) await writeDeploySummary(err.report, false);
    throw err;
  } finally {
    await rm(sshTmp, { recursive: true, force: true });
  }
  actions.setOutput("deployed", JSON.stringify(report.deployed));
  actions.setOutput("previous-version", report.previousVersion ?? "");
  actions.setOutput("duration", (report.durationMs / 1000).toFixed(1));
  await writeDeploySummary(report, true);
}

export async function post(_ctx: ActionContext): Promise<void> {
  const dir = actions.getState(SESSION_STATE);
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** The resolved environment: the extract-config JSON if given, else powertrain.yml resolved here. */
async function loadEnvironment(
  json: string | undefined,
  file: string | undefined,
  name: string,
): Promise<DeployEnvironment> {
  if (json) {
    const text = json.trim().startsWith("{") ? json : await readFile(json, "utf8");
    return JSON.parse(text) as DeployEnvironment;
  }
  if (!file) throw new UsageError('set input "config" (from extract-config) or "config-file"');
  const { config, file: loaded } = await loadConfig(file);
  return resolveEnvironment(config, name, loaded);
}
