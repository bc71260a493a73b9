/**
 * Per-version request numbers out of what the routers report per backend address: requests,
 * error rate, p50/p95/p99 latency, and the same per time slot for a chart. Pure.
 */
import { addTo, type Histogram, percentile } from "./histogram";

/** A backend's attempts in one time slot and latency bucket, as a router on one host reports them. */
export interface MetricRow {
  /** The backend as the load balancer names it: "127.0.0.1:18001". */
  address: string;
  /** Start of the time slot, unix seconds. */
  slot: number;
  /** Latency bucket (histogram.ts). */
  bucket: number;
  requests: number;
  /** Attempts answered 5xx or not at all (connection failures). */
  errors: number;
}

/** A row attributed to the version that served it. */
export interface VersionRow extends MetricRow {
  version: string;
}

export interface SlotStats {
  /** Start of the slot, unix seconds. */
  slot: number;
  requests: number;
  errors: number;
  p99?: number;
}

export interface VersionStats {
  /** The version, or several joined by "+" (a stable set of more than one version). */
  version: string;
  requests: number;
  errors: number;
  /** errors ÷ requests, 0 without requests. */
  errorRate: number;
  p50?: number;
  p95?: number;
  p99?: number;
  latency: Histogram;
  series: SlotStats[];
}

/** The two sides of a canary over one window. */
export interface Comparison {
  stable: VersionStats;
  canary: VersionStats;
  /** Requests the routers logged for addresses of no known instance (e.g. "no live upstreams"). */
  unattributed: number;
}

/** The numbers of `rows` as one side, named `version`. */
export function statsOf(version: string, rows: Iterable<MetricRow>): VersionStats {
  const latency: Histogram = new Map();
  const slots = new Map<number, { requests: number; errors: number; latency: Histogram }>();
  let requests = 0;
  let errors = 0;
  for (const r of rows) {
    requests += r.requests;
    errors += r.errors;
    addTo(latency, new Map([[r.bucket, r.requests]]));
    const s = slots.get(r.slot) ?? { requests: 0, errors: 0, latency: new Map() };
    s.requests += r.requests;
    s.errors += r.errors;
    s.latency.set(r.bucket, (s.latency.get(r.bucket) ?? 0) + r.requests);
    slots.set(r.slot, s);
  }
  const series = [...slots.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, s]) => ({ slot, requests: s.requests, errors: s.errors, p99: percentile(s.latency, 99) }));
  return {
    version,
    requests,
    errors,
    errorRate: requests ? errors / requests : 0,
    p50: percentile(latency, 50),
    p95: percentile(latency, 95),
    p99: percentile(latency, 99),
    latency,
    series,
  };
}

/** The canary's version against everything else that served beside it. */
export function compare(rows: VersionRow[], canaryVersion: string, unattributed = 0): Comparison {
  const canary = rows.filter((r) => r.version === canaryVersion);
  const stable = rows.filter((r) => r.version !== canaryVersion);
  const stableVersions = [...new Set(stable.map((r) => r.version))].sort();
  return {
    stable: statsOf(stableVersions.join("+") || "stable", stable),
    canary: statsOf(canaryVersion, canary),
    unattributed,
  };
}

/**
 * Rows of one host's router, each given the version its address serves (`versions`: address →
 * version, from the upstream set the router holds). Rows of unknown addresses are counted apart.
 */
export function attribute(
  rows: MetricRow[],
  versions: ReadonlyMap<string, string>,
): { rows: VersionRow[]; unattributed: number } {
  const out: VersionRow[] = [];
  let unattributed = 0;
  for (const r of rows) {
    const version = versions.get(r.address);
    if (version === undefined) unattributed += r.requests;
    else out.push({ ...r, version });
  }
  return { rows: out, unattributed };
}
