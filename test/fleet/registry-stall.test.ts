/**
 * The registry stalls while the hosts pull: each host's pull ends at deploy.pull-timeout with the
 * reason, the rollout fails, and every host keeps the old version.
 */
import { performance } from "node:perf_hooks";
import { deploy, RolloutError } from "../../packages/core/src/deploy/rollout";
import { buildApp, failure, newApp, runConfig } from "../deploy/support";
import {
  addToxics,
  buildFreshLayerApp,
  registryStall,
  removeToxics,
  repairFleet,
  setProxyEnabled,
} from "./faults";
import { cleanUpFleet, fleet, fleetEnvironment, fleetRequest, runningVersions } from "./support";

jest.setTimeout(240_000);

const hosts = fleet.hosts.slice(0, 4);
const app = newApp();
const DEADLINE_S = 20;
afterAll(async () => {
  await repairFleet();
  await cleanUpFleet(app, hosts);
});

test("the registry stalls while the hosts pull: each host fails within the deadline, with the reason", async () => {
  const v1 = await buildApp(app, "v1");
  const fresh = await buildFreshLayerApp(app, "v2");
  const env = fleetEnvironment(app, runConfig({ from: 18460, to: 18479 }), hosts, {
    pullTimeoutMs: DEADLINE_S * 1000,
  });
  await deploy(fleetRequest(env, v1, { maxParallel: 4 }));

  const toxics = await addToxics("registry", registryStall);
  try {
    const t0 = performance.now();
    const err = await failure(deploy(fleetRequest(env, fresh, { maxParallel: 4 })));
    const seconds = (performance.now() - t0) / 1000;
    expect(err).toBeInstanceOf(RolloutError);
    const { report } = err as RolloutError;
    expect(report.hosts.map((h) => h.status)).toEqual(["failed", "failed", "failed", "failed"]);
    for (const h of report.hosts) expect(h.error).toMatch(/pull.*(deadline|timed out|timeout)/i);
    expect(seconds).toBeLessThan(DEADLINE_S + 15);
  } finally {
    // Closing the stalled connections first: Toxiproxy cannot remove a toxic data still trickles through.
    await setProxyEnabled("registry", false);
    await removeToxics("registry", toxics);
    await setProxyEnabled("registry", true);
  }
  for (const h of hosts) expect(await runningVersions(h, app)).toEqual(["v1", "v1"]);
});
