/**
 * The end of every change of version on a host: the load balancer (if any) switches to what
 * should serve, what leaves drains and stops (or is removed), and the host's history records the
 * version that serves now. Deploy, rollback and both ends of a canary all finish through here.
 */
import type { Logger } from "../log";
import type { RemoteHost } from "../ssh/session";
import { removeContainers } from "./containers";
import { recordHistory } from "./observe";
import { drain, serversOf, type TrafficPlan } from "./traffic";
import type { AppScope, HistoryEntry, ObservedContainer } from "./types";

export interface SwitchOver {
  /** The load balancer to switch; none = no switch, no drain. */
  traffic?: TrafficPlan;
  /** What serves from now on (the upstream's new set). */
  serving: ObservedContainer[];
  /** What leaves: drained, then stopped (kept for rollback) or removed. */
  leaving: ObservedContainer[];
  remove?: boolean;
  /** Runs right after the switch, before the drain (e.g. forget the canary record). */
  afterSwitch?: () => Promise<void>;
  /** The history line of the version that serves now. */
  record?: { scope: AppScope; entry: HistoryEntry };
  logger: Logger;
}

/** Returns the time the switch took (with a load balancer). */
export async function switchOver(host: RemoteHost, o: SwitchOver): Promise<number | undefined> {
  let switchMs: number | undefined;
  if (o.traffic) {
    const t0 = Date.now();
    await o.traffic.router.apply(serversOf(o.serving, o.traffic.address));
    switchMs = Date.now() - t0;
  }
  await o.afterSwitch?.();
  await retire(host, o.traffic, o.leaving, o.logger, o.remove);
  if (o.record) await recordHistory(host, o.record.scope, o.record.entry);
  return switchMs;
}

/** Drain what leaves the load balancer, then stop it (kept for a rollback) or remove it. */
export async function retire(
  host: RemoteHost,
  traffic: TrafficPlan | undefined,
  leaving: ObservedContainer[],
  log: Logger,
  remove = false,
): Promise<void> {
  if (leaving.length === 0) return;
  await drain(traffic, leaving, log);
  const names = leaving.map((c) => c.name);
  if (remove) await removeContainers(host, names);
  else await host.run(["docker", "stop", ...names], { allowFailure: true });
}

/** The history line of a version that now serves. */
export function historyEntry(
  deployId: string,
  v: { version: string; digest: string; image: string },
  time = new Date(),
): HistoryEntry {
  return { deployId, version: v.version, digest: v.digest, image: v.image, time: time.toISOString() };
}
