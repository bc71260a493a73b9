/** Turning "this group gets p% of the traffic" into whole-number server weights. Pure. */

export interface WeightedGroup<T> {
  members: T[];
  /** Share of all traffic for the whole group, 0-100. */
  percent: number;
}

/**
 * Weights per member so that each group's members together get its share,
 * split evenly inside the group; reduced by their greatest common divisor so
 * the upstream file stays readable (9/9/2 rather than 4500/4500/1000).
 * Members of a group with a share of 0 are left out (a weight must be ≥ 1).
 */
export function splitWeights<T>(groups: WeightedGroup<T>[]): { member: T; weight: number }[] {
  const live = groups.filter((g) => g.members.length > 0 && g.percent > 0);
  const total = live.reduce((sum, g) => sum + g.percent, 0);
  if (live.length === 0 || total <= 0) return [];
  // Scaled by the group sizes' least common multiple, so a group's share divides evenly among its members.
  const scale = 10_000 * lcm(live.map((g) => g.members.length));
  const out = live.flatMap((g) => {
    const each = Math.max(1, Math.round((g.percent / total) * (scale / g.members.length)));
    return g.members.map((member) => ({ member, weight: each }));
  });
  const divisor = out.reduce((d, o) => gcd(d, o.weight), 0);
  return out.map((o) => ({ member: o.member, weight: o.weight / divisor }));
}

/** Each version's share of the traffic (percent) under `servers`' weights. */
export function sharesByVersion(servers: { version: string; weight: number }[]): Record<string, number> {
  const total = servers.reduce((sum, s) => sum + s.weight, 0);
  const out: Record<string, number> = {};
  for (const s of servers) out[s.version] = (out[s.version] ?? 0) + (total ? (s.weight / total) * 100 : 0);
  return out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(values: number[]): number {
  return values.reduce((l, v) => (l * v) / gcd(l, v), 1);
}
