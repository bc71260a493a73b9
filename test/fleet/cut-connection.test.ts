/**
 * The SSH connection of a deploy cut mid-way (its proxy disabled): the old version keeps serving,
 * and the next deploy does not wait for the dead lock (it dies with its connection).
 */
import { performance } from "node:perf_hooks";
import { deploy } from "../../packages/core/src/deploy/rollout";
import { buildApp, failure, newApp, runConfig } from "../deploy/support";
import { proxied, repairFleet, setProxyEnabled } from "./faults";
import {
  cleanUpFleet,
  containersOn,
  fleet,
  fleetEnvironment,
  fleetRequest,
  runningVersions,
} from "./support";

jest.setTimeout(180_000);

const h = fleet.hosts[0]!;
const app = newApp();
afterAll(async () => {
  await repairFleet();
  await cleanUpFleet(app, [h]);
});

test("the SSH connection cut mid-deploy: the old version serves; the next deploy recovers without waiting", async () => {
  const [v1, v2, hang] = await Promise.all([
    buildApp(app, "v1"),
    buildApp(app, "v2"),
    buildApp(app, "v-hang", { healthy: false }),
  ]);
  const env = fleetEnvironment(app, runConfig({ from: 18440, to: 18459 }), [h], { healthTimeoutMs: 60_000 });
  const via = { hosts: [proxied(h)] };
  await deploy(fleetRequest(env, v1, via));

  const cut = failure(deploy(fleetRequest(env, hang, via)));
  const deadline = Date.now() + 60_000;
  while (!(await containersOn(h, app)).some((c) => c.version === "v-hang" && c.state === "running")) {
    if (Date.now() > deadline) throw new Error("the hanging version never started");
    await new Promise((r) => setTimeout(r, 50));
  }
  await setProxyEnabled("ssh-1", false); // closes the connection: sshd ends the session
  await cut;
  await setProxyEnabled("ssh-1", true);
  expect((await runningVersions(h, app)).filter((v) => v !== "v-hang")).toEqual(["v1", "v1"]);

  const t0 = performance.now();
  await deploy(fleetRequest(env, v2, via));
  const seconds = (performance.now() - t0) / 1000;
  expect(await runningVersions(h, app)).toEqual(["v2", "v2"]);
  // A clean deploy takes 2-4 s here; waiting out the 30 s stale lock is what must not happen.
  expect(seconds).toBeLessThan(15);
});
