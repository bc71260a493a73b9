/**
 * A host whose docker hangs (its dockerd frozen): every remote command has a wall-clock limit
 * (deploy.command-timeout), so the deploy fails at it naming the host, instead of holding the
 * environment's lock while its heartbeat keeps it fresh; the old version keeps serving, and the
 * next deploy, once the engine answers again, takes the lock at once.
 */
import { performance } from "node:perf_hooks";
import { deploy, RolloutError } from "../../packages/core/src/deploy/rollout";
import { buildApp, failure, newApp, runConfig } from "../deploy/support";
import { setEngineFrozen } from "./faults";
import { cleanUpFleet, fleet, fleetEnvironment, fleetRequest, runningVersions } from "./support";

jest.setTimeout(180_000);

const h = fleet.hosts[1]!;
const app = newApp();
afterAll(async () => {
  setEngineFrozen(h, false);
  await cleanUpFleet(app, [h]);
});

test("a wedged engine: the deploy fails at deploy.command-timeout, v1 serves, the next deploy is not held up", async () => {
  const [v1, v2] = await Promise.all([buildApp(app, "v1"), buildApp(app, "v2")]);
  const run = runConfig({ from: 18500, to: 18519 });
  const env = fleetEnvironment(app, run, [h], { lockTimeoutMs: 2_000, commandTimeoutMs: 3_000 });
  await deploy(fleetRequest(env, v1));

  setEngineFrozen(h, true);
  let err: Error;
  const t0 = performance.now();
  try {
    err = await failure(deploy(fleetRequest(env, v2)));
  } finally {
    setEngineFrozen(h, false);
  }
  const seconds = (performance.now() - t0) / 1000;
  expect(err).toBeInstanceOf(RolloutError);
  expect(err.message).toMatch(
    /did not finish within 5 s and was stopped; the host or the connection to it is stuck/,
  );
  // The lock's own wait (2 s) plus the command limit (3 s), plus ssh and the kill grace.
  expect(seconds).toBeLessThan(15);

  expect(await runningVersions(h, app)).toEqual(["v1", "v1"]);
  // The failed deploy's lock holder never started: the next deploy takes the lock at once.
  const t1 = performance.now();
  await deploy(fleetRequest(env, v2));
  expect(performance.now() - t1).toBeLessThan(30_000);
  expect(await runningVersions(h, app)).toEqual(["v2", "v2"]);
});
