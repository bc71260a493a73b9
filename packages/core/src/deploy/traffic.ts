/**
 * The load balancer kept in step with a host's deploy. New instances join the
 * upstream only once healthy; old ones leave it before they are stopped and
 * get a drain period. Strategies:
 *   rolling     join the new instances beside the old, then drop the old (two reloads)
 *   blue-green  switch the whole upstream to the new set in one reload; the old set
 *               keeps running idle for keep-idle, so a rollback is one switch back
 *   canary      the new instances get a share of the traffic by weight, beside the old;
 *               promote-canary or abort-canary ends it
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { runScript } from "../remote";
import { createRouter } from "../router";
import type { Router, UpstreamServer } from "../router/types";
import { splitWeights } from "../router/weights";
import type { RemoteHost } from "../ssh/session";
import { DeployError } from "./errors";
import { type AppScope, type ObservedContainer, type RolloutSettings, scopeKey } from "./types";

export type Strategy = "rolling" | "blue-green" | "canary";

export const STRATEGIES: readonly Strategy[] = ["rolling", "blue-green", "canary"];

export const TRAFFIC_DEFAULTS = {
  drainMs: 2_000,
  canaryInstances: 1,
  canarySharePercent: 10,
  keepIdleMs: 10 * 60_000,
} as const;

/** Everything a host's deploy needs to drive its load balancer. */
export interface TrafficPlan {
  strategy: Strategy;
  router: Router;
  /** Address the load balancer reaches instances at. */
  address: string;
  drainMs: number;
  canaryInstances: number;
  canarySharePercent: number;
  keepIdleMs: number;
}

/** A strategy name from a flag or input; UsageError for anything else. */
export function parseStrategy(value: string): Strategy {
  if ((STRATEGIES as readonly string[]).includes(value)) return value as Strategy;
  throw new UsageError(`unknown strategy "${value}": expected one of ${STRATEGIES.join(", ")}`);
}

/** The traffic plan of one host, or undefined for a rolling deploy without a load balancer. */
export function trafficFor(
  host: RemoteHost,
  settings: RolloutSettings,
  scope: { app: string; environment: string },
  strategy: Strategy,
): TrafficPlan | undefined {
  if (!settings.router) {
    if (strategy === "rolling") return undefined;
    throw new UsageError(`strategy ${strategy} needs a load balancer to switch: configure deploy.router`, {
      hint: "see docs/traffic.md",
    });
  }
  return {
    strategy,
    router: createRouter(host, settings.router, scope),
    address: settings.router.address ?? "127.0.0.1",
    drainMs: settings.drainMs ?? TRAFFIC_DEFAULTS.drainMs,
    canaryInstances: settings.canary?.instances ?? TRAFFIC_DEFAULTS.canaryInstances,
    canarySharePercent: settings.canary?.sharePercent ?? TRAFFIC_DEFAULTS.canarySharePercent,
    keepIdleMs: settings.blueGreen?.keepIdleMs ?? TRAFFIC_DEFAULTS.keepIdleMs,
  };
}

/** The published port the load balancer uses: the first mapping with a host port. */
export function routedPort(c: ObservedContainer): number | undefined {
  return c.ports.find((p) => p.protocol === "tcp")?.host;
}

export function serverOf(
  c: { name: string; port: number; version: string },
  address: string,
  weight = 1,
): UpstreamServer {
  return { address, port: c.port, weight, version: c.version, container: c.name };
}

/** Servers of `containers` that have a routable port, weight 1 each. */
export function serversOf(containers: ObservedContainer[], address: string): UpstreamServer[] {
  return containers.flatMap((c) => {
    const port = routedPort(c);
    return port === undefined ? [] : [serverOf({ name: c.name, port, version: c.version }, address)];
  });
}

/** The containers among `containers` that the upstream set routes to (matched by published port). */
export function routedContainers(
  containers: ObservedContainer[],
  upstream: UpstreamServer[] | undefined,
): ObservedContainer[] {
  const ports = new Set((upstream ?? []).map((s) => s.port));
  return containers.filter((c) => {
    const port = routedPort(c);
    return port !== undefined && ports.has(port);
  });
}

/** Same servers (address, port, weight), in any order. */
export function sameUpstream(a: UpstreamServer[] | undefined, b: UpstreamServer[]): boolean {
  const key = (s: UpstreamServer) => `${s.address}:${s.port}:${s.weight}`;
  return !!a && a.length === b.length && a.map(key).sort().join() === b.map(key).sort().join();
}

export interface CutoverResult {
  /** Old containers to stop, after the drain. */
  stop: ObservedContainer[];
  /** Old containers left running, out of the upstream (blue-green's idle set). */
  idle: ObservedContainer[];
  /** Time the switching reload took. */
  switchMs: number;
}

/**
 * Put the new, healthy instances (`fresh`) into the upstream as the strategy
 * says. `serving` = the old containers still running, `liveBefore` = the
 * upstream before the deploy. On failure the upstream is back to `liveBefore`.
 */
export async function cutOver(
  t: TrafficPlan,
  fresh: UpstreamServer[],
  serving: ObservedContainer[],
  liveBefore: UpstreamServer[] | undefined,
  log: Logger,
): Promise<CutoverResult> {
  const liveOld = routedContainers(serving, liveBefore);
  const oldServers = serversOf(liveOld, t.address);
  const timed = async (servers: UpstreamServer[]) => {
    const t0 = Date.now();
    await t.router.apply(servers);
    return Date.now() - t0;
  };
  switch (t.strategy) {
    case "rolling": {
      if (oldServers.length === 0) return { stop: serving, idle: [], switchMs: await timed(fresh) };
      await t.router.apply([...oldServers, ...fresh]);
      log.info(
        `${t.router.description}: ${fresh.length} new instance(s) joined beside ${oldServers.length} old`,
      );
      try {
        return { stop: serving, idle: [], switchMs: await timed(fresh) };
      } catch (err) {
        await t.router.apply(liveBefore ?? oldServers).catch(() => undefined);
        throw err;
      }
    }
    case "blue-green": {
      const switchMs = await timed(fresh);
      log.info(`${t.router.description}: switched to the new set in ${switchMs} ms`);
      const idle = t.keepIdleMs > 0 ? liveOld : [];
      return { stop: serving.filter((c) => !idle.includes(c)), idle, switchMs };
    }
    case "canary": {
      if (oldServers.length === 0) {
        throw new DeployError("a canary needs an old version in the load balancer, and none is routed");
      }
      const weighted = splitWeights([
        { members: oldServers, percent: 100 - t.canarySharePercent },
        { members: fresh, percent: t.canarySharePercent },
      ]).map(({ member, weight }) => ({ ...member, weight }));
      const switchMs = await timed(weighted);
      log.info(`${t.router.description}: canary gets ${t.canarySharePercent}% of the traffic`);
      return { stop: [], idle: [], switchMs };
    }
  }
}

/** Old containers whose port is routed get a drain period before they stop. */
export async function drain(
  t: TrafficPlan | undefined,
  leaving: ObservedContainer[],
  log: Logger,
): Promise<void> {
  if (!t || t.drainMs <= 0 || leaving.length === 0) return;
  log.info(`draining ${leaving.length} instance(s) for ${t.drainMs} ms`);
  await new Promise((r) => setTimeout(r, t.drainMs));
}

// --- state on the host: the running canary, blue-green's idle set ------------------------------

export interface CanaryState {
  deployId: string;
  version: string;
  digest: string;
  image: string;
  sharePercent: number;
  time: string;
}

const canaryFile = (scope: AppScope) => `${scopeKey(scope)}.canary`;
const idleFile = (scope: AppScope) => `${scopeKey(scope)}.idle`;

export async function readCanary(host: RemoteHost, scope: AppScope): Promise<CanaryState | undefined> {
  const r = await runScript(host, "state", ["read", canaryFile(scope)]);
  if (!r.stdout.trim()) return undefined;
  try {
    return JSON.parse(r.stdout) as CanaryState;
  } catch {
    return undefined;
  }
}

export async function writeCanary(host: RemoteHost, scope: AppScope, state: CanaryState): Promise<void> {
  await runScript(host, "state", ["write", canaryFile(scope)], { input: JSON.stringify(state) });
}

export async function clearCanary(host: RemoteHost, scope: AppScope): Promise<void> {
  await runScript(host, "state", ["remove", canaryFile(scope)]);
}

/** Keep `idle` running for `ms`, then stop it (unless clearIdle or another keepIdle comes first). */
export async function keepIdle(
  host: RemoteHost,
  scope: AppScope,
  deployId: string,
  idle: ObservedContainer[],
  ms: number,
): Promise<void> {
  const names = idle.map((c) => c.name);
  await runScript(host, "idle-timer", [idleFile(scope), deployId, String(Math.ceil(ms / 1000)), ...names]);
}

export async function clearIdle(host: RemoteHost, scope: AppScope): Promise<void> {
  await runScript(host, "state", ["remove", idleFile(scope)]);
}

/** `list` without blue-green's idle set. */
export function withoutKept(list: ObservedContainer[], idle: ObservedContainer[]): ObservedContainer[] {
  return list.filter((c) => !idle.some((i) => i.name === c.name));
}
