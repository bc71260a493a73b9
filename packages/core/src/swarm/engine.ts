/**
 * Docker Swarm as a deploy engine: deploy, rollback and status with the same
 * requests and results as the SSH engine (deploy/rollout.ts, deploy/operations.ts),
 * so the CLI, the action's outputs and its job summary work unchanged.
 */

import { resolveEnvReferences } from "../deploy/env";
import type { DeployedInstance } from "../deploy/executor";
import { defaultVersion, newDeployId, requirePinned, shortDigest } from "../deploy/labels";
import type { ContainerStatus, RollbackResult } from "../deploy/operations";
import {
  type DeployReport,
  type DeployRequest,
  deploy,
  type HostOutcome,
  RolloutError,
} from "../deploy/rollout";
import { UsageError } from "../errors";
import type { Logger } from "../log";
import type { SshSessionOptions } from "../ssh/session";
import type { SshTarget } from "../ssh/target";
import { type ConvergeGoal, converge } from "./converge";
import { SwarmError } from "./errors";
import { dockerWithEnv, type SwarmManager, withManager } from "./manager";
import { OBSERVE_SERVICE, type ObservedTask, parseSwarmObservation, type SwarmObservation } from "./observe";
import { classifyEnv, secretMounts } from "./secrets";
import {
  createArgs,
  desiredService,
  SECRET_SERVICE_LABEL,
  SPEC_LABEL,
  type SwarmEnvironment,
  serviceName,
  swarmSettings,
  updateArgs,
} from "./spec";

/** True when the environment is deployed as a Swarm service. */
export function usesSwarm(environment: { deploy: { engine?: string } }): boolean {
  return environment.deploy.engine === "swarm";
}

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

/**
 * Deploy with the environment's engine: what the CLI and the action both do.
 * `envSource` fills `${NAME}` references in env values, with
 * ${POWERTRAIN_VERSION} the version being deployed unless the source sets it.
 * Swarm resolves them itself (referenced values become secrets); the SSH
 * engine gets them resolved.
 */
export function deployWithEngine(
  req: DeployRequest & { environment: SwarmEnvironment; envSource: Record<string, string | undefined> },
): Promise<DeployReport> {
  const { environment: env, envSource, ...rest } = req;
  const source = { POWERTRAIN_VERSION: req.version ?? defaultVersion(req.image), ...envSource };
  if (usesSwarm(env)) {
    return swarmDeploy({
      environment: env,
      envSource: source,
      hosts: req.hosts,
      image: req.image,
      version: req.version,
      instances: req.instances,
      registryAuth: req.registryAuth,
      dryRun: req.dryRun,
      ssh: req.ssh,
      logger: req.logger,
    });
  }
  return deploy({
    ...rest,
    environment: { ...env, run: { ...env.run, env: resolveEnvReferences(env.run.env, source, req.logger) } },
  });
}

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
  const version = req.version ?? ref.tag ?? shortDigest(ref.digest);
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
  const { service: desired, warnings } = desiredService({
    environment: env,
    image: req.image,
    version,
    digest: ref.digest,
    deployId,
    env: plain,
    secrets,
    replicas: req.instances,
  });
  for (const w of warnings) log.warn(`${name}: ${w}`);

  try {
    await withManager(managerChoice(req, swarm.context), async (manager) => {
      outcome.host = manager.name;
      const observe = () => observeService(manager, name);
      const before = await observe();
      const current = before.service;
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

export interface SwarmOperationRequest {
  environment: SwarmEnvironment;
  hosts?: SshTarget[];
  ssh: SshSessionOptions;
  logger: Logger;
  pollMs?: number;
}

/** RollbackResult of the SSH engine, with Swarm's own rollback as the method. */
export interface SwarmRollbackResult extends Omit<RollbackResult, "method"> {
  method: "swarm-rollback";
}

/** `docker service rollback`, waited for: the service runs its previous spec again. */
export async function swarmRollback(
  req: SwarmOperationRequest & { to?: string },
): Promise<SwarmRollbackResult[]> {
  const env = req.environment;
  const name = serviceName(env.app, env.name);
  const swarm = swarmSettings(env);
  return withManager(managerChoice(req, swarm.context), async (manager) => {
    const t0 = Date.now();
    const before = await observeService(manager, name);
    const service = before.service;
    if (!service) throw new SwarmError(`${name}: no such service on ${manager.name}; nothing to roll back`);
    const previous = service.previous;
    if (!previous) throw new SwarmError(`${name}: Swarm has no previous spec to roll back to`);
    if (req.to && req.to !== previous.version) {
      throw new SwarmError(
        `${name}: Swarm keeps only the previous spec (${previous.version}), not ${req.to}; deploy ${req.to}'s image instead`,
      );
    }
    req.logger.info(`${name}: rolling back ${service.version} → ${previous.version} on ${manager.name}`);
    const r = await manager.run(["docker", "service", "rollback", "--detach", name], { allowFailure: true });
    if (r.exitCode !== 0)
      throw new SwarmError(`${name}: docker service rollback failed: ${(r.stderr || r.stdout).trim()}`);
    const { verdict, last } = await converge({
      observe: () => observeService(manager, name),
      goal: {
        kind: "rollback",
        digest: previous.digest,
        version: previous.version,
        replicas: service.replicas,
        statusBefore: service.updateStatus?.startedAt,
        tasksBefore: new Set(before.tasks.map((t) => t.id)),
        failLimit: service.replicas + 2,
      },
      timeoutMs: env.deploy.healthTimeoutMs + swarm.monitorMs * Math.max(1, service.replicas),
      pollMs: req.pollMs ?? 500,
      logger: req.logger,
      versionOf: versionLookup(before, service.version, service.digest),
    });
    if (verdict.phase === "failed")
      throw new SwarmError(`${name}: rollback to ${previous.version} failed: ${verdict.reason}`);
    req.logger.info(`${name}: rolled back to ${previous.version} in ${Date.now() - t0} ms`);
    return [
      {
        host: manager.name,
        method: "swarm-rollback" as const,
        from: service.version,
        to: previous.version,
        instances: instances(runningOf(last, previous.digest), previous.version),
      },
    ];
  });
}

/** Tasks per node with version, health and state (only tasks meant to run, plus failures of the last minutes). */
export async function swarmStatus(req: SwarmOperationRequest): Promise<ContainerStatus[]> {
  const env = req.environment;
  const name = serviceName(env.app, env.name);
  return withManager(managerChoice(req, swarmSettings(env).context), async (manager) => {
    const obs = await observeService(manager, name);
    if (!obs.service) throw new SwarmError(`${name}: no such service on ${manager.name}`);
    return swarmTaskStatus(obs);
  });
}

/** Pure: the observation as ContainerStatus rows (the shape `powertrain ps` prints). */
export function swarmTaskStatus(obs: SwarmObservation, now = Date.now()): ContainerStatus[] {
  const versionOf = versionLookup(obs, obs.service?.version ?? "", obs.service?.digest ?? "");
  return obs.tasks
    .filter((t) => t.desiredState === "running")
    .sort((a, b) => a.node.localeCompare(b.node) || a.slot - b.slot)
    .map((t) => {
      const s: ContainerStatus = {
        host: t.node,
        container: t.name,
        state: t.state,
        version: versionOf(t.digest),
        digest: t.digest,
        ports: t.ports.map((p) => p.host),
      };
      // Swarm holds a task in "starting" until its health check passes.
      if (obs.service?.hasHealthcheck)
        s.health = t.state === "running" ? "healthy" : t.state === "starting" ? "starting" : "unhealthy";
      if (t.state === "running" && t.timestamp) {
        s.startedAt = t.timestamp;
        s.uptimeSeconds = Math.max(0, Math.round((now - Date.parse(t.timestamp)) / 1000));
      }
      return s;
    });
}

/** The engine an environment asks for, with the SSH engine's request and result shapes. */
export function engineFor(environment: { deploy: { engine?: string } }): "ssh" | "swarm" {
  return usesSwarm(environment) ? "swarm" : "ssh";
}

function managerChoice(
  req: { environment: SwarmEnvironment; hosts?: SshTarget[]; ssh: SshSessionOptions; logger: Logger },
  context?: string,
) {
  return { hosts: req.hosts ?? req.environment.hosts, context, ssh: req.ssh, logger: req.logger };
}

async function observeService(manager: SwarmManager, name: string): Promise<SwarmObservation> {
  const r = await manager.run(["sh", "-c", OBSERVE_SERVICE, "sh", name]);
  return parseSwarmObservation(r.stdout);
}

function runningOf(obs: SwarmObservation, digest: string): ObservedTask[] {
  return obs.tasks.filter(
    (t) => t.desiredState === "running" && t.state === "running" && t.digest === digest,
  );
}

function instances(tasks: ObservedTask[], version: string): DeployedInstance[] {
  return tasks.map((t) => ({
    host: t.node,
    container: t.name,
    port: t.ports[0]?.host,
    version,
    digest: t.digest,
  }));
}

/** Digest → version name, from what the service knows (current and previous spec). */
function versionLookup(obs: SwarmObservation, version: string, digest: string): (d: string) => string {
  const known = new Map<string, string>([[digest, version]]);
  if (obs.service) known.set(obs.service.digest, obs.service.version);
  if (obs.service?.previous) known.set(obs.service.previous.digest, obs.service.previous.version);
  return (d) => known.get(d) ?? (d ? shortDigest(d) : "-");
}

function failedTask(obs: SwarmObservation, digest: string): ObservedTask | undefined {
  return obs.tasks
    .filter((t) => t.digest === digest && (t.state === "failed" || t.state === "rejected" || t.error))
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp))[0];
}

/** The last log lines of a failed task, to say why without another command. */
async function lastLogs(manager: SwarmManager, task: ObservedTask | undefined): Promise<string> {
  if (!task) return "";
  const r = await manager.run(["docker", "service", "logs", "--raw", "--tail", "10", task.id], {
    allowFailure: true,
  });
  const text = (r.stdout + r.stderr).trim();
  return text && r.exitCode === 0 ? `\nlast log lines of ${task.name}:\n${text}` : "";
}

async function createSecrets(
  manager: SwarmManager,
  env: SwarmEnvironment,
  service: string,
  mounts: { name: string; target: string }[],
  values: Record<string, string>,
  log: Logger,
): Promise<void> {
  if (mounts.length === 0) return;
  const existing = await ourSecrets(manager, service);
  for (const m of mounts) {
    if (existing.includes(m.name)) continue;
    const value = values[m.target]!;
    const r = await manager.run(
      [
        "docker",
        "secret",
        "create",
        "--label",
        `dev.powertrain.app=${env.app}`,
        "--label",
        `dev.powertrain.environment=${env.name}`,
        "--label",
        `${SECRET_SERVICE_LABEL}=${service}`,
        m.name,
        "-",
      ],
      { input: value, allowFailure: true, secrets: [value] },
    );
    if (r.exitCode !== 0)
      throw new SwarmError(`${service}: creating secret ${m.name} failed: ${(r.stderr || r.stdout).trim()}`);
    log.info(`${service}: created secret ${m.name} for ${m.target}`);
  }
}

async function ourSecrets(manager: SwarmManager, service: string): Promise<string[]> {
  const r = await manager.run([
    "docker",
    "secret",
    "ls",
    "--filter",
    `label=${SECRET_SERVICE_LABEL}=${service}`,
    "--format",
    "{{.Name}}",
  ]);
  return r.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Secrets neither the current nor the previous spec (rollback target) uses are removed. */
async function pruneSecrets(manager: SwarmManager, service: string, log: Logger): Promise<void> {
  const obs = await observeService(manager, service);
  const used = new Set([...(obs.service?.current.secrets ?? []), ...(obs.service?.previous?.secrets ?? [])]);
  const stale = (await ourSecrets(manager, service)).filter((s) => !used.has(s));
  if (stale.length === 0) return;
  await manager.run(["docker", "secret", "rm", ...stale], { allowFailure: true });
  log.debug(`${service}: removed unused secrets ${stale.join(", ")}`);
}

/** Removes the service and its secrets (for `powertrain stop`-like teardown and tests). */
export async function removeService(req: SwarmOperationRequest): Promise<void> {
  const env = req.environment;
  const name = serviceName(env.app, env.name);
  await withManager(managerChoice(req, swarmSettings(env).context), async (manager) => {
    await manager.run(["docker", "service", "rm", name], { allowFailure: true });
    const secrets = await ourSecrets(manager, name);
    // Tasks release their secrets a moment after the service is gone.
    for (let i = 0; i < 20 && secrets.length; i++) {
      const r = await manager.run(["docker", "secret", "rm", ...secrets], { allowFailure: true });
      if (r.exitCode === 0) break;
      await new Promise((res) => setTimeout(res, 500));
    }
  });
}
