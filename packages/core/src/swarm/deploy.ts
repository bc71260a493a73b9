/**
 * A Swarm deploy: the service created or updated by digest, then watched until it converges — or
 * Swarm rolls it back, which we report as the failure it is. Same request and report as the SSH
 * engine's deploy (deploy/rollout.ts).
 */
import type { DeployedInstance } from "../deploy/executor";
import { newDeployId } from "../deploy/labels";
import { type DeployReport, type DeployRequest, type HostOutcome, RolloutError } from "../deploy/rollout";
import { UsageError } from "../errors";
import { checkVersion, defaultVersion, requirePinned } from "../image/reference";
import { type ConvergeGoal, converge } from "./converge";
import { SwarmError } from "./errors";
import { dockerWithEnv, withManager } from "./manager";
import { deployReplicas, SCALE_LABEL } from "./scale";
import { createSecrets, pruneSecrets } from "./secret-store";
import { classifyEnv, secretMounts } from "./secrets";
import {
  failedTask,
  instances,
  lastLogs,
  managerChoice,
  observeService,
  runningOf,
  versionLookup,
} from "./service";
import {
  createArgs,
  desiredService,
  SPEC_LABEL,
  type SwarmEnvironment,
  serviceName,
  swarmSettings,
  updateArgs,
} from "./spec";

export interface SwarmDeployRequest extends Omit<DeployRequest, "environment"> {
  environment: SwarmEnvironment;
  /**
   * Values for `${NAME}` references in env values. Given, the engine resolves them itself and
   * treats every value holding a reference as secret (deploy.swarm.secrets); not given, env
   * values are taken as already resolved and plain.
   */
  envSource?: Record<string, string | undefined>;
  /** How often the service is looked at while it converges (default 500 ms). */
  pollMs?: number;
}

const SETTLE_MS = 3000;

export async function swarmDeploy(req: SwarmDeployRequest): Promise<DeployReport> {
  const started = Date.now();
  const { environment: env, logger: log } = req;
  const ref = requirePinned(req.image);
  const strategy = req.strategy ?? env.deploy.strategy ?? "rolling";
  if (strategy !== "rolling") {
    throw new UsageError(
      `deploy.strategy ${strategy} is not available with engine swarm: Swarm updates services rolling`,
    );
  }
  const version = checkVersion(req.version ?? defaultVersion(req.image)!);
  const deployId = req.deployId ?? newDeployId();
  const swarm = swarmSettings(env);
  const name = serviceName(env.app, env.name);
  const outcome: HostOutcome = { host: "-", status: "not-started" };
  let deployed: DeployedInstance[] = [];
  let previousVersion: string | undefined;
  const report = (): DeployReport => ({
    deployId,
    strategy: "rolling",
    version,
    digest: ref.digest,
    durationMs: Date.now() - started,
    deployed,
    ...(previousVersion ? { previousVersion } : {}),
    hosts: [outcome],
  });

  const classified = classifyEnv(env.run.env, req.envSource, log);
  const secretValues = swarm.secrets === "secret" ? classified.secret : {};
  const plain = swarm.secrets === "secret" ? classified.plain : { ...classified.plain, ...classified.secret };
  if (swarm.secrets === "env" && Object.keys(classified.secret).length > 0) {
    log.warn(
      `${Object.keys(classified.secret).sort().join(", ")}: secret values stored as plain env in the service spec (deploy.swarm.secrets: env)`,
    );
  }
  const secrets = secretMounts(name, secretValues);
  // The service as the configuration says, with the replicas a `scale` left while they hold.
  const desiredFor = (labels: Record<string, string> | undefined) => {
    const { replicas, label } = deployReplicas(labels, env.run.instances, req.instances);
    const { service, warnings } = desiredService({
      environment: env,
      image: req.image,
      version,
      digest: ref.digest,
      deployId,
      env: plain,
      secrets,
      replicas,
    });
    for (const w of warnings) log.warn(`${name}: ${w}`);
    if (label) service.labels[SCALE_LABEL] = label;
    return service;
  };

  try {
    await withManager(managerChoice(req, swarm.context), async (manager) => {
      outcome.host = manager.name;
      const observe = () => observeService(manager, name);
      const before = await observe();
      const current = before.service;
      const desired = desiredFor(current?.labels);
      previousVersion = current?.version;
      if (
        current &&
        current.digest === ref.digest &&
        current.labels[SPEC_LABEL] === desired.labels[SPEC_LABEL] &&
        !current.updateStatus?.state.startsWith("rollback") &&
        current.updateStatus?.state !== "paused" &&
        runningOf(before, ref.digest).length >= desired.replicas
      ) {
        log.info(`${name}: already runs ${version}`);
        outcome.status = "unchanged";
        outcome.version = version;
        deployed = instances(runningOf(before, ref.digest), version);
        return;
      }
      const auth = req.registryAuth ? { registryAuth: true } : { registryAuth: false };
      const args = current ? updateArgs(current.current, desired, auth) : createArgs(desired, auth);
      if (req.dryRun) {
        log.info(
          `${name}: would ${current ? `update ${current.version} →` : "create with"} ${version} on ${manager.name}`,
        );
        log.info(`  docker ${args.join(" ")}`);
        outcome.status = "planned";
        outcome.version = current?.version;
        return;
      }
      await createSecrets(manager, env, name, secrets, secretValues, log);
      const goal: ConvergeGoal = {
        kind: current ? "update" : "create",
        digest: ref.digest,
        version,
        replicas: desired.replicas,
        statusBefore: current?.updateStatus?.startedAt,
        tasksBefore: new Set(before.tasks.map((t) => t.id)),
        failLimit: desired.replicas + 2,
      };
      log.info(
        `${name}: ${current ? `updating ${current.version} →` : "creating with"} ${version} on ${manager.name}`,
      );
      const r = await dockerWithEnv(manager, args, desired.env, req.registryAuth);
      if (r.exitCode !== 0) {
        throw new SwarmError(
          `${name}: docker service ${current ? "update" : "create"} failed: ${(r.stderr || r.stdout).trim()}`,
        );
      }
      const batches = Math.ceil(desired.replicas / Math.max(1, swarm.parallelism || desired.replicas));
      const { verdict, last } = await converge({
        observe,
        goal,
        timeoutMs: batches * (env.deploy.healthTimeoutMs + swarm.delayMs + swarm.monitorMs),
        pollMs: req.pollMs ?? 500,
        logger: log,
        settleMs: Math.min(swarm.monitorMs, SETTLE_MS),
        versionOf: versionLookup(before, version, ref.digest),
      });
      await pruneSecrets(manager, name, log);
      if (verdict.phase === "failed") {
        const serving = last.service?.version ?? previousVersion;
        outcome.version = serving;
        const logs = await lastLogs(manager, failedTask(last, ref.digest));
        throw new SwarmError(
          `${name}: update to ${version} failed: ${verdict.reason}${verdict.rolledBack ? `\n${name} serves ${serving ?? "its previous version"} again` : ""}${logs}`,
        );
      }
      outcome.status = "deployed";
      outcome.version = version;
      deployed = instances(runningOf(last, ref.digest), version);
      log.info(
        `${name}: ${desired.replicas} task(s) of ${version} running after ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    });
  } catch (err) {
    outcome.status = "failed";
    outcome.error = err instanceof Error ? err.message : String(err);
    const rollout = new RolloutError(`deploy of ${version} failed: ${outcome.error}`, report());
    if (err instanceof Error && "userError" in err && (err as { userError: boolean }).userError) {
      Object.defineProperty(rollout, "userError", { value: true });
    }
    throw rollout;
  }
  return report();
}
