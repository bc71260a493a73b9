/**
 * The planner: desired state + what a host runs → the steps of a rolling
 * deploy on that host. Pure, so every decision is table-tested.
 */

import { containerName } from "./labels";
import { allocatePorts } from "./ports";
import { type InstanceSpec, instanceLabels } from "./run-args";
import type { DeployRunConfig, ObservedContainer, ObservedHost } from "./types";

export interface DesiredState {
  app: string;
  environment: string;
  version: string;
  digest: string;
  /** The reference pulled and run (registry/repo@sha256:…). */
  image: string;
  deployId: string;
  run: DeployRunConfig;
  /** Previous versions kept stopped for rollback. */
  keep: number;
  /** Name of the host as written in discovery labels. */
  host: string;
}

export type HealthMode = "http" | "tcp" | "command" | "image" | "running";

export interface HostPlan {
  host: string;
  /** The host already runs exactly this: nothing to do. */
  upToDate: boolean;
  /** Exited leftovers removed before anything starts (beyond the kept versions, or failed/half-made). */
  removeFirst: ObservedContainer[];
  pull: boolean;
  start: InstanceSpec[];
  health: HealthMode;
  /** Serving containers stopped once every new one is healthy. */
  stop: ObservedContainer[];
  /** Stopped containers removed at the end (older than the kept versions). */
  removeAfter: ObservedContainer[];
  /** The version running before, if any. */
  previousVersion?: string;
  warnings: string[];
}

const SERVING = new Set(["running", "restarting", "paused"]);

export function isServing(c: ObservedContainer): boolean {
  return SERVING.has(c.state);
}

/** Plan one host. Throws PortRangeError when the range cannot hold the new instances. */
export function planHost(desired: DesiredState, observed: ObservedHost): HostPlan {
  const serving = observed.containers.filter(isServing);
  const stopped = observed.containers.filter((c) => !isServing(c));
  // Containers of a deploy that never finished (killed mid-way) are replaced, never kept for rollback.
  const finished = new Set(observed.history.map((h) => h.deployId));
  const unfinished = (c: ObservedContainer) => finished.size > 0 && !finished.has(c.deployId);
  const warnings: string[] = [];
  const previousVersion =
    newestFirst(serving).find((c) => c.digest !== desired.digest && !unfinished(c))?.version ??
    newestFirst(serving)[0]?.version;

  const upToDate =
    serving.length === desired.run.instances &&
    serving.every((c) => c.digest === desired.digest && (c.health === undefined || c.health === "healthy"));
  const health = healthMode(desired.run, observed.imageHasHealthcheck);
  if (upToDate) {
    return {
      host: desired.host,
      upToDate,
      removeFirst: [],
      pull: false,
      start: [],
      health,
      stop: [],
      removeAfter: [],
      previousVersion: serving[0]?.version,
      warnings,
    };
  }

  // Rollback candidates: never the version being deployed (a stopped one is a failed attempt), never unfinished.
  const candidate = (c: ObservedContainer) =>
    c.digest !== desired.digest && !unfinished(c) && c.state !== "created";
  // Kept while the deploy runs (so a failed deploy loses nothing), then after it (what serves now goes first).
  const keepBefore = newestDigests(stopped.filter(candidate), desired.keep);
  const keepAfter = newestDigests([...serving, ...stopped].filter(candidate), desired.keep);
  let removeFirst = stopped.filter((c) => !(candidate(c) && keepBefore.has(c.digest)));
  let kept = stopped.filter((c) => !removeFirst.includes(c));

  let start: InstanceSpec[];
  try {
    start = instances(desired, withoutPortsOf(observed.usedPorts, removeFirst));
  } catch (err) {
    if (kept.length === 0) throw err;
    // The range cannot also hold the kept versions: give up instant rollback rather than the deploy.
    start = instances(desired, withoutPortsOf(observed.usedPorts, stopped));
    warnings.push(
      `not enough free ports to keep previous versions stopped; removing ${kept.length} kept container(s)`,
    );
    removeFirst = stopped;
    kept = [];
  }

  const removeAfter = [...serving, ...kept].filter((c) => !(candidate(c) && keepAfter.has(c.digest)));
  return {
    host: desired.host,
    upToDate: false,
    removeFirst,
    pull: !observed.imagePresent,
    start,
    health,
    stop: serving,
    removeAfter,
    previousVersion,
    warnings,
  };
}

/** Configured check first; else the image's HEALTHCHECK; else "still running after the start period". */
export function healthMode(run: DeployRunConfig, imageHasHealthcheck: boolean): HealthMode {
  const h = run.health;
  if (h?.http) return "http";
  if (h?.tcp) return "tcp";
  if (h?.command && h.command.length > 0) return "command";
  if (imageHasHealthcheck) return "image";
  return "running";
}

function instances(desired: DesiredState, used: ObservedHost["usedPorts"]): InstanceSpec[] {
  const { run } = desired;
  const hostPortsPerMapping = run.ports.map((p) => {
    if (!p.host) return undefined;
    const taken = p.protocol === "udp" ? used.udp : used.tcp;
    return allocatePorts(p.host, run.instances, taken, desired.host);
  });
  const out: InstanceSpec[] = [];
  for (let i = 0; i < run.instances; i++) {
    const hostPorts = hostPortsPerMapping.map((ports) => ports?.[i]);
    const discoveryPort = hostPorts.find((p) => p !== undefined);
    out.push({
      name: containerName(desired.app, desired.environment, desired.digest, i + 1),
      hostPorts,
      labels: instanceLabels({ ...desired, port: discoveryPort }),
    });
  }
  return out;
}

/** Ports free once `removed` are gone (removed before the new instances start). */
function withoutPortsOf(
  used: ObservedHost["usedPorts"],
  removed: ObservedContainer[],
): ObservedHost["usedPorts"] {
  const out = { tcp: new Set(used.tcp), udp: new Set(used.udp) };
  for (const c of removed) for (const p of c.ports) out[p.protocol === "udp" ? "udp" : "tcp"].delete(p.host);
  return out;
}

/** The digests of the `count` newest versions among `list`. */
function newestDigests(list: ObservedContainer[], count: number): Set<string> {
  const digests: string[] = [];
  for (const c of newestFirst(list)) if (!digests.includes(c.digest)) digests.push(c.digest);
  return new Set(digests.slice(0, count));
}

function newestFirst(list: ObservedContainer[]): ObservedContainer[] {
  return [...list].sort((a, b) => b.created.localeCompare(a.created));
}

/** The plan as lines a person reads (dry runs, logs). */
export function describePlan(plan: HostPlan): string[] {
  if (plan.upToDate) return [`${plan.host}: already runs this version, nothing to do`];
  const names = (list: ObservedContainer[]) => list.map((c) => `${c.name} (${c.version})`).join(", ");
  const lines: string[] = [];
  if (plan.removeFirst.length) lines.push(`remove exited: ${names(plan.removeFirst)}`);
  if (plan.pull) lines.push("pull the image");
  for (const s of plan.start) {
    const ports = s.hostPorts.filter((p) => p !== undefined);
    lines.push(`start ${s.name}${ports.length ? ` on port ${ports.join(", ")}` : ""}`);
  }
  lines.push(`wait until healthy (${plan.health})`);
  if (plan.stop.length) lines.push(`stop: ${names(plan.stop)}`);
  if (plan.removeAfter.length) lines.push(`remove: ${names(plan.removeAfter)}`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.map((l) => `${plan.host}: ${l}`);
}
