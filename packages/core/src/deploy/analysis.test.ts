/**
 * Canary analysis against fake hosts: the checks, the verdict and what it does to the canary,
 * with a command router whose metrics command (`lb-metrics`) the fake host answers from the
 * upstream it holds. A fake clock: sleeping advances it, so a 60 s analysis runs in milliseconds.
 * The same paths run through the real nginx in test/canary.
 */
import type { AnalysisSettings } from "../canary/verdict";
import { EngineUnsupportedError } from "../engine/errors";
import { silentLogger } from "../log";
import { RouterError } from "../router/types";
import { swarmEngine } from "../swarm/engine";
import { TEST_HOSTS, testEnvironment, testImage } from "../testing/environments";
import { FakeFleet, type FakeHost } from "../testing/fake-host";
import type { Clock } from "./analysis";
import { sshEngine } from "./engine";
import { LABEL } from "./labels";
import type { DeployEnvironment } from "./types";

const V1 = testImage("1-aaaaaaa", "a");
const V2 = testImage("2-bbbbbbb", "b");
const hosts = TEST_HOSTS;

const analysis: AnalysisSettings & { metricsCommand?: string[] } = {
  durationMs: 60_000,
  intervalMs: 10_000,
  maxErrorRate: 0.05,
  maxLatencyRatio: 2,
  minRequests: 20,
  onPass: "promote",
  onFail: "abort",
  onInconclusive: "hold",
  metricsCommand: ["lb-metrics"],
};

function environment(a: Partial<typeof analysis> = {}): DeployEnvironment {
  return testEnvironment({
    deploy: {
      strategy: "canary",
      router: { type: "command", command: ["lb-hook"] },
      drainMs: 0,
      canary: { instances: 1, sharePercent: 20, analysis: { ...analysis, ...a } },
    },
  });
}

/** Per request to lb-metrics: each backend's requests since the last call, by version. */
type Traffic = Record<string, { requests: number; errors?: number; ms: number }>;

function serveTraffic(h: FakeHost, traffic: Traffic) {
  h.behaviour.metrics = () => {
    const route = JSON.parse(h.files.get("routes/shop-prod.json")!) as {
      servers: { address: string; port: number; version: string }[];
    };
    return {
      servers: route.servers.map((s) => {
        const t = traffic[s.version] ?? { requests: 0, ms: 1 };
        return {
          address: `${s.address}:${s.port}`,
          requests: t.requests,
          errors: t.errors ?? 0,
          latency_ms: t.requests ? { [String(t.ms)]: t.requests } : {},
        };
      }),
    };
  };
}

function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

async function withCanary(env: DeployEnvironment, traffic: Traffic) {
  const fleet = new FakeFleet();
  const base = { environment: env, ssh: {}, logger: silentLogger, openHosts: fleet.openHosts };
  await sshEngine.deploy({ ...base, image: V1, strategy: "rolling" });
  await sshEngine.deploy({ ...base, image: V2 });
  for (const t of hosts) serveTraffic(fleet.host(t), traffic);
  return { fleet, base };
}

const versions = (h: FakeHost) =>
  h
    .running("shop")
    .map((c) => c.labels[LABEL.version])
    .sort();

describe("analyzeCanary", () => {
  test("a canary failing 20% of its requests is aborted at the first check", async () => {
    const env = environment();
    const { fleet, base } = await withCanary(env, {
      "1-aaaaaaa": { requests: 100, ms: 10 },
      "2-bbbbbbb": { requests: 25, errors: 5, ms: 10 },
    });
    const clock = fakeClock();
    const report = await sshEngine.analyzeCanary({ ...base, clock });
    expect(report).toMatchObject({ outcome: "fail", action: "abort", canaryVersion: "2-bbbbbbb" });
    expect(report.checks).toHaveLength(1);
    expect(clock.slept).toEqual([10_000]);
    expect(report.reasons[0]).toMatch(/error rate 20% \(10\/50\)/);
    for (const t of hosts) {
      expect(versions(fleet.host(t))).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
      expect(fleet.host(t).files.has("shop.prod.canary")).toBe(false);
    }
    expect(report.results.map((r) => r.serving.length)).toEqual([2, 2]);
  });

  test("a healthy canary is promoted after the whole duration; numbers add up over every host", async () => {
    const env = environment();
    const { fleet, base } = await withCanary(env, {
      "1-aaaaaaa": { requests: 80, ms: 10 },
      "2-bbbbbbb": { requests: 20, errors: 0, ms: 11 },
    });
    const report = await sshEngine.analyzeCanary({ ...base, clock: fakeClock() });
    expect(report).toMatchObject({ outcome: "pass", action: "promote" });
    expect(report.checks).toHaveLength(6);
    expect(report.checks.map((c) => c.elapsedMs)).toEqual([10, 20, 30, 40, 50, 60].map((s) => s * 1000));
    // 2 hosts × 6 checks × (1 canary × 20), and × (2 old × 80).
    expect(report.total.canary.requests).toBe(240);
    expect(report.total.stable.requests).toBe(1920);
    for (const t of hosts) expect(versions(fleet.host(t))).toEqual(["2-bbbbbbb", "2-bbbbbbb"]);
  });

  test("a canary 3× slower at p99 is aborted by the latency ratio", async () => {
    const { fleet, base } = await withCanary(environment(), {
      "1-aaaaaaa": { requests: 80, ms: 10 },
      "2-bbbbbbb": { requests: 20, ms: 30 },
    });
    const report = await sshEngine.analyzeCanary({ ...base, clock: fakeClock() });
    expect(report).toMatchObject({ outcome: "fail", action: "abort" });
    expect(report.reasons[0]).toMatch(/× the stable p99 .* above max-latency-ratio 2/);
    expect(versions(fleet.host(hosts[0]!))).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
  });

  test("too few requests is inconclusive: the canary is held, not promoted", async () => {
    const { fleet, base } = await withCanary(environment({ minRequests: 100 }), {
      "1-aaaaaaa": { requests: 50, ms: 10 },
      "2-bbbbbbb": { requests: 3, ms: 10 },
    });
    const report = await sshEngine.analyzeCanary({ ...base, clock: fakeClock() });
    expect(report).toMatchObject({ outcome: "inconclusive", action: "hold", results: [] });
    expect(report.checks.every((c) => c.result.outcome === "insufficient")).toBe(true);
    expect(report.reasons[0]).toMatch(/36 request\(s\), fewer than min-requests 100/);
    const h = fleet.host(hosts[0]!);
    expect(versions(h)).toEqual(["1-aaaaaaa", "1-aaaaaaa", "2-bbbbbbb"]);
    expect(h.files.has("shop.prod.canary")).toBe(true);
  });

  test("on-inconclusive abort takes the canary out", async () => {
    const { fleet, base } = await withCanary(environment({ minRequests: 100, onInconclusive: "abort" }), {
      "1-aaaaaaa": { requests: 50, ms: 10 },
    });
    const report = await sshEngine.analyzeCanary({ ...base, clock: fakeClock() });
    expect(report).toMatchObject({ outcome: "inconclusive", action: "abort" });
    expect(versions(fleet.host(hosts[1]!))).toEqual(["1-aaaaaaa", "1-aaaaaaa"]);
  });

  test("a command router without a metrics command is a clear error, and nothing changes", async () => {
    const { fleet, base } = await withCanary(environment({ metricsCommand: undefined }), {});
    await expect(sshEngine.analyzeCanary({ ...base, clock: fakeClock() })).rejects.toThrow(RouterError);
    await expect(sshEngine.analyzeCanary({ ...base, clock: fakeClock() })).rejects.toThrow(
      /set deploy.canary.analysis.metrics-command/,
    );
    expect(versions(fleet.host(hosts[0]!))).toEqual(["1-aaaaaaa", "1-aaaaaaa", "2-bbbbbbb"]);
  });

  test("without a running canary there is nothing to analyse", async () => {
    const fleet = new FakeFleet();
    const base = { environment: environment(), ssh: {}, logger: silentLogger, openHosts: fleet.openHosts };
    await sshEngine.deploy({ ...base, image: V1, strategy: "rolling" });
    await expect(sshEngine.analyzeCanary({ ...base, clock: fakeClock() })).rejects.toThrow(
      /no canary of shop runs in prod/,
    );
  });

  test("compare sums both sides over every host", async () => {
    const { base } = await withCanary(environment(), {
      "1-aaaaaaa": { requests: 80, ms: 10 },
      "2-bbbbbbb": { requests: 20, errors: 2, ms: 12 },
    });
    const report = await sshEngine.compareCanary({ ...base, sinceMs: 300_000 });
    expect(report.comparison.canary).toMatchObject({ version: "2-bbbbbbb", requests: 40, errors: 4 });
    expect(report.comparison.stable).toMatchObject({ version: "1-aaaaaaa", requests: 320, errors: 0 });
    expect(report.hosts).toHaveLength(2);
  });

  test("the Swarm engine says it has no canary analysis", async () => {
    const base = { environment: environment(), ssh: {}, logger: silentLogger };
    await expect(swarmEngine.analyzeCanary(base)).rejects.toThrow(EngineUnsupportedError);
    await expect(swarmEngine.compareCanary({ ...base, sinceMs: 1000 })).rejects.toThrow(
      /engine swarm has no canary/,
    );
  });
});
