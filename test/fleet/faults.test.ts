/**
 * Real faults during many-host deploys to the fleet: an engine that stops mid-rollout, a host whose
 * link is down, a slow lossy link (Toxiproxy in front of one host's sshd). What each host runs
 * afterwards is read from that host's engine.
 */
import { performance } from "node:perf_hooks";
import { deploy, RolloutError } from "../../packages/core/src/deploy/rollout";
import { buildApp, failure, newApp, runConfig } from "../deploy/support";
import { addToxics, proxied, removeToxics, repairFleet, setLink, slowLossyLink, stopEngine } from "./faults";
import {
  cleanUpFleet,
  containersOn,
  fleet,
  fleetEnvironment,
  fleetRequest,
  fleetSsh,
  runningVersions,
  target,
  versionAt,
} from "./support";

jest.setTimeout(180_000);

const hosts = fleet.hosts.slice(0, 4);
const app = newApp();
let v1: string;
let v2: string;
let v3: string;
const env = () => fleetEnvironment(app, runConfig({ from: 18400, to: 18419 }), hosts);

beforeAll(async () => {
  [v1, v2, v3] = await Promise.all([buildApp(app, "v1"), buildApp(app, "v2"), buildApp(app, "v3")]);
});
afterAll(async () => {
  await repairFleet();
  await cleanUpFleet(app, hosts);
});

beforeEach(async () => {
  // Every test starts from v1 on all four hosts.
  await deploy(fleetRequest(env(), v1, { maxParallel: 4 }));
  for (const h of hosts) expect(await runningVersions(h, app)).toEqual(["v1", "v1"]);
});

test("a host's dockerd stops mid-rollout: the rollout stops, hosts not reached keep v1, the report says who runs what", async () => {
  const rollout = failure(deploy(fleetRequest(env(), v2)));
  // Host 2's engine goes as soon as its first v2 container exists: host 1 is done, 3 and 4 wait.
  const deadline = Date.now() + 60_000;
  while (!(await containersOn(hosts[1]!, app)).some((c) => c.version === "v2")) {
    if (Date.now() > deadline) throw new Error("the rollout never reached host 2");
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopEngine(hosts[1]!);
  const err = await rollout;
  expect(err).toBeInstanceOf(RolloutError);
  const { report, message } = err as RolloutError;
  expect(report.hosts.map((h) => h.status)).toEqual(["deployed", "failed", "not-started", "not-started"]);
  expect(report.hosts[0]!.version).toBe("v2");
  expect(message).toMatch(/10\.231\.0\.12:22: failed/);
  expect(message).toMatch(/10\.231\.0\.13:22: not-started \(old version untouched\)/);
  expect(await runningVersions(hosts[0]!, app)).toEqual(["v2", "v2"]);
  expect(await runningVersions(hosts[2]!, app)).toEqual(["v1", "v1"]);
  expect(await runningVersions(hosts[3]!, app)).toEqual(["v1", "v1"]);
  await repairFleet(); // the engine back for the next test
});

test("a host unreachable (its link down): a clear error within the connect timeout, the other hosts untouched", async () => {
  const down = hosts[2]!;
  const connectTimeoutSeconds = 5;
  await setLink(down, "down");
  try {
    // The unreachable host first, rolling: nothing else may be touched while it fails.
    const order = [down, ...hosts.filter((h) => h !== down)];
    const request = fleetRequest(fleetEnvironment(app, runConfig({ from: 18400, to: 18419 }), order), v2, {
      ssh: { ...fleetSsh(), connectTimeoutSeconds },
    });
    const t0 = performance.now();
    const err = await failure(deploy(request));
    const seconds = (performance.now() - t0) / 1000;
    expect(err).toBeInstanceOf(RolloutError);
    const { report, message } = err as RolloutError;
    expect(report.hosts.map((h) => h.status)).toEqual([
      "failed",
      "not-started",
      "not-started",
      "not-started",
    ]);
    expect(report.hosts[0]!.error).toMatch(/10\.231\.0\.13.*(timed out|unreachable|connect)/i);
    expect(message).toMatch(/10\.231\.0\.13:22: failed/);
    // Within the connect timeout, plus the time a busy 2-core machine needs for the rest.
    expect(seconds).toBeLessThan(connectTimeoutSeconds + 10);
  } finally {
    await setLink(down, "up");
  }
  for (const h of hosts) expect(await runningVersions(h, app)).toEqual(["v1", "v1"]);
});

test("with deploy.max-unreachable 1, the unreachable host is skipped and reported, the others deploy", async () => {
  const down = hosts[2]!;
  await setLink(down, "down");
  try {
    const tolerant = fleetEnvironment(app, runConfig({ from: 18400, to: 18419 }), hosts, {
      maxUnreachable: 1,
    });
    const report = await deploy(
      fleetRequest(tolerant, v2, { ssh: { ...fleetSsh(), connectTimeoutSeconds: 5 } }),
    );
    expect(report.hosts.map((h) => h.status)).toEqual(["deployed", "deployed", "unreachable", "deployed"]);
    expect(report.hosts[2]!.error).toMatch(/10\.231\.0\.13/);
  } finally {
    await setLink(down, "up");
  }
  expect(await runningVersions(down, app)).toEqual(["v1", "v1"]);
  for (const h of hosts.filter((x) => x !== down))
    expect(await runningVersions(h, app)).toEqual(["v2", "v2"]);
});

test("a slow, lossy link to one host: the deploy is still correct everywhere", async () => {
  const slow = hosts[0]!;
  const proxy = "ssh-1";
  const toxics = await addToxics(proxy, slowLossyLink());
  try {
    const request = fleetRequest(env(), v3, {
      hosts: [proxied(slow), ...hosts.slice(1).map(target)],
      maxParallel: 4,
    });
    const t0 = performance.now();
    const report = await deploy(request);
    const seconds = (performance.now() - t0) / 1000;
    expect(report.hosts.map((h) => h.status)).toEqual(["deployed", "deployed", "deployed", "deployed"]);
    for (const h of hosts) expect(await runningVersions(h, app)).toEqual(["v3", "v3"]);
    for (const d of report.deployed.filter((x) => x.host.includes("127.0.0.1"))) {
      expect(await versionAt(slow, d.port!)).toBe("v3");
    }
    console.log(`slow lossy link to one of 4 hosts: deploy took ${seconds.toFixed(1)} s`);
  } finally {
    await removeToxics(proxy, toxics);
  }
});
