/**
 * Rollback: back to the previous version (or --to), the fastest way the host allows — blue-green's
 * idle set switched back to, kept containers started again, else the previous digest deployed anew.
 */
import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { runFor } from "./env";
import { DeployError } from "./errors";
import { type DeployedInstance, deployedInstance, deployHost } from "./executor";
import { waitHealthy } from "./health";
import { newDeployId } from "./labels";
import { observeHost } from "./observe";
import { eachHost, lockApp, type OperationRequest } from "./operations";
import { healthMode, isServing } from "./planner";
import { authForImage } from "./registry-auth";
import { historyEntry, switchOver } from "./switch-over";
import { clearIdle, readCanary, routedContainers, type TrafficPlan, trafficFor } from "./traffic";
import type { AppScope, ObservedContainer, RegistryAuth } from "./types";

export interface RollbackRequest extends OperationRequest {
  /** Version to go back to (default: the one before the current). */
  to?: string;
  registryAuth?: RegistryAuth;
  bindAddress?: string;
  lockStaleMs?: number;
  /** The deploy gate: called with the pinned image gone back to, before anything changes; a throw stops it. */
  verifyTarget?: (image: string) => Promise<void>;
}

export interface RollbackResult {
  host: string;
  /**
   * switch = the idle previous set (blue-green) took the upstream back in one reload;
   * restart = kept containers started again; redeploy = previous digest deployed anew;
   * swarm-rollback = Swarm ran its previous spec again (the Swarm engine).
   */
  method: "switch" | "restart" | "redeploy" | "swarm-rollback";
  /** Time the load balancer switch took (with a router). */
  switchMs?: number;
  from?: string;
  to: string;
  instances: DeployedInstance[];
}

export async function rollback(req: RollbackRequest): Promise<RollbackResult[]> {
  const env = req.environment;
  const deployId = newDeployId();
  const verify = oncePerImage(req.verifyTarget);
  return eachHost(req, async (host) => {
    const { scope, lock } = await lockApp(host, req, deployId);
    let redeployImage: { image: string; version: string; digest: string; from?: string } | undefined;
    const traffic = trafficFor(host, env.deploy, { app: env.app, environment: env.name }, "rolling");
    try {
      const observed = lock.observed ?? (await observeHost(host, scope, "none"));
      if (traffic) {
        const switched = await switchBack(host, req, scope, traffic, observed.containers, deployId, verify);
        if (switched) return switched;
      }
      const serving = observed.containers.filter(isServing);
      const current = serving.sort((a, b) => b.created.localeCompare(a.created))[0];
      const kept = observed.containers
        .filter((c) => !isServing(c) && c.digest && c.digest !== current?.digest)
        .filter((c) => (req.to ? c.version === req.to : true))
        .sort((a, b) => b.created.localeCompare(a.created));
      const target = kept[0];
      if (target) {
        const group = kept.filter((c) => c.digest === target.digest && c.state !== "created");
        await verify(target.image);
        return await restartKept(host, req, scope, group, serving, deployId, traffic);
      }
      const entry = previousEntry(observed.history, current?.digest, req.to);
      if (!entry) {
        throw new DeployError(
          `${host.name}: nothing to roll back to${req.to ? ` (no kept containers or history of ${req.to})` : " (no kept containers and no earlier deploy recorded)"}`,
        );
      }
      redeployImage = {
        image: entry.image,
        version: entry.version,
        digest: entry.digest,
        from: current?.version,
      };
      await verify(redeployImage.image);
      req.logger.info(`${host.name}: no kept containers of ${redeployImage.version}; deploying it again`);
      // Under the same lock: no other deploy can slip in between the look and the redeploy.
      const result = await deployHost(
        host,
        {
          app: env.app,
          environment: env.name,
          version: redeployImage.version,
          digest: redeployImage.digest,
          image: redeployImage.image,
          deployId,
          run: runFor(env.run, redeployImage.version, req),
          keep: env.deploy.keep,
        },
        {
          healthTimeoutMs: env.deploy.healthTimeoutMs,
          lockTimeoutMs: env.deploy.lockTimeoutMs,
          lockStaleMs: req.lockStaleMs,
          // Credentials go only to the registry they are for, whatever registry the earlier image names.
          registryAuth: authForImage(req.registryAuth, redeployImage.image),
          bindAddress: req.bindAddress,
          hostScope: req.hostScope,
          traffic,
          heldLock: lock,
          logger: req.logger,
        },
      );
      return {
        host: host.name,
        method: "redeploy",
        from: redeployImage.from,
        to: redeployImage.version,
        instances: result.deployed,
      };
    } finally {
      await lock.release();
    }
  });
}

async function restartKept(
  host: RemoteHost,
  req: RollbackRequest,
  scope: AppScope,
  group: ObservedContainer[],
  serving: ObservedContainer[],
  deployId: string,
  traffic?: TrafficPlan,
): Promise<RollbackResult> {
  const env = req.environment;
  const t0 = Date.now();
  const names = group.map((c) => c.name);
  const to = group[0]!.version;
  // docker start takes containers one after the other; start them side by side.
  await runScript(host, "start-kept", names, {});
  // Only without a configured check does the image's HEALTHCHECK matter (one more look).
  const imageHasHealthcheck =
    !env.run.health && (await observeHost(host, scope, group[0]!.image || "none")).imageHasHealthcheck;
  const mode = healthMode(env.run, imageHasHealthcheck);
  const health = await waitHealthy(host, names, mode, env.run, env.deploy.healthTimeoutMs);
  if (!health.ok) {
    await host.run(["docker", "stop", ...names], { allowFailure: true });
    throw new DeployError(
      `${host.name}: rollback to ${to} failed, the current version keeps serving: ${health.reason}`,
    );
  }
  const switchMs = await switchOver(host, {
    traffic,
    serving: group,
    leaving: serving,
    record: { scope, entry: historyEntry(deployId, group[0]!) },
    logger: req.logger,
  });
  req.logger.info(`${host.name}: rolled back to ${to} in ${Date.now() - t0} ms (kept containers restarted)`);
  return {
    host: host.name,
    method: "restart",
    ...(switchMs === undefined ? {} : { switchMs }),
    from: serving[0]?.version,
    to,
    instances: group.map((c) => deployedInstance(host.name, c)),
  };
}

/**
 * Blue-green's instant rollback: the previous set still runs, idle, beside the
 * live one — one upstream switch makes it live again; the other set then
 * drains and stops. Undefined when no such set runs.
 */
async function switchBack(
  host: RemoteHost,
  req: RollbackRequest,
  scope: AppScope,
  t: TrafficPlan,
  containers: ObservedContainer[],
  deployId: string,
  verify: (image: string) => Promise<void>,
): Promise<RollbackResult | undefined> {
  const canary = await readCanary(host, scope);
  if (canary) {
    throw new DeployError(`${host.name}: a canary of ${canary.version} is running; it is not rolled back`, {
      hint: "run powertrain abort-canary to remove it",
    });
  }
  const serving = containers.filter(isServing);
  const live = routedContainers(serving, await t.router.current());
  const liveDigests = new Set(live.map((c) => c.digest));
  const idle = serving
    .filter((c) => !live.includes(c) && !liveDigests.has(c.digest) && c.digest)
    .filter((c) => (req.to ? c.version === req.to : true))
    .sort((a, b) => b.created.localeCompare(a.created));
  if (idle.length === 0 || live.length === 0) return undefined;
  const group = idle.filter((c) => c.digest === idle[0]!.digest);
  const env = req.environment;
  // A configured check runs once more (fast: they run already); without one, running is all we know.
  const mode = healthMode(env.run, false);
  if (mode !== "running") {
    const health = await waitHealthy(
      host,
      group.map((c) => c.name),
      mode,
      env.run,
      env.deploy.healthTimeoutMs,
    );
    if (!health.ok) return undefined;
  }
  await verify(group[0]!.image);
  // The idle record goes first: its timer must not stop the set this switch makes live.
  await clearIdle(host, scope);
  const switchMs = (await switchOver(host, {
    traffic: t,
    serving: group,
    leaving: live,
    record: { scope, entry: historyEntry(deployId, group[0]!) },
    logger: req.logger,
  }))!;
  req.logger.info(`${host.name}: switched back to ${group[0]!.version} in ${switchMs} ms`);
  return {
    host: host.name,
    method: "switch",
    switchMs,
    from: live[0]?.version,
    to: group[0]!.version,
    instances: group.map((c) => deployedInstance(host.name, c)),
  };
}

/** The history entry to go back to: `to` if given, else the newest one of another digest than the current. */
function previousEntry(
  history: { version: string; digest: string; image: string; deployId: string; time: string }[],
  currentDigest: string | undefined,
  to?: string,
) {
  const newest = [...history].reverse();
  if (to) return newest.find((e) => e.version === to);
  return newest.find((e) => e.digest !== currentDigest);
}

/** The gate once per image, however many hosts go back to it; none = nothing to check. */
function oncePerImage(check?: (image: string) => Promise<void>): (image: string) => Promise<void> {
  const checked = new Map<string, Promise<void>>();
  return (image) => {
    if (!check) return Promise.resolve();
    const done = checked.get(image) ?? check(image);
    checked.set(image, done);
    return done;
  };
}
