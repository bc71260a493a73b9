/** Rollback, status, logs, stop and removal of a Swarm service: the SSH engine's day-two operations. */
import type { ContainerStatus } from "../deploy/operations";
import type { RollbackResult } from "../deploy/rollback";
import type { Logger } from "../log";
import type { SshSessionOptions } from "../ssh/session";
import type { SshTarget } from "../ssh/target";
import { converge } from "./converge";
import { SwarmError } from "./errors";
import { withManager } from "./manager";
import type { SwarmObservation } from "./observe";
import { ourSecrets } from "./secret-store";
import { instances, managerChoice, observeService, runningOf, versionLookup } from "./service";
import { type SwarmEnvironment, serviceName, swarmSettings } from "./spec";

export interface SwarmOperationRequest {
  environment: SwarmEnvironment;
  hosts?: SshTarget[];
  ssh: SshSessionOptions;
  logger: Logger;
  pollMs?: number;
}

/** RollbackResult of the SSH engine, with Swarm's own rollback as the method. */
export type SwarmRollbackResult = RollbackResult & { method: "swarm-rollback" };

/** `docker service rollback`, waited for: the service runs its previous spec again. */
export async function swarmRollback(
  req: SwarmOperationRequest & { to?: string; verifyTarget?: (image: string) => Promise<void> },
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
    await req.verifyTarget?.(previous.image);
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

/** Scale the service to 0: its spec stays, so the next deploy (or a rollback) brings it back. */
export async function swarmStop(req: SwarmOperationRequest): Promise<ContainerStatus[]> {
  const env = req.environment;
  const name = serviceName(env.app, env.name);
  return withManager(managerChoice(req, swarmSettings(env).context), async (manager) => {
    const obs = await observeService(manager, name);
    if (!obs.service) throw new SwarmError(`${name}: no such service on ${manager.name}; nothing to stop`);
    const running = swarmTaskStatus(obs).filter((t) => t.state === "running");
    // Not detached: docker waits until the tasks are gone.
    const r = await manager.run(["docker", "service", "scale", `${name}=0`], { allowFailure: true });
    if (r.exitCode !== 0)
      throw new SwarmError(`${name}: docker service scale failed: ${(r.stderr || r.stdout).trim()}`);
    req.logger.info(`${name}: scaled to 0 on ${manager.name} (${running.length} task(s) stopped)`);
    return running.map((t) => ({ ...t, state: "exited" }));
  });
}

/** `docker service logs` of the service, every line prefixed by the manager; --follow until aborted. */
export async function swarmLogs(
  req: SwarmOperationRequest & { tail: number; follow?: boolean; signal?: AbortSignal },
  write: (line: string) => void,
): Promise<void> {
  const env = req.environment;
  const name = serviceName(env.app, env.name);
  await withManager(managerChoice(req, swarmSettings(env).context), async (manager) => {
    const obs = await observeService(manager, name);
    if (!obs.service) throw new SwarmError(`${name}: no such service on ${manager.name}`);
    const args = ["docker", "service", "logs", "--tail", String(req.tail), "--timestamps"];
    if (req.follow) args.push("--follow");
    const onLine = (line: string) => req.signal?.aborted || write(`${manager.name} ${line}`);
    // Following runs until the signal; the last lines come at once.
    const r = await manager.run([...args, name], {
      allowFailure: true,
      onLine,
      ...(req.follow ? { timeoutMs: 0 } : {}),
    });
    if (r.exitCode !== 0 && !req.signal?.aborted)
      throw new SwarmError(`${name}: docker service logs exited with code ${r.exitCode}`);
  });
}
