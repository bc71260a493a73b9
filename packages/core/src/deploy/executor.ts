/**
 * The executor: one host's rolling deploy, following the planner's steps.
 * lock → observe → plan → remove leftovers → pull → start N → health gate →
 * stop old → prune → record. Any failure removes the new containers and
 * leaves the old ones serving; the lock is always released.
 */

import { UsageError } from "../errors";
import { shellCommand } from "../exec/quote";
import type { Logger } from "../log";
import { runScript } from "../remote";
import type { UpstreamServer } from "../router/types";
import type { RemoteHost } from "../ssh/session";
import { removeContainers } from "./containers";
import { envPayload } from "./env";
import { DeployError } from "./errors";
import { type HealthResult, healthArgs, healthOutcome } from "./health";
import { HostLock } from "./lock";
import { historyRecord, observeHost } from "./observe";
import { type DesiredState, describePlan, type HostPlan, isServing, planHost } from "./planner";
import { pull } from "./pull";
import { dockerRunArgs } from "./run-args";
import { deployInstances } from "./scale-state";
import { historyEntry, retire } from "./switch-over";
import {
  clearIdle,
  cutOver,
  drain,
  keepIdle,
  readCanary,
  sameUpstream,
  serverOf,
  serversOf,
  type TrafficPlan,
  withoutKept,
  writeCanary,
} from "./traffic";
import type { AppScope, ObservedContainer, RegistryAuth } from "./types";

export interface HostDeployOptions {
  healthTimeoutMs: number;
  lockTimeoutMs: number;
  /** A lock without heartbeat for this long belongs to a killed deploy (default 30 s). */
  lockStaleMs?: number;
  registryAuth?: RegistryAuth;
  /** Address published ports bind to (default all interfaces). */
  bindAddress?: string;
  /** Tell containers apart by the host name too (several SSH hosts sharing one Docker engine). */
  hostScope?: boolean;
  /** Plan only: observe the host, touch nothing. */
  dryRun?: boolean;
  /** Keep a load balancer in step, per strategy (traffic.ts); undefined = no load balancer. */
  traffic?: TrafficPlan;
  /** How long the pull may take (default 10 min). */
  pullTimeoutMs?: number;
  /** run.instances was set by the caller (--instances): a count left by `scale` does not apply. */
  explicitInstances?: boolean;
  /** The scope's lock, already held by the caller (a rollback's redeploy): used, then released here. */
  heldLock?: HostLock;
  logger: Logger;
}

export interface DeployedInstance {
  host: string;
  container: string;
  port?: number;
  version: string;
  digest: string;
  /** The pinned image it runs (registry/repository@sha256:…), when known. */
  image?: string;
  /** The commit its image was built from, when the container was observed and its image says. */
  commit?: string;
}

/** An observed container of ours as the deploy reports it. */
export function deployedInstance(host: string, c: ObservedContainer): DeployedInstance {
  const d: DeployedInstance = {
    host,
    container: c.name,
    port: c.ports[0]?.host,
    version: c.version,
    digest: c.digest,
  };
  if (c.image) d.image = c.image;
  if (c.revision) d.commit = c.revision;
  return d;
}

export interface HostDeployResult {
  host: string;
  plan: HostPlan;
  /** What serves on the host now (the new instances, or the unchanged ones). */
  deployed: DeployedInstance[];
  previousVersion?: string;
  /** Time the load balancer switch took (with a router). */
  switchMs?: number;
}

export async function deployHost(
  host: RemoteHost,
  desired: Omit<DesiredState, "host">,
  o: HostDeployOptions,
): Promise<HostDeployResult> {
  const t = o.traffic;
  const scope = hostScope(desired, host, o.hostScope);
  // A canary starts only its own few instances beside the old ones; else the count `scale` left, while it holds.
  const count = async () =>
    t?.strategy === "canary"
      ? t.canaryInstances
      : deployInstances(host, scope, desired.run.instances, {
          explicit: o.explicitInstances,
          dryRun: o.dryRun,
        });
  const stateOf = (instances: number): DesiredState => ({
    ...desired,
    run: { ...desired.run, instances },
    host: host.target.host,
  });
  if (o.dryRun) {
    const plan = planHost(stateOf(await count()), await observeHost(host, scope, desired.image));
    return { host: host.name, plan, deployed: [], previousVersion: plan.previousVersion };
  }

  const lock =
    o.heldLock ??
    (await HostLock.acquire(host, {
      scope,
      deployId: desired.deployId,
      timeoutMs: o.lockTimeoutMs,
      staleMs: o.lockStaleMs,
      observeImage: desired.image,
      logger: o.logger,
    }));
  const step: HostStep = {
    host,
    desired,
    state: stateOf(desired.run.instances),
    scope,
    lock,
    o,
    started: [],
  };
  try {
    step.state = stateOf(await count());
    const liveBefore = t ? await prepareTraffic(host, t, scope, desired.run) : undefined;
    const started = await startNewVersion(step, liveBefore);
    if ("unchanged" in started) return started.unchanged;
    // Lost meanwhile (another deploy took over, the connection broke): the old version keeps serving.
    lock.check();
    return await cutOverHost(step, started.plan, liveBefore);
  } catch (err) {
    if (step.started.length) {
      o.logger.info(`${host.name}: removing the new containers; the old version keeps serving`);
      await removeContainers(host, step.started).catch(() => {});
    }
    throw err;
  } finally {
    await lock.release().catch(() => {});
  }
}

/** One host's deploy in progress; `started` = new containers to remove if it fails now. */
interface HostStep {
  host: RemoteHost;
  desired: Omit<DesiredState, "host">;
  state: DesiredState;
  scope: AppScope;
  lock: HostLock;
  o: HostDeployOptions;
  started: string[];
}

/**
 * Plan, clear leftovers, pull, start the new instances and gate them on health. Another app may
 * take a port between our look and our start: then look again, a few times. Returns the plan that
 * worked, or the result of a host that already runs this version.
 */
async function startNewVersion(
  step: HostStep,
  liveBefore: UpstreamServer[] | undefined,
): Promise<{ plan: HostPlan } | { unchanged: HostDeployResult }> {
  const { host, desired, state, scope, lock, o } = step;
  const log = o.logger;
  const t0 = Date.now();
  for (let attempt = 1; ; attempt++) {
    // The lock's own look was for this image unless the caller took the lock for something else.
    const observed =
      attempt === 1 && lock.observed && !o.heldLock
        ? lock.observed
        : await observeHost(host, scope, desired.image);
    const plan = planHost(state, observed);
    for (const line of describePlan(plan)) log.debug(line);
    for (const w of plan.warnings) log.warn(`${host.name}: ${w}`);
    if (plan.upToDate) {
      log.info(`${host.name}: already runs ${desired.version}`);
      if (o.traffic) await routeServing(o.traffic, observed.containers, liveBefore, log);
      const deployed = observed.containers
        .filter((c) => c.state === "running")
        .map((c) => deployedInstance(host.name, c));
      return { unchanged: { host: host.name, plan, previousVersion: plan.previousVersion, deployed } };
    }
    await removeContainers(
      host,
      plan.removeFirst.map((c) => c.name),
    );
    if (plan.pull) await pull(host, desired.image, o, log);
    lock.check();
    step.started = plan.start.map((s) => s.name);
    const result = await startHealthy(host, plan, desired, o);
    if (result.health) {
      if (!result.health.ok) {
        throw new DeployError(
          `${host.name}: new instances of ${desired.version} are not healthy: ${result.health.reason}`,
        );
      }
      log.info(
        `${host.name}: started ${step.started.length} instance(s) of ${desired.version}, healthy (${plan.health}) after ${Date.now() - t0} ms`,
      );
      return { plan };
    }
    await removeContainers(host, step.started);
    step.started = [];
    if (!/port is already allocated|address already in use/i.test(result.message) || attempt >= 3) {
      throw new DeployError(`${host.name}: starting the new containers failed: ${result.message}`);
    }
    log.info(`${host.name}: a port was taken meanwhile; allocating again`);
  }
}

/**
 * The new instances are healthy: the load balancer takes them (as the strategy says), the old
 * ones drain and stop (blue-green keeps them idle; a canary leaves them serving), what is beyond
 * the kept versions goes, and the history records the deploy as the lock is released.
 */
async function cutOverHost(
  step: HostStep,
  plan: HostPlan,
  liveBefore: UpstreamServer[] | undefined,
): Promise<HostDeployResult> {
  const { host, desired, scope, lock, o } = step;
  const t = o.traffic;
  const log = o.logger;
  let stop = plan.stop;
  let idle: ObservedContainer[] = [];
  let switchMs: number | undefined;
  if (t) {
    const fresh = plan.start.flatMap((s, i) => {
      const port = s.hostPorts.find((p) => p !== undefined);
      return port === undefined
        ? []
        : [serverOf({ name: step.started[i]!, port, version: desired.version }, t.address)];
    });
    const cut = await cutOver(t, fresh, stop, liveBefore, log);
    ({ idle, switchMs } = cut);
    stop = cut.stop;
  }
  // From here on the new version serves: a failure below must not remove it.
  const newNames = step.started;
  step.started = [];
  const result = (stopped: ObservedContainer[], removed: ObservedContainer[]): HostDeployResult => ({
    host: host.name,
    plan: { ...plan, stop: stopped, removeAfter: removed },
    previousVersion: plan.previousVersion,
    deployed: deployedOf(host, plan, newNames, desired),
    switchMs,
  });
  if (t?.strategy === "canary") {
    await writeCanary(host, scope, {
      deployId: desired.deployId,
      version: desired.version,
      digest: desired.digest,
      image: desired.image,
      sharePercent: t.canarySharePercent,
      time: new Date().toISOString(),
    });
    return result([], []);
  }
  if (t) await clearIdle(host, scope);
  await drain(t, stop, log);
  const t2 = Date.now();
  await retire(host, undefined, stop, log);
  if (stop.length) log.info(`${host.name}: stopped ${stop.length} old instance(s) in ${Date.now() - t2} ms`);
  if (t && idle.length) {
    await keepIdle(host, scope, desired.deployId, idle, t.keepIdleMs);
    log.info(
      `${host.name}: ${idle.length} old instance(s) stay running, idle, for ${Math.round(t.keepIdleMs / 1000)} s`,
    );
  }
  const removeAfter = withoutKept(plan.removeAfter, idle);
  await removeContainers(
    host,
    removeAfter.map((c) => c.name),
  );
  await lock.release(historyRecord(scope, historyEntry(desired.deployId, desired)));
  return result(stop, removeAfter);
}

function deployedOf(
  host: RemoteHost,
  plan: HostPlan,
  names: string[],
  desired: Omit<DesiredState, "host">,
): DeployedInstance[] {
  return plan.start.map((s, i) => ({
    host: host.name,
    container: names[i]!,
    port: s.hostPorts.find((p) => p !== undefined),
    version: desired.version,
    digest: desired.digest,
    image: desired.image,
  }));
}

/** Before anything starts: the router works, the app publishes a port, no canary is half-way. */
async function prepareTraffic(
  host: RemoteHost,
  t: TrafficPlan,
  scope: AppScope,
  run: Omit<DesiredState, "host">["run"],
): Promise<UpstreamServer[] | undefined> {
  if (!run.ports.some((p) => p.host && p.protocol === "tcp")) {
    throw new UsageError("a load balancer needs a published tcp port: give run.ports a host port range");
  }
  const canary = await readCanary(host, scope);
  if (canary) {
    throw new DeployError(
      `${host.name}: a canary of ${canary.version} is running (${canary.sharePercent}% of the traffic)`,
      {
        hint: "run powertrain promote-canary or abort-canary first",
      },
    );
  }
  await t.router.check();
  return t.router.current();
}

/** An up-to-date host whose upstream does not list its instances (e.g. a router just configured): route them. */
async function routeServing(
  t: TrafficPlan,
  containers: ObservedContainer[],
  liveBefore: UpstreamServer[] | undefined,
  log: Logger,
): Promise<void> {
  const servers = serversOf(containers.filter(isServing), t.address);
  if (sameUpstream(liveBefore, servers)) return;
  await t.router.apply(servers);
  log.info(`${t.router.description}: now routes to the ${servers.length} running instance(s)`);
}

export interface StartOutcome {
  /** Set once every instance started: what the health gate found. */
  health?: HealthResult;
  /** Why the start failed (docker's message), when it did. */
  message: string;
}

/**
 * One `docker run -d` per instance, in parallel, then the health gate: one
 * round trip (start-health.sh). Env values travel on stdin.
 */
export async function startHealthy(
  host: RemoteHost,
  plan: HostPlan,
  desired: Omit<DesiredState, "host">,
  o: Pick<HostDeployOptions, "bindAddress" | "healthTimeoutMs">,
): Promise<StartOutcome> {
  const names = plan.start.map((s) => s.name);
  const commands = plan.start.map((s) =>
    shellCommand([
      "docker",
      ...dockerRunArgs(desired.run, s, { image: desired.image, bindAddress: o.bindAddress }),
    ]),
  );
  const r = await runScript(
    host,
    "start-health",
    [String(commands.length), ...commands, ...healthArgs(names, plan.health, desired.run, o.healthTimeoutMs)],
    {
      input: envPayload(desired.run.env),
      allowFailure: true,
      secrets: Object.values(desired.run.env).filter((v) => v.length >= 4),
      waitsMs: o.healthTimeoutMs,
    },
  );
  if (!r.stdout.split("\n").includes("@@started")) return { message: (r.stderr || r.stdout).trim() };
  return { health: await healthOutcome(host, r), message: "" };
}

export function hostScope(
  o: { app: string; environment: string },
  host: RemoteHost,
  byHost: boolean | undefined,
): AppScope {
  return { app: o.app, environment: o.environment, host: byHost ? host.target.host : undefined };
}
