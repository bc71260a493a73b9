/**
 * Ending a canary: promote-canary gives the canary's version all the traffic
 * (starting the instances it still lacks, health-gated) and retires the old
 * set; abort-canary takes the canary out of the upstream and removes it.
 */
import { UsageError } from "../errors";
import type { RemoteHost } from "../ssh/session";
import { removeContainers } from "./containers";
import { runFor } from "./env";
import { DeployError } from "./errors";
import { startHealthy } from "./executor";
import { forEachHost } from "./hosts";
import { newDeployId } from "./labels";
import { observeHost } from "./observe";
import { lockApp, type OperationRequest } from "./operations";
import { isServing, planHost } from "./planner";
import { historyEntry, switchOver } from "./switch-over";
import { type CanaryState, clearCanary, readCanary, type TrafficPlan, trafficFor } from "./traffic";
import type { AppScope, ObservedContainer } from "./types";

export interface CanaryRequest extends OperationRequest {
  bindAddress?: string;
  lockStaleMs?: number;
}

export interface CanaryResult {
  host: string;
  /** The canary's version. */
  version: string;
  /** The version that served beside it. */
  previousVersion?: string;
  /** Containers that serve now. */
  serving: string[];
  /** Time the load balancer switch took. */
  switchMs: number;
}

/** The canary's version takes 100% on every host; the old set drains and stops (kept for rollback). */
export function promoteCanary(req: CanaryRequest): Promise<CanaryResult[]> {
  return eachCanaryHost(req, async (host, scope, t, canary, serving) => {
    const env = req.environment;
    const ours = serving.filter((c) => c.digest === canary.digest);
    const old = serving.filter((c) => c.digest !== canary.digest);
    const more = await startMore(host, req, scope, canary, env.run.instances - ours.length);
    const all = [...ours, ...more];
    const switchMs = (await switchOver(host, {
      traffic: t,
      serving: all,
      leaving: old,
      afterSwitch: async () => {
        await clearCanary(host, scope);
        req.logger.info(`${host.name}: ${canary.version} takes all the traffic (${all.length} instance(s))`);
      },
      record: { scope, entry: historyEntry(canary.deployId, canary) },
      logger: req.logger,
    }))!;
    return {
      host: host.name,
      version: canary.version,
      previousVersion: old[0]?.version,
      serving: all.map((c) => c.name),
      switchMs,
    };
  });
}

/** The canary leaves the upstream on every host, drains and is removed; the old set takes 100% again. */
export function abortCanary(req: CanaryRequest): Promise<CanaryResult[]> {
  return eachCanaryHost(req, async (host, scope, t, canary, serving) => {
    const ours = serving.filter((c) => c.digest === canary.digest);
    const old = serving.filter((c) => c.digest !== canary.digest);
    if (old.length === 0)
      throw new DeployError(`${host.name}: nothing but the canary runs; abort would leave no instance`);
    const switchMs = (await switchOver(host, {
      traffic: t,
      serving: old,
      leaving: ours,
      remove: true,
      afterSwitch: async () => {
        await clearCanary(host, scope);
        req.logger.info(`${host.name}: canary ${canary.version} removed from the load balancer`);
      },
      logger: req.logger,
    }))!;
    return {
      host: host.name,
      version: canary.version,
      previousVersion: old[0]?.version,
      serving: old.map((c) => c.name),
      switchMs,
    };
  });
}

type CanaryStep = (
  host: RemoteHost,
  scope: AppScope,
  t: TrafficPlan,
  canary: CanaryState,
  serving: ObservedContainer[],
) => Promise<CanaryResult>;

/** Host by host, under the deploy lock: the step runs where a canary is recorded. */
async function eachCanaryHost(req: CanaryRequest, step: CanaryStep): Promise<CanaryResult[]> {
  const env = req.environment;
  if (!env.deploy.router)
    throw new UsageError(`environment "${env.name}" has no deploy.router: there is no canary to end`);
  const deployId = newDeployId();
  return forEachHost(req, req.hosts ?? env.hosts, async (host) => {
    const { scope, lock } = await lockApp(host, req, deployId);
    try {
      const canary = await readCanary(host, scope);
      if (!canary) {
        throw new DeployError(`${host.name}: no canary of ${env.app} runs in ${env.name}`, {
          hint: "start one with powertrain deploy --strategy canary",
        });
      }
      const t = trafficFor(host, env.deploy, { app: env.app, environment: env.name }, "canary")!;
      const serving = (lock.observed ?? (await observeHost(host, scope, "none"))).containers.filter(
        isServing,
      );
      return await step(host, scope, t, canary, serving);
    } finally {
      await lock.release();
    }
  });
}

/** Start `count` more instances of the canary's version and gate them on health. */
async function startMore(
  host: RemoteHost,
  req: CanaryRequest,
  scope: AppScope,
  canary: CanaryState,
  count: number,
): Promise<ObservedContainer[]> {
  if (count <= 0) return [];
  const env = req.environment;
  const observed = await observeHost(host, scope, canary.image);
  const desired = {
    app: env.app,
    environment: env.name,
    version: canary.version,
    digest: canary.digest,
    image: canary.image,
    deployId: canary.deployId,
    run: { ...runFor(env.run, canary.version, req), instances: count },
    keep: env.deploy.keep,
    host: host.target.host,
  };
  const plan = planHost(desired, { ...observed, containers: [] });
  const names = plan.start.map((s) => s.name);
  const { health, message } = await startHealthy(host, plan, desired, {
    bindAddress: req.bindAddress,
    healthTimeoutMs: env.deploy.healthTimeoutMs,
  });
  try {
    if (!health)
      throw new DeployError(`${host.name}: starting more instances of ${canary.version} failed: ${message}`);
    if (!health.ok)
      throw new DeployError(
        `${host.name}: new instances of ${canary.version} are not healthy: ${health.reason}`,
      );
  } catch (err) {
    await removeContainers(host, names).catch(() => undefined);
    throw err;
  }
  return (await observeHost(host, scope, "none")).containers.filter((c) => names.includes(c.name));
}
