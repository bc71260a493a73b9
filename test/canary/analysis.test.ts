/**
 * Canary analysis through a real nginx under a load loop: the routers' JSON access log is read
 * on the host over ssh, per version, every interval, and the verdict acts by itself — a canary
 * failing 20% of its requests is aborted within two intervals, a healthy one promoted after the
 * duration, a 3× slower one aborted by the latency ratio, too little traffic held. Then
 * `powertrain compare --html` is opened in headless chromium: the chart shows both versions.
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AnalysisSettings } from "../../packages/core/src/canary/verdict";
import { type AnalysisReport, analyzeCanary } from "../../packages/core/src/deploy/analysis";
import { abortCanary } from "../../packages/core/src/deploy/canary";
import { deploy } from "../../packages/core/src/deploy/rollout";
import { readCanary } from "../../packages/core/src/deploy/traffic";
import type { DeployEnvironment } from "../../packages/core/src/deploy/types";
import { silentLogger } from "../../packages/core/src/log";
import { SshSession } from "../../packages/core/src/ssh/session";
import { cleanUp, sshOptions } from "../deploy/support";
import { targetFlags } from "../support/cli";
import { tempDir, uniqueName } from "../support/helpers";
import { type LoadResult, startLoad } from "../traffic/load";
import { env, request, trafficEnvironment, upstreamHost } from "../traffic/support";
import { buildBehavingApp, routedTo, startNginx, type TestNginx } from "./support";

jest.setTimeout(240_000);

const INTERVAL = 2_000;
const ANALYSIS: AnalysisSettings = {
  durationMs: 8_000,
  intervalMs: INTERVAL,
  maxErrorRate: 0.05,
  maxLatencyRatio: 2,
  minRequests: 20,
  onPass: "promote",
  onFail: "abort",
  onInconclusive: "hold",
};

describe("canary analysis through nginx under load", () => {
  const app = uniqueName("pt-test-canary");
  let n: TestNginx;
  const images: Record<string, string> = {};

  beforeAll(async () => {
    n = await startNginx();
    const built = await Promise.all([
      buildBehavingApp(app, "v1", { delayMs: 20 }),
      buildBehavingApp(app, "v2-failing", { delayMs: 20, failEvery: 5 }),
      buildBehavingApp(app, "v2-healthy", { delayMs: 20 }),
      buildBehavingApp(app, "v2-slow", { delayMs: 60 }),
    ]);
    [images.v1, images.failing, images.healthy, images.slow] = built;
  });
  afterAll(async () => {
    await cleanUp(app);
    await n?.stop();
  });

  function environment(analysis: Partial<AnalysisSettings> = {}): DeployEnvironment {
    const base = trafficEnvironment(
      app,
      { from: 23400, to: 23499 },
      {
        instances: 2,
        deploy: { canary: { instances: 1, sharePercent: 25, analysis: { ...ANALYSIS, ...analysis } } },
      },
    );
    return routedTo(base, n);
  }

  // One host, a unique app: no host scope, so the CLI (which has none) sees the same canary.
  const req = (e: DeployEnvironment, image = images.v1!) => request(e, image, { hostScope: false });

  /** v1 serving alone, then `image` as a canary beside it. */
  async function withCanary(e: DeployEnvironment, image: string): Promise<void> {
    await deploy({ ...req(e), strategy: "rolling" });
    await deploy({ ...req(e, image), strategy: "canary" });
  }

  const load = () =>
    startLoad({
      port: n.port,
      host: upstreamHost(app),
      concurrency: 4,
      maxRequests: 100_000,
      maxMs: 120_000,
    });

  async function analysedUnderLoad(
    e: DeployEnvironment,
  ): Promise<{ report: AnalysisReport; load: LoadResult }> {
    const l = load();
    try {
      const report = await analyzeCanary(req(e));
      return { report, load: await l.stop() };
    } finally {
      await l.stop();
    }
  }

  async function answers(requests: number): Promise<LoadResult> {
    return startLoad({
      port: n.port,
      host: upstreamHost(app),
      concurrency: 2,
      maxRequests: requests,
      maxMs: 20_000,
    }).done;
  }

  test("a canary failing 20% of its requests is aborted within two intervals; only it failed", async () => {
    const e = environment();
    await withCanary(e, images.failing!);
    const log = join(n.confDir, "powertrain", `${upstreamHost(app)}.access.log`);
    const { report, load: l } = await analysedUnderLoad(e);
    // The upstream logged while the canary ran; once it is over the log is gone.
    expect(report.total.stable.requests).toBeGreaterThan(0);
    expect(existsSync(log)).toBe(false);
    expect(report).toMatchObject({ outcome: "fail", action: "abort", canaryVersion: "v2-failing" });
    expect(report.reasons[0]).toMatch(/error rate .* is above max-error-rate 5%/);
    expect(report.checks.length).toBeLessThanOrEqual(2);
    expect(report.checks.at(-1)!.elapsedMs).toBeLessThan(2 * INTERVAL + 1_000);
    // The log saw what the clients saw: about a fifth of the canary's requests failed, none of the stable's.
    expect(report.total.canary.errorRate).toBeGreaterThan(0.15);
    expect(report.total.stable.errors).toBe(0);
    expect(Object.keys(l.failuresByError)).toEqual(["HTTP 500: v2-failing failed"]);
    expect(l.byBody.v1).toBeGreaterThan(0);
    const canaryServed = (l.byBody["v2-failing"] ?? 0) + l.failed;
    expect(l.failed / canaryServed).toBeGreaterThan(0.1);
    expect(l.failed / canaryServed).toBeLessThan(0.3);
    // The stable set has 100% again.
    const after = await answers(40);
    expect({ failed: after.failed, versions: Object.keys(after.byBody) }).toEqual({
      failed: 0,
      versions: ["v1"],
    });
  });

  test("a healthy canary is promoted after the duration, with no failed request", async () => {
    const e = environment();
    await withCanary(e, images.healthy!);
    const { report, load: l } = await analysedUnderLoad(e);
    expect(report).toMatchObject({ outcome: "pass", action: "promote" });
    expect(report.checks).toHaveLength(ANALYSIS.durationMs / INTERVAL);
    expect(report.checks.every((c) => c.result.outcome === "pass")).toBe(true);
    expect(report.total.canary.requests).toBeGreaterThan(ANALYSIS.minRequests);
    expect({ failed: l.failed, errors: l.errors }).toEqual({ failed: 0, errors: [] });
    const after = await answers(40);
    expect(Object.keys(after.byBody)).toEqual(["v2-healthy"]);
  });

  test("a canary 3× slower at p99 is aborted by the latency ratio", async () => {
    const e = environment();
    await withCanary(e, images.slow!);
    const { report, load: l } = await analysedUnderLoad(e);
    expect(report).toMatchObject({ outcome: "fail", action: "abort" });
    expect(report.reasons.join(" ")).toMatch(/× the stable p99 .* above max-latency-ratio 2/);
    expect(report.total.canary.errors).toBe(0);
    expect(l.failed).toBe(0);
    const after = await answers(20);
    expect(Object.keys(after.byBody)).toEqual(["v1"]);
  });

  test("too few requests is held, not promoted; compare --html shows both versions in chromium", async () => {
    const e = environment({ durationMs: 4_000, minRequests: 200 });
    await withCanary(e, images.healthy!);
    const trickle = answers(12);
    const report = await analyzeCanary(req(e));
    await trickle;
    expect(report).toMatchObject({ outcome: "inconclusive", action: "hold", results: [] });
    expect(report.reasons[0]).toMatch(/fewer than min-requests 200/);
    const session = await SshSession.create({ ...sshOptions(), logger: silentLogger });
    try {
      const host = await session.connect(e.hosts[0]!);
      expect(await readCanary(host, { app, environment: "test" })).toMatchObject({ version: "v2-healthy" });
    } finally {
      await session.close();
    }

    // Traffic on both, then the report a person opens.
    await answers(200);
    const dir = tempDir("pt-canary-html-");
    const config = join(dir, "powertrain.yml");
    writeFileSync(
      config,
      [
        `name: ${app}`,
        "environments:",
        "  test:",
        `    hosts: ["${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}"]`,
        `    deploy: { router: { type: nginx, conf-dir: ${n.confDir}, nginx: ${n.binary}, nginx-config: ${n.conf} } }`,
        "",
      ].join("\n"),
    );
    const html = join(dir, "report.html");
    const root = resolve(__dirname, "../..");
    const out = execFileSync(
      join(root, "node_modules/.bin/tsx"),
      [
        join(root, "packages/cli/src/index.ts"),
        "compare",
        ...targetFlags(config),
        ...["--since", "1m", "--html", html, "--json"],
      ],
      { encoding: "utf8" },
    );
    const json = JSON.parse(out);
    expect(json.canary.version).toBe("v2-healthy");
    expect(json.stable.version).toBe("v1");
    expect(json.canary.requests + json.stable.requests).toBeGreaterThanOrEqual(200);

    const dom = execFileSync(
      "chromium",
      ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", `file://${html}`],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    // Each chart (latency distribution, error rate) draws a line per version, and the legend names both.
    for (const series of ["stable v1", "canary v2-healthy"]) {
      const line = new RegExp(
        `aria-label="[^"]*series: ${series}"[^>]*aria-roledescription="line mark"`,
        "g",
      );
      expect(dom.match(line)?.length ?? 0).toBe(2);
      expect(dom).toContain(`>${series}</text>`);
    }
    await abortCanary(req(e));
  });
});
