/**
 * The ssh-deploy action: inputs → core's deploy → outputs (deployed,
 * previous-version, duration) and a job summary. The SSH key lives in a
 * private temp dir that deploy removes; the post step removes it again in
 * case the job was cancelled mid-deploy.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as actions from "@actions/core";
import { type ActionContext, readInputs } from "@powertrain/action-kit";
import {
  analysisJson,
  DeployError,
  type DeployReport,
  defaultVersion,
  deployGateFor,
  deployReferenceSource,
  type EngineRequest,
  engineFor,
  imageVersionLabel,
  loadDeployEnvironments,
  parseEnvFrom,
  parseHostSpec,
  parseRegistryAuths,
  pullCredentialsFor,
  RolloutError,
  registryOf,
  UsageError,
  type VerificationReport,
} from "@powertrain/core";
import { writeAnalysisSummary, writeDeploySummary } from "./summary";

export const inputs = {
  image: { kind: "string" },
  version: { kind: "string" },
  rollback: { kind: "boolean", default: false },
  scale: { kind: "boolean", default: false },
  config: { kind: "string" },
  "config-file": { kind: "string" },
  environment: { kind: "string", required: true },
  hosts: { kind: "list" },
  instances: { kind: "integer", min: 1 },
  "max-parallel": { kind: "integer", min: 1 },
  strategy: { kind: "string" },
  canary: { kind: "string" },
  "ssh-key": { kind: "string", secret: true },
  "known-hosts": { kind: "string" },
  "insecure-ignore-host-key": { kind: "boolean", default: false },
  "registry-username": { kind: "string" },
  "registry-password": { kind: "string", secret: true },
  "registry-auths": { kind: "string", secret: true },
  "env-from": { kind: "list" },
  "verify-key": { kind: "string" },
  "verify-require": { kind: "string" },
  "insecure-skip-verify": { kind: "boolean", default: false },
  "bind-address": { kind: "string" },
  "dry-run": { kind: "boolean", default: false },
  "canary-analysis": { kind: "boolean", default: true },
} as const;

const SESSION_STATE = "powertrain-ssh-tmp";

export async function main(ctx: ActionContext): Promise<void> {
  const input = readInputs(inputs);
  const image = input.image;
  const canaryAction = input.canary as "promote" | "abort" | undefined;
  if (canaryAction && canaryAction !== "promote" && canaryAction !== "abort") {
    throw new UsageError(`input "canary": expected "promote" or "abort", got "${input.canary}"`);
  }
  if (input.scale && input.instances === undefined) throw new UsageError('input "scale" needs "instances"');
  if (!image && !input.rollback && !canaryAction && !input.scale) {
    throw new UsageError('input "image" is required (unless rollback or scale is true, or canary is set)');
  }
  if (!input.config && !input["config-file"]) {
    throw new UsageError('set input "config" (from extract-config) or "config-file"');
  }
  // The image's run configuration (config), on the deploy side's infrastructure (config-file).
  const loaded = await loadDeployEnvironments({
    environment: input.environment,
    resolved: input.config,
    configFile: input["config-file"],
  });
  const environment = loaded.environment;
  const hosts = input.hosts.length > 0 ? input.hosts.map(parseHostSpec) : environment.hosts;

  // Key material and control sockets go under a dir of ours, so the post step can always remove it.
  const sshTmp = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), "powertrain-ssh-"));
  actions.saveState(SESSION_STATE, sshTmp);
  process.env.TMPDIR = sshTmp;

  const username = input["registry-username"];
  const password = input["registry-password"];
  // For the image's registry (a rollback: the configured one), never another.
  const registry = image ? registryOf(image) : environment.image.registry;
  const registryAuth =
    registry &&
    (await pullCredentialsFor(registry, {
      explicit: username && password ? { registry, credentials: { username, password } } : undefined,
      registryAuths: parseRegistryAuths(input["registry-auths"] ?? "", 'input "registry-auths"'),
      configuredRegistry: environment.image.registry,
      dockerConfig: false,
    }));
  const request: EngineRequest = {
    environment,
    // ${NAME} references resolve from the step's environment, for the version actually started:
    // those of the deploy side's own config-file, else only env-from (the DEPLOY_ENV keys).
    envSource: deployReferenceSource({
      env: environment.run.env,
      deploySideConfig: !loaded.image,
      envFrom: parseEnvFrom(input["env-from"], 'input "env-from"'),
      source: process.env,
      logger: ctx.logger,
    }),
    hosts,
    ssh: {
      privateKey: input["ssh-key"],
      knownHosts: input["known-hosts"],
      insecureIgnoreHostKey: input["insecure-ignore-host-key"],
    },
    registryAuth: registryAuth || undefined,
    bindAddress: input["bind-address"],
    logger: ctx.logger,
  };
  // environments.<name>.url, rendered: for the workflow's `environment: { name, url }`.
  actions.setOutput("url", environment.url ?? "");
  // Before any host, dry-run included: the deploy side's policy, tightened by the image's.
  const gate = deployGateFor({
    key: input["verify-key"],
    require: input["verify-require"],
    where: 'input "verify-require"',
    deploySide: loaded.deploySide?.deploy.verify,
    imageSide: loaded.image?.deploy.verify,
    insecureSkipVerify: input["insecure-skip-verify"],
    logger: ctx.logger,
  });
  try {
    if (canaryAction) await endCanary(ctx, canaryAction, request);
    else if (input.scale) await scaleInstances(request, input.instances!, input["dry-run"]);
    else if (!image) await rollBack(request, input.version, gate);
    else {
      const verified = await gate(image);
      actions.setOutput("verified", verified.summary);
      await deployImage(request, image, input, verified.summary);
    }
  } finally {
    await rm(sshTmp, { recursive: true, force: true });
  }
}

async function deployImage(
  request: EngineRequest,
  image: string,
  input: {
    version?: string;
    instances?: number;
    "max-parallel"?: number;
    strategy?: string;
    "dry-run": boolean;
    "canary-analysis": boolean;
  },
  verified: string,
): Promise<void> {
  let report: DeployReport;
  try {
    report = await engineFor(request.environment).deploy({
      ...request,
      image,
      // The image's own version label first, then its tag, then its short digest.
      version: input.version || (await imageVersionLabel(image, request.logger)) || defaultVersion(image),
      instances: input.instances,
      maxParallel: input["max-parallel"],
      strategy: input.strategy || undefined,
      dryRun: input["dry-run"],
    });
  } catch (err) {
    if (err instanceof RolloutError) await writeDeploySummary(err.report, false, verified);
    throw err;
  }
  actions.setOutput("deployed", JSON.stringify(report.deployed));
  actions.setOutput("previous-version", report.previousVersion ?? "");
  actions.setOutput("duration", (report.durationMs / 1000).toFixed(1));
  await writeDeploySummary(report, true, verified);
  if (report.strategy === "canary" && !input["dry-run"] && input["canary-analysis"]) {
    if (request.environment.deploy.canary?.analysis) await analyse(request);
  }
}

/** deploy.canary.analysis: watch the canary, act on the verdict, report it; a failed canary fails the step. */
async function analyse(request: EngineRequest): Promise<void> {
  const env = request.environment;
  const a = await request.logger.group("Canary analysis", () => engineFor(env).analyzeCanary(request));
  actions.setOutput("canary-verdict", a.outcome);
  actions.setOutput("canary-action", a.action);
  actions.setOutput("canary-report", JSON.stringify(analysisJson(a)));
  await writeAnalysisSummary(a, `${env.app} in ${env.name}`);
  if (a.outcome === "fail") {
    throw new DeployError(
      `canary ${a.canaryVersion} failed its analysis (${a.reasons.join("; ")}); ${a.action === "abort" ? "it was aborted, the old version serves" : `on-fail: ${a.action}`}`,
    );
  }
  if (a.outcome === "inconclusive")
    request.logger.warn(`canary ${a.canaryVersion}: inconclusive (${a.reasons.join("; ")}); ${a.action}`);
}

/** scale: true — `instances` per host of the running version, no redeploy. */
async function scaleInstances(request: EngineRequest, instances: number, dryRun: boolean): Promise<void> {
  const started = Date.now();
  const { environment } = request;
  const results = await engineFor(environment).scale({ ...request, instances, dryRun });
  actions.setOutput("deployed", JSON.stringify(results.flatMap((r) => r.instances)));
  actions.setOutput("previous-version", "");
  actions.setOutput("duration", ((Date.now() - started) / 1000).toFixed(1));
  await actions.summary
    .addHeading(`${dryRun ? "Would scale" : "Scaled"} ${environment.app} in ${environment.name}`, 3)
    .addTable([
      [
        { data: "host", header: true },
        { data: "version", header: true },
        { data: "instances", header: true },
      ],
      ...results.map((r) => [r.host, r.version, `${r.from} → ${r.to}`]),
    ])
    .write();
}

/** rollback: true — kept containers restart in seconds, else the previous digest is redeployed. */
async function rollBack(
  request: EngineRequest,
  to: string | undefined,
  gate: (image: string) => Promise<VerificationReport>,
): Promise<void> {
  const started = Date.now();
  const { environment } = request;
  const verified: string[] = [];
  const results = await engineFor(environment).rollback({
    ...request,
    to,
    // The version gone back to passes the same gate as a deploy, before anything changes.
    verifyTarget: async (image) => {
      verified.push((await gate(image)).summary);
    },
  });
  actions.setOutput("verified", verified.join("\n"));
  const deployed = results.flatMap((r) => r.instances);
  actions.setOutput("deployed", JSON.stringify(deployed));
  actions.setOutput("previous-version", results.find((r) => r.from)?.from ?? "");
  actions.setOutput("duration", ((Date.now() - started) / 1000).toFixed(1));
  await actions.summary
    .addHeading(`Rolled back ${environment.app} in ${environment.name}`, 3)
    .addTable([
      [
        { data: "host", header: true },
        { data: "from", header: true },
        { data: "to", header: true },
        { data: "how", header: true },
      ],
      ...results.map((r) => [r.host, r.from ?? "-", r.to, r.method]),
    ])
    .addRaw(verified.length ? `\n\n${verified.join("<br>")}\n` : "")
    .write();
}

/** canary: promote | abort — end the running canary instead of deploying. */
async function endCanary(
  ctx: ActionContext,
  action: "promote" | "abort",
  request: EngineRequest,
): Promise<void> {
  const started = Date.now();
  const engine = engineFor(request.environment);
  const results =
    action === "promote" ? await engine.promoteCanary(request) : await engine.abortCanary(request);
  actions.setOutput(
    "deployed",
    JSON.stringify(results.map((r) => ({ host: r.host, containers: r.serving }))),
  );
  actions.setOutput("previous-version", results.find((r) => r.previousVersion)?.previousVersion ?? "");
  actions.setOutput("duration", ((Date.now() - started) / 1000).toFixed(1));
  ctx.logger.info(`canary ${results[0]?.version ?? ""} ${action === "promote" ? "promoted" : "aborted"}`);
  await actions.summary
    .addHeading(`Canary ${results[0]?.version ?? ""} ${action === "promote" ? "promoted" : "aborted"}`, 3)
    .addTable([
      [
        { data: "host", header: true },
        { data: "serving", header: true },
        { data: "switch", header: true },
      ],
      ...results.map((r) => [r.host, `${r.serving.length} instance(s)`, `${r.switchMs} ms`]),
    ])
    .write();
}

export async function post(_ctx: ActionContext): Promise<void> {
  const dir = actions.getState(SESSION_STATE);
  if (dir) await rm(dir, { recursive: true, force: true });
}
