/**
 * Zero downtime, measured: a bounded load runs through the real nginx for the
 * whole of each deploy. Every request must succeed and answer with the old or
 * the new version; a canary's share must match its weight within the
 * binomial tolerance of load.ts; a failing new version must never be routed.
 */
import { abortCanary, promoteCanary } from "../../packages/core/src/deploy/canary";
import { status } from "../../packages/core/src/deploy/operations";
import { rollback } from "../../packages/core/src/deploy/rollback";
import { deploy } from "../../packages/core/src/deploy/rollout";
import { uniqueName } from "../support/helpers";
import { type LoadOptions, type LoadResult, shareTolerance, startLoad } from "./load";
import { buildApp, cleanUpTraffic, nginx, request, trafficEnvironment, upstreamHost } from "./support";

jest.setTimeout(180_000);

const LOAD = { concurrency: 4, maxRequests: 20_000, maxMs: 60_000 };

function load(app: string, extra: Partial<LoadOptions> = {}) {
  return startLoad({ port: nginx().port, host: upstreamHost(app), ...LOAD, ...extra });
}

/** Load for the duration of `during`; the result once it is done. */
async function underLoad(app: string, during: () => Promise<unknown>): Promise<LoadResult> {
  const l = load(app);
  try {
    await during();
  } finally {
    // Keep the load on a moment after the deploy returns: the drained instances are stopped by then.
    await new Promise((r) => setTimeout(r, 300));
  }
  return l.stop();
}

/** n requests, one after the other per loop; their answers. */
function sample(app: string, n: number): Promise<LoadResult> {
  return load(app, { maxRequests: n }).done;
}

function expectZeroFailures(r: LoadResult, versions: string[]): void {
  expect({ failed: r.failed, errors: r.errors }).toEqual({ failed: 0, errors: [] });
  expect(Object.keys(r.byBody).filter((b) => !versions.includes(b))).toEqual([]);
  expect(r.sent).toBeGreaterThan(20);
}

describe("traffic through nginx under constant load", () => {
  const app = uniqueName("pt-test-traffic");
  let v1: string;
  let v2: string;
  let v3: string;
  let bad: string;

  beforeAll(async () => {
    nginx();
    [v1, v2, v3, bad] = await Promise.all([
      buildApp(app, "v1"),
      buildApp(app, "v2"),
      buildApp(app, "v3"),
      buildApp(app, "v4-bad", { healthy: false }),
    ]);
  });
  afterAll(() => cleanUpTraffic(app));

  const env = () => trafficEnvironment(app, { from: 20100, to: 20139 }, { deploy: { keep: 2 } });

  test("rolling: zero failed requests, only v1 or v2, then only v2", async () => {
    await deploy(request(env(), v1));
    expect((await sample(app, 40)).byBody).toEqual({ v1: 40 });

    const during = await underLoad(app, () => deploy(request(env(), v2)));
    expectZeroFailures(during, ["v1", "v2"]);
    expect(during.byBody.v2).toBeGreaterThan(0);
    expect((await sample(app, 40)).byBody).toEqual({ v2: 40 });
  });

  test("a failing new version under load: zero failed requests, the old one keeps 100%", async () => {
    let error: unknown;
    const impatient = trafficEnvironment(
      app,
      { from: 20100, to: 20139 },
      { deploy: { keep: 2, healthTimeoutMs: 3000 } },
    );
    const during = await underLoad(app, () => deploy(request(impatient, bad)).catch((err) => (error = err)));
    expect(String(error)).toMatch(/not healthy/);
    expectZeroFailures(during, ["v2"]);
    expect(during.byBody).toEqual({ v2: during.sent });
  });

  test("blue-green: one switch under load, old set idle; rollback switches back in well under a second", async () => {
    const bg = trafficEnvironment(
      app,
      { from: 20100, to: 20139 },
      { deploy: { strategy: "blue-green", keep: 2 } },
    );
    let report: Awaited<ReturnType<typeof deploy>> | undefined;
    const during = await underLoad(app, async () => {
      report = await deploy(request(bg, v3));
    });
    expectZeroFailures(during, ["v2", "v3"]);
    expect(report!.strategy).toBe("blue-green");
    expect((await sample(app, 40)).byBody).toEqual({ v3: 40 });

    const list = await status({
      environment: bg,
      ssh: request(bg, v3).ssh,
      hostScope: true,
      logger: request(bg, v3).logger,
    });
    const running = list.filter((c) => c.state === "running");
    expect(running.filter((c) => c.version === "v2").map((c) => c.weight)).toEqual([0, 0]);
    expect(running.filter((c) => c.version === "v3").map((c) => c.share)).toEqual([50, 50]);

    let results: Awaited<ReturnType<typeof rollback>> = [];
    const back = await underLoad(app, async () => {
      results = await rollback({ ...request(bg, v3), environment: bg });
    });
    expectZeroFailures(back, ["v2", "v3"]);
    expect(results.map((r) => [r.method, r.from, r.to])).toEqual([["switch", "v3", "v2"]]);
    expect(results[0]!.switchMs).toBeLessThan(1000);
    expect((await sample(app, 40)).byBody).toEqual({ v2: 40 });
  });

  test("canary: the configured share within the binomial tolerance, then promote; another canary aborted", async () => {
    const share = 20;
    const canaryEnv = trafficEnvironment(
      app,
      { from: 20100, to: 20139 },
      { deploy: { strategy: "canary", keep: 2, canary: { instances: 1, sharePercent: share } } },
    );
    const during = await underLoad(app, () => deploy(request(canaryEnv, v3)));
    expectZeroFailures(during, ["v2", "v3"]);

    const n = 1000;
    const measured = await sample(app, n);
    expect(measured.failed).toBe(0);
    const tolerance = shareTolerance(n, share / 100);
    expect(Math.abs((measured.byBody.v3 ?? 0) - (n * share) / 100)).toBeLessThanOrEqual(tolerance);
    expect((measured.byBody.v2 ?? 0) + (measured.byBody.v3 ?? 0)).toBe(n);

    const ops = { ...request(canaryEnv, v3), environment: canaryEnv };
    const split = (await status(ops)).filter((c) => c.state === "running");
    expect(split.filter((c) => c.canary).map((c) => [c.version, c.share])).toEqual([["v3", share]]);
    await expect(deploy(request(canaryEnv, v1))).rejects.toThrow(/canary of v3 is running/);

    const promoting = await underLoad(app, () => promoteCanary(ops));
    expectZeroFailures(promoting, ["v2", "v3"]);
    expect((await sample(app, 40)).byBody).toEqual({ v3: 40 });
    const after = (await status(ops)).filter((c) => c.state === "running");
    expect(after.map((c) => c.version)).toEqual(["v3", "v3"]);

    await deploy(request(canaryEnv, v1));
    const aborting = await underLoad(app, () => abortCanary(ops));
    expectZeroFailures(aborting, ["v1", "v3"]);
    expect((await sample(app, 40)).byBody).toEqual({ v3: 40 });
    expect((await status(ops)).filter((c) => c.version === "v1")).toEqual([]);
  });

  test("blue-green's idle set stops by itself once keep-idle has passed", async () => {
    const bg = trafficEnvironment(
      app,
      { from: 20100, to: 20139 },
      { deploy: { strategy: "blue-green", keep: 2, blueGreen: { keepIdleMs: 3000 } } },
    );
    const ops = { ...request(bg, v1), environment: bg };
    await deploy(request(bg, v1));
    const running = async (version: string) =>
      (await status(ops)).filter((c) => c.version === version && c.state === "running").length;
    expect(await running("v3")).toBe(2);
    const deadline = Date.now() + 15_000;
    while ((await running("v3")) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await running("v3")).toBe(0);
    expect((await sample(app, 40)).byBody).toEqual({ v1: 40 });
  });
});
