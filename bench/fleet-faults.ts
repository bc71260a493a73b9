/**
 * `bench/fleet --faults`: one line per real fault on a 4-host fleet, with its figure. The faults
 * are those of test/fleet/faults.test.ts (and the two pending ones, test/fleet/pending/):
 * a dockerd stopped mid-rollout, a host's link down, a slow lossy link, an SSH connection cut
 * mid-deploy, a registry that stalls while the hosts pull.
 */
import { deploy, RolloutError } from "../packages/core/src/deploy/rollout";
import type { Logger } from "../packages/core/src/log";
import { buildApp, runConfig } from "../test/deploy/support";
import {
  addToxics,
  buildFreshLayerApp,
  proxied,
  registryStall,
  removeToxics,
  repairFleet,
  setLink,
  setProxyEnabled,
  slowLossyLink,
  stopEngine,
} from "../test/fleet/faults";
import {
  cleanUpFleet,
  containersOn,
  fleet,
  fleetEnvironment,
  fleetRequest,
  fleetSsh,
  runningVersions,
  target,
} from "../test/fleet/support";

const hosts = fleet.hosts.slice(0, 4);
const app = `pt-bench-faults-${Date.now().toString(36)}`;
const run = runConfig({ from: 18700, to: 18719 });
const environment = (list = hosts) => fleetEnvironment(app, run, list);
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const s = (x: number) => `${x.toFixed(1)} s`;

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Who runs what, from each engine: `h1 v2 v2, h2 -, …`. */
async function whoRunsWhat(list = hosts): Promise<string> {
  const parts = await Promise.all(
    list.map(async (h, i) => {
      const versions = await runningVersions(h, app).catch(() => undefined);
      return `h${i + 1} ${versions ? versions.join(" ") || "-" : "(engine down)"}`;
    }),
  );
  return parts.join(", ");
}

/** What docker said, without the "host: pulling image failed:" the engine puts before it. */
const reason = (error: string) =>
  error
    .replace(/^.*?pulling \S+ failed: /s, "")
    .split("\n")[0]!
    .slice(0, 90);

async function settle<T>(p: Promise<T>): Promise<{ ok: T } | { error: unknown }> {
  return p.then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );
}

export async function faults(logger: Logger): Promise<number> {
  const [v1, v2, v3, v4, hang] = await Promise.all([
    buildApp(app, "v1"),
    buildApp(app, "v2"),
    buildApp(app, "v3"),
    buildApp(app, "v4"),
    buildApp(app, "v-hang", { healthy: false }),
  ]);
  const base = (image: string, extra = {}) => fleetRequest(environment(), image, { logger, ...extra });
  const lines: string[] = [];
  const line = (l: string) => {
    lines.push(l);
    console.log(l);
  };
  console.log("fleet faults: 4 hosts, 2 instances each, busybox httpd app\n");
  try {
    await deploy(base(v1, { maxParallel: 4 }));

    // 1. dockerd stops mid-rollout.
    {
      const rollout = settle(deploy(base(v2)));
      await until("the rollout reaching host 2", async () =>
        (await containersOn(hosts[1]!, app)).some((c) => c.version === "v2"),
      );
      const t0 = performance.now();
      await stopEngine(hosts[1]!);
      const r = await rollout;
      const failedAfter = seconds(t0);
      const statuses =
        "error" in r && r.error instanceof RolloutError
          ? r.error.report.hosts.map((h, i) => `h${i + 1} ${h.status}`).join(", ")
          : "no RolloutError";
      line(
        `fault: dockerd stopped mid-rollout (rolling, max-parallel 1): rollout stopped ${s(failedAfter)} after; ` +
          `report ${statuses}; engines ${await whoRunsWhat()}; exit ${"error" in r ? "non-zero" : "ZERO"}`,
      );
      await repairFleet();
      await deploy(base(v1, { maxParallel: 4 }));
    }

    // 2. A host unreachable: its link down.
    {
      const down = hosts[2]!;
      const connectTimeoutSeconds = 5;
      await setLink(down, "down");
      const t0 = performance.now();
      const order = [down, ...hosts.filter((h) => h !== down)];
      const r = await settle(
        deploy(
          fleetRequest(environment(order), v2, { logger, ssh: { ...fleetSsh(), connectTimeoutSeconds } }),
        ),
      );
      const took = seconds(t0);
      await setLink(down, "up");
      const error = "error" in r && r.error instanceof RolloutError ? r.error.report.hosts[0]?.error : "none";
      line(
        `fault: host unreachable (link down, ConnectTimeout ${connectTimeoutSeconds} s): failed in ${s(took)}: ` +
          `"${(error ?? "").split("\n")[0]}"; engines ${await whoRunsWhat()}`,
      );
    }

    // 3. A slow, lossy link to one host (Toxiproxy in front of its sshd).
    {
      const list = [proxied(hosts[0]!), ...hosts.slice(1).map(target)];
      let t0 = performance.now();
      await deploy(base(v2, { hosts: list, maxParallel: 4 }));
      const clean = seconds(t0);
      const toxics = await addToxics("ssh-1", slowLossyLink());
      t0 = performance.now();
      const r = await settle(deploy(base(v3, { hosts: list, maxParallel: 4 })));
      const slow = seconds(t0);
      await removeToxics("ssh-1", toxics);
      const correct = (await Promise.all(hosts.map((h) => runningVersions(h, app)))).every(
        (v) => v.join() === "v3,v3",
      );
      line(
        `fault: slow lossy link to 1 of 4 hosts (100 ms RTT ± 20 ms, sliced, 256 KB/s): deploy ${s(slow)} ` +
          `(same link clean ${s(clean)}); ${"ok" in r && correct ? "correct on all 4" : `WRONG: ${await whoRunsWhat()}`}`,
      );
    }

    // 4. The SSH connection cut mid-deploy on one host; the next deploy must not wait for the lock.
    {
      const h = hosts[0]!;
      const via = [proxied(h)];
      const cutRun = settle(
        deploy(
          fleetRequest(fleetEnvironment(app, run, [h], { healthTimeoutMs: 60_000 }), hang, {
            hosts: via,
            logger,
          }),
        ),
      );
      await until("the hanging version's containers", async () =>
        (await containersOn(h, app)).some((c) => c.version === "v-hang" && c.state === "running"),
      );
      const t0 = performance.now();
      await setProxyEnabled("ssh-1", false);
      const cut = await cutRun;
      const noticed = seconds(t0);
      await setProxyEnabled("ssh-1", true);
      const serving = (await runningVersions(h, app)).filter((v) => v !== "v-hang").join(" ");
      const t1 = performance.now();
      const next = await settle(deploy(base(v4, { hosts: via })));
      const took = seconds(t1);
      line(
        `fault: ssh connection cut mid-deploy on 1 host: deploy ${"error" in cut ? "failed" : "SUCCEEDED"} ${s(noticed)} ` +
          `after the cut, still serving ${serving || "nothing"}; next deploy ${"ok" in next ? "succeeded" : "failed"} ` +
          `in ${s(took)} (target < 15 s: no waiting for the lock's 30 s stale time)${took < 15 ? "" : "  MISSED"}`,
      );
    }

    // 5. The registry stalls while the hosts pull (a layer none of them has).
    {
      const fresh = await buildFreshLayerApp(app, "v5");
      const cap = 60;
      const toxics = await addToxics("registry", registryStall);
      const t0 = performance.now();
      const stalled = settle(deploy(base(fresh, { maxParallel: 4 })));
      const within = await Promise.race([
        stalled.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), cap * 1000)),
      ]);
      const took = seconds(t0);
      if (!within) {
        // Lift the stall and cut the stalled connections, so the pulls end.
        await removeToxics("registry", toxics);
        await setProxyEnabled("registry", false);
        await setProxyEnabled("registry", true);
      } else {
        await removeToxics("registry", toxics);
      }
      const r = await stalled;
      const reasons =
        "error" in r && r.error instanceof RolloutError
          ? r.error.report.hosts
              .map((h, i) => `h${i + 1} ${h.status}${h.error ? ` (${reason(h.error)})` : ""}`)
              .join(", ")
          : "ok" in r
            ? "all deployed"
            : String(r.error);
      line(
        within
          ? `fault: registry stalls (1 KB/s) while 4 hosts pull: deploy ended in ${s(took)}: ${reasons}`
          : `fault: registry stalls (1 KB/s) while 4 hosts pull: NO host failed within ${cap} s (no deadline on the pull); ` +
              `after lifting the stall: ${reasons}`,
      );
    }
    return lines.some((l) => /MISSED|WRONG|ZERO|SUCCEEDED|NO host/.test(l)) ? 1 : 0;
  } finally {
    await repairFleet();
    await cleanUpFleet(app, hosts);
  }
}
