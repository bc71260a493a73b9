/**
 * Latency histograms with logarithmic buckets, the shape the hosts aggregate access logs into
 * (remote/canary-metrics.sh): bucket 0 holds everything under 1 ms, bucket b ≥ 1 the latencies
 * in [GROWTH^(b-1), GROWTH^b) ms. Merging is adding counts, so the numbers of many hosts and
 * many checks combine exactly; a percentile is exact to the bucket width (±5%). Pure.
 */

/** Each bucket is this much wider than the one before. */
export const GROWTH = 1.05;

/** bucket index → count */
export type Histogram = Map<number, number>;

export function bucketOf(ms: number): number {
  return ms < 1 ? 0 : 1 + Math.floor(Math.log(ms) / Math.log(GROWTH));
}

/** The value a bucket stands for: its upper bound (a percentile is never under-reported). */
export function bucketValue(bucket: number): number {
  return GROWTH ** bucket;
}

export function addTo(into: Histogram, from: Histogram): Histogram {
  for (const [b, n] of from) into.set(b, (into.get(b) ?? 0) + n);
  return into;
}

export function countOf(h: Histogram): number {
  let n = 0;
  for (const c of h.values()) n += c;
  return n;
}

/** The p-th percentile (0-100) in ms; undefined for an empty histogram. */
export function percentile(h: Histogram, p: number): number | undefined {
  const total = countOf(h);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const b of [...h.keys()].sort((x, y) => x - y)) {
    seen += h.get(b)!;
    if (seen >= rank) return round(bucketValue(b));
  }
  return undefined;
}

/** A histogram of exact latencies (ms), e.g. what a metrics command reports per bucket bound. */
export function histogramOf(entries: Iterable<[ms: number, count: number]>): Histogram {
  const h: Histogram = new Map();
  for (const [ms, n] of entries) if (n > 0) h.set(bucketOf(ms), (h.get(bucketOf(ms)) ?? 0) + n);
  return h;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
