import { bucketOf, bucketValue, GROWTH, histogramOf, percentile } from "./histogram";
import { attribute, compare, type MetricRow, type VersionRow } from "./stats";
import { type AnalysisSettings, actionFor, afterCheck, judgeCheck, verdict } from "./verdict";

describe("histogram", () => {
  test.each([
    [0, 0],
    [0.4, 0],
    [1, 1],
    [2, 15],
    [100, 95],
  ])("%d ms → bucket %d", (ms, bucket) => {
    expect(bucketOf(ms)).toBe(bucket);
  });

  test.each([1, 3, 17, 250, 4000])("%d ms lies in its bucket, within the growth factor", (ms) => {
    const upper = bucketValue(bucketOf(ms));
    expect(upper).toBeGreaterThanOrEqual(ms);
    expect(upper / ms).toBeLessThanOrEqual(GROWTH);
  });

  test.each([
    // [latencies, p, expected within 5%]
    [[[10, 99] as [number, number], [100, 1] as [number, number]], 50, 10],
    [[[10, 99] as [number, number], [100, 1] as [number, number]], 99, 10],
    [[[10, 98] as [number, number], [100, 2] as [number, number]], 99, 100],
    [[[5, 1] as [number, number]], 95, 5],
  ])("%j: p%d ≈ %d ms", (entries, p, expected) => {
    const value = percentile(histogramOf(entries), p)!;
    expect(value).toBeGreaterThanOrEqual(expected);
    expect(value).toBeLessThanOrEqual(expected * GROWTH + 0.1);
  });

  test("an empty histogram has no percentile", () => {
    expect(percentile(new Map(), 99)).toBeUndefined();
  });
});

const row = (version: string, ms: number, requests: number, errors = 0, slot = 0): VersionRow => ({
  address: `${version}-addr`,
  slot,
  bucket: bucketOf(ms),
  requests,
  errors,
  version,
});

describe("compare", () => {
  test("sums each side over slots and buckets; the stable side joins its versions", () => {
    const c = compare(
      [row("v1", 10, 90, 1, 0), row("v0", 10, 10, 0, 10), row("v2", 30, 8, 2, 0), row("v2", 30, 2, 0, 10)],
      "v2",
    );
    expect(c.stable).toMatchObject({ version: "v0+v1", requests: 100, errors: 1, errorRate: 0.01 });
    expect(c.canary).toMatchObject({ version: "v2", requests: 10, errors: 2, errorRate: 0.2 });
    expect(c.canary.series.map((s) => [s.slot, s.requests, s.errors])).toEqual([
      [0, 8, 2],
      [10, 2, 0],
    ]);
    expect(c.canary.p99! / c.stable.p99!).toBeCloseTo(3, 0);
  });

  test("attribute maps addresses to versions and counts the rest apart", () => {
    const rows: MetricRow[] = [
      { address: "127.0.0.1:1", slot: 0, bucket: 1, requests: 5, errors: 0 },
      { address: "app-prod", slot: 0, bucket: 0, requests: 3, errors: 3 },
    ];
    const r = attribute(rows, new Map([["127.0.0.1:1", "v1"]]));
    expect(r.rows.map((x) => x.version)).toEqual(["v1"]);
    expect(r.unattributed).toBe(3);
  });
});

const settings: AnalysisSettings = {
  durationMs: 60_000,
  intervalMs: 10_000,
  maxErrorRate: 0.05,
  maxLatencyRatio: 2,
  minRequests: 20,
  onPass: "promote",
  onFail: "abort",
  onInconclusive: "hold",
};

const sides = (canary: { n: number; err?: number; ms?: number }, stable = { n: 200, ms: 10 }) =>
  compare([row("v1", stable.ms, stable.n), row("v2", canary.ms ?? 10, canary.n, canary.err ?? 0)], "v2");

describe("judge", () => {
  test.each([
    ["healthy", { n: 50 }, "pass", []],
    ["20% errors", { n: 50, err: 10 }, "fail", [/error rate 20% \(10\/50\) is above max-error-rate 5%/]],
    ["errors at the limit", { n: 100, err: 5 }, "pass", []],
    ["3× slower", { n: 50, ms: 30 }, "fail", [/× the stable p99 .* above max-latency-ratio 2/]],
    ["slow and failing", { n: 50, ms: 30, err: 25 }, "fail", [/error rate/, /max-latency-ratio/]],
    ["too few requests", { n: 19, err: 19 }, "insufficient", [/19 request\(s\), fewer than min-requests 20/]],
  ])("%s → %s", (_, canary, outcome, reasons) => {
    const r = judgeCheck(sides(canary), settings);
    expect(r.outcome).toBe(outcome);
    expect(r.reasons).toHaveLength(reasons.length);
    reasons.forEach((re, i) => {
      expect(r.reasons[i]).toMatch(re);
    });
  });

  test("latency is not judged against a stable set without enough requests", () => {
    const r = judgeCheck(sides({ n: 50, ms: 100 }, { n: 5, ms: 10 }), settings);
    expect(r).toMatchObject({ outcome: "pass", reasons: [expect.stringMatching(/latency not judged/)] });
  });

  test("without max-latency-ratio a slow canary passes", () => {
    const { maxLatencyRatio: _, ...noRatio } = settings;
    expect(judgeCheck(sides({ n: 50, ms: 100 }), noRatio).outcome).toBe("pass");
  });
});

describe("afterCheck and the verdict", () => {
  const pass = judgeCheck(sides({ n: 50 }), settings);
  const fail = judgeCheck(sides({ n: 50, err: 10 }), settings);
  const thin = judgeCheck(sides({ n: 2 }), settings);
  test.each([
    [
      "a failing check ends at once",
      fail,
      sides({ n: 50, err: 10 }),
      10_000,
      { done: true, outcome: "fail" },
    ],
    ["passing before the end goes on", pass, sides({ n: 50 }), 30_000, { done: false }],
    ["thin traffic before the end goes on", thin, sides({ n: 2 }), 30_000, { done: false }],
    ["passing to the end passes", pass, sides({ n: 300 }), 60_000, { done: true, outcome: "pass" }],
    [
      "too little over the whole window",
      thin,
      sides({ n: 12 }),
      60_000,
      { done: true, outcome: "inconclusive" },
    ],
    ["thin last check, enough in total", thin, sides({ n: 80 }), 60_000, { done: true, outcome: "pass" }],
    [
      "thin checks adding up to a failure",
      thin,
      sides({ n: 40, err: 8 }),
      60_000,
      { done: true, outcome: "fail" },
    ],
  ])("%s", (_, check, total, elapsed, expected) => {
    expect(afterCheck(check, total, elapsed, settings)).toMatchObject(expected);
  });

  test.each([
    ["pass", "promote"],
    ["fail", "abort"],
    ["inconclusive", "hold"],
  ] as const)("%s → %s", (outcome, action) => {
    expect(actionFor(outcome, settings)).toBe(action);
  });

  test("the verdict of an empty window is inconclusive, never a pass", () => {
    expect(verdict(compare([], "v2"), settings).outcome).toBe("inconclusive");
  });
});
