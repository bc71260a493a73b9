import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { deploy, RolloutError } from "../../packages/core/src/deploy/rollout";
import { exec } from "../../packages/core/src/exec/exec";
import type { Logger } from "../../packages/core/src/log";
import {
  cleanUpFleet,
  fleet,
  fleetEnvironment,
  fleetRequest,
  runningVersions,
  versionAt,
} from "../fleet/support";
import { tempDir } from "../support/helpers";
import {
  buildApp,
  cleanUp,
  containersOf,
  environment,
  failure,
  newApp,
  request,
  runConfig,
  versionOn,
} from "./support";

jest.setTimeout(120_000);

function recordingLogger(lines: string[]): Logger {
  const push = (m: string) => void lines.push(m);
  return { debug: push, info: push, warn: push, error: push, mask() {}, group: (_n, fn) => fn() };
}

// Each host its own engine (the fleet): containers, ports and images of one host are invisible to
// the others, so a report that claims a host runs something is checked on that host's engine.
describe("many hosts", () => {
  const app = newApp();
  const hosts = fleet.hosts.slice(0, 4);
  let v1: string;
  let bad: string;
  beforeAll(async () => {
    [v1, bad] = await Promise.all([buildApp(app, "v1"), buildApp(app, "v2-bad", { healthy: false })]);
  });
  afterAll(() => Promise.all([cleanUp(app), cleanUpFleet(app, hosts)]));

  test("deploys to every host, max-parallel at once: exactly the asked-for containers on each engine", async () => {
    const env = fleetEnvironment(app, runConfig({ from: 18200, to: 18219 }), hosts);
    const report = await deploy(fleetRequest(env, v1, { maxParallel: 4 }));
    expect(report.hosts.map((h) => [h.status, h.version])).toEqual(hosts.map(() => ["deployed", "v1"]));
    expect(new Set(report.deployed.map((d) => d.host)).size).toBe(4);
    for (const h of hosts) expect(await runningVersions(h, app)).toEqual(["v1", "v1"]);
    for (const d of report.deployed) {
      const h = hosts.find((x) => d.host.includes(x.host))!;
      expect(await versionAt(h, d.port!)).toBe("v1");
    }
  });

  test("a failing host stops the rollout; the rest stay on the old version; the report says who runs what", async () => {
    const env = fleetEnvironment(app, runConfig({ from: 18200, to: 18219 }), hosts, {
      healthTimeoutMs: 2000,
    });
    const err = await failure(deploy(fleetRequest(env, bad)));
    expect(err).toBeInstanceOf(RolloutError);
    const { report, message } = err as RolloutError;
    expect(report.hosts.map((h) => h.status)).toEqual([
      "failed",
      "not-started",
      "not-started",
      "not-started",
    ]);
    expect(message).toMatch(
      /hosts:\n {2}\S+10\.231\.0\.11:22: failed\n {2}\S+10\.231\.0\.12:22: not-started \(old version untouched\)/,
    );
    for (const h of hosts) expect(await runningVersions(h, app)).toEqual(["v1", "v1"]);
  });
});

describe("a deploy killed mid-way", () => {
  const app = newApp();
  const tmp = tempDir("pt-deploy-killed-");
  let v1: string;
  let v2: string;
  let hanging: string;
  beforeAll(async () => {
    [v1, v2, hanging] = await Promise.all([
      buildApp(app, "v1"),
      buildApp(app, "v2"),
      buildApp(app, "v-hang", { healthy: false }),
    ]);
  });
  afterAll(async () => {
    // The killed process's ssh master outlives it: close it like its own clean-up would have.
    for (const dir of readdirSync(tmp).filter((d) => d.startsWith("pt-ssh-"))) {
      for (const sock of readdirSync(join(tmp, dir)).filter((f) => /^c\d+$/.test(f))) {
        await exec("ssh", ["-o", `ControlPath=${join(tmp, dir, sock)}`, "-O", "exit", "x"], {
          allowFailure: true,
        });
      }
    }
    await cleanUp(app);
  });

  test("is recovered by the next one: stale lock taken over, its containers replaced", async () => {
    const env = environment(app, runConfig({ from: 18220, to: 18239 }));
    await deploy(request(env, v1));

    const slow = { ...env, deploy: { ...env.deploy, healthTimeoutMs: 60_000 } };
    const { logger: _logger, ...childRequest } = request(slow, hanging);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", resolve(__dirname, "fixtures/deploy-child.ts")],
      {
        env: { ...process.env, TMPDIR: tmp, PT_DEPLOY_REQUEST: JSON.stringify(childRequest) },
        stdio: "ignore",
      },
    );
    const exited = new Promise((done) => child.once("exit", done));
    const deadline = Date.now() + 30_000;
    while (!(await containersOf(app)).some((c) => c.version === "v-hang" && c.state === "running")) {
      if (Date.now() > deadline) throw new Error("the child deploy never started its containers");
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    await exited;

    const lines: string[] = [];
    const report = await deploy(request(env, v2, { lockStaleMs: 2000, logger: recordingLogger(lines) }));
    expect(lines.join("\n")).toMatch(
      /took over a stale deploy lock \(owner: .* deploy-id: .*\(no heartbeat for \d+s\)\)/,
    );
    expect(report.previousVersion).toBe("v1");
    for (const d of report.deployed) expect(await versionOn(d.port!)).toBe("v2");
    const left = await containersOf(app);
    expect(left.filter((c) => c.version === "v-hang")).toEqual([]);
    expect(left.filter((c) => c.state === "exited").map((c) => c.version)).toEqual(["v1", "v1"]);
  });
});
