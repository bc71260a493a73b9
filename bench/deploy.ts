/**
 * Benchmark of the deploy, 4 instances of a small node HTTP app on one SSH host:
 *
 *   ours    deploy(): lock, look, start, health gate, record, unlock; SSH connection included
 *   floor   on the host itself: `docker run` of the 4 containers until each answers HTTP 200
 *   script  the original tool's way: one `ssh host docker …` per command, then `sleep 10`
 *
 * plus a rolling redeploy and a rollback (until the old version answers again).
 * Ours and the floor are measured `--runs` times (default 5), in alternating
 * order, and compared by their medians. Targets: script/ours ≥ 5×,
 * ours/floor ≤ 1.5×, rollback < 2 s.
 *
 * Usage: bench/deploy [--runs N] [--verbose]
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { HostLock } from "../packages/core/src/deploy/lock";
import { rollback } from "../packages/core/src/deploy/rollback";
import { deploy } from "../packages/core/src/deploy/rollout";
import type { DeployEnvironment } from "../packages/core/src/deploy/types";
import { exec } from "../packages/core/src/exec/exec";
import { type Logger, silentLogger } from "../packages/core/src/log";
import { SshSession } from "../packages/core/src/ssh/session";
import { testEnv } from "../test/support/env";
import { buildVersionApp, median, removeDeployedApp } from "../test/support/helpers";
import { holdLockInChild } from "../test/support/lock-holder";

const INSTANCES = 4;
const PORTS = { from: 18500, to: 18599 };
const env = testEnv();
const app = `pt-bench-deploy-${Date.now().toString(36)}`;
const sshTarget = { host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port };

const buildApp = (version: string) => buildVersionApp(env, app, version);

const environment: DeployEnvironment = {
  name: "bench",
  app,
  hosts: [sshTarget],
  deploy: { strategy: "rolling", maxParallel: 1, keep: 1, healthTimeoutMs: 30_000, lockTimeoutMs: 30_000 },
  run: {
    instances: INSTANCES,
    ports: [{ container: 8080, host: PORTS, protocol: "tcp" }],
    env: {},
    volumes: [],
    labels: {},
    health: { http: "/" },
    stopTimeoutMs: 10_000,
    init: true,
    restart: "no",
  },
};
const ssh = { identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts };

const t0 = performance.now();
const stamp = (m: string) => console.error(`${((performance.now() - t0) / 1000).toFixed(3)} ${m}`);
const logger: Logger = process.argv.includes("--verbose")
  ? { debug: stamp, info: stamp, warn: stamp, error: stamp, mask() {}, group: (_n, fn) => fn() }
  : silentLogger;

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function answers(port: number): Promise<string | undefined> {
  // A short limit: docker's port proxy accepts at once, but its own connection to a container whose
  // network is not up yet waits for a SYN retransmit (1 s); a fresh attempt is quicker. A timer of
  // our own: AbortSignal.timeout's does not keep node alive, and node would exit mid-benchmark.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 100);
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function untilAnswers(ports: number[], body?: string): Promise<void> {
  await Promise.all(
    ports.map(async (p) => {
      for (;;) {
        const got = await answers(p);
        if (got !== undefined && (body === undefined || got === body)) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    }),
  );
}

/** A fresh `ssh host …` (no shared connection), as a script would run it. */
function sshCommand(args: string[], options: string[] = [], allowFailure = false) {
  return exec(
    "ssh",
    [
      ...options,
      "-i",
      env.ssh.key,
      "-o",
      `UserKnownHostsFile=${env.ssh.knownHosts}`,
      "-o",
      "BatchMode=yes",
      "-p",
      String(env.ssh.port),
      `${env.ssh.user}@${sshTarget.host}`,
      ...args,
    ],
    { allowFailure },
  );
}

/** The original tool's way: a fresh `ssh host docker …` per command, then a fixed sleep. */
async function scriptDeploy(image: string, firstPort: number): Promise<void> {
  await sshCommand(["docker", "ps", "-aq", "--filter", "status=exited", "--filter", `name=${app}-script`]);
  // The host has the image already and no registry login here: the round trip is what counts.
  await sshCommand(["docker", "pull", "-q", image], [], true);
  for (let i = 0; i < INSTANCES; i++) {
    await sshCommand([
      "docker",
      "run",
      "-d",
      "--name",
      `${app}-script-${i}`,
      "--label",
      `dev.powertrain.app=${app}`,
      "-p",
      `127.0.0.1:${firstPort + i}:8080`,
      image,
    ]);
  }
  await new Promise((r) => setTimeout(r, 10_000));
}

/** On the host itself: docker run the 4 containers, until each answers HTTP 200. */
async function floor(image: string, firstPort: number): Promise<void> {
  const ports = Array.from({ length: INSTANCES }, (_, i) => firstPort + i);
  await Promise.all(
    ports.map((port, i) =>
      exec("docker", [
        "run",
        "-d",
        "--init",
        "--name",
        `${app}-floor-${i}`,
        "--label",
        `dev.powertrain.app=${app}`,
        "-p",
        `127.0.0.1:${port}:8080`,
        image,
      ]),
    ),
  );
  await untilAnswers(ports);
}

const cleanUp = () => removeDeployedApp(env, app);

/** Remove every container of the app (ours and the floor's), so the next round starts from nothing. */
async function removeContainers(): Promise<void> {
  const ids = await exec("docker", ["ps", "-aq", "--filter", `label=dev.powertrain.app=${app}`]);
  const list = ids.stdout.split("\n").filter(Boolean);
  if (list.length) await exec("docker", ["rm", "-f", ...list]);
}

/** Seconds from SIGKILL of a lock's holder until the next deploy holds the lock (default stale time). */
async function lockRecovery(round: number): Promise<number> {
  const target = environment.hosts[0]!;
  const scope = { app: environment.app, environment: `lock-${round}` };
  const child = await holdLockInChild(target, scope, ssh);
  const session = await SshSession.create({ ...ssh });
  try {
    const host = await session.connect(target);
    const t0 = performance.now();
    child.kill("SIGKILL");
    const lock = await HostLock.acquire(host, {
      scope,
      deployId: `bench-${round}`,
      timeoutMs: 60_000,
      logger,
    });
    const took = (performance.now() - t0) / 1000;
    await lock.release();
    return took;
  } finally {
    await session.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "5" }, verbose: { type: "boolean", default: false } },
  });
  const runs = Math.max(1, Number(values.runs) || 1);
  const [v1, v2] = [await buildApp("v1"), await buildApp("v2")];
  try {
    const base = { environment, ssh, bindAddress: "127.0.0.1", logger };

    // First deploy and floor, in alternating order, a fresh start each round: docker's own
    // timings on a small machine vary by ±25% from one run to the next, so one pair says little.
    const firsts: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ours = async () => {
        firsts.push(
          await seconds(() => deploy({ ...base, image: v1, environment: { ...environment, name: `r${i}` } })),
        );
      };
      const theFloor = async () => {
        floors.push(await seconds(() => floor(v1, PORTS.to - INSTANCES + 1)));
      };
      for (const step of i % 2 ? [theFloor, ours] : [ours, theFloor]) {
        await step();
        await removeContainers();
      }
    }

    const redeployFirst = await seconds(() => deploy({ ...base, image: v1 }));
    const redeploy = await seconds(() => deploy({ ...base, image: v2 }));

    // Rollback: time until every v1 instance serves again (and the call's own duration).
    const [result] = await rollback(base);
    const back = result!.instances.map((i) => i.port!);
    await deploy({ ...base, image: v2 });
    let serving = 0;
    const rollbackCall = await seconds(async () => {
      const t0 = performance.now();
      const watch = untilAnswers(back, "v1").then(() => {
        serving = (performance.now() - t0) / 1000;
      });
      await rollback(base);
      await watch;
    });
    await removeContainers();

    // Lock recovery: a deploy's process killed while it holds the lock; the next one takes it at once.
    const recoveries: number[] = [];
    for (let i = 0; i < runs; i++) recoveries.push(await lockRecovery(i));

    const script = await seconds(() => scriptDeploy(v1, PORTS.to - 2 * INSTANCES + 1));
    const handshakes: number[] = [];
    for (let i = 0; i < runs; i++) handshakes.push(await seconds(() => sshCommand(["true"])));
    const kex = /kex: algorithm: (\S+)/.exec((await sshCommand(["true"], ["-v"])).stderr)?.[1] ?? "?";

    const first = median(firsts);
    const floorTime = median(floors);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
    const rows: [string, number, string?][] = [
      ["ours: first deploy (4 instances, health-gated), median", first, list(firsts)],
      ["floor: docker run on the host until HTTP 200, median", floorTime, list(floors)],
      ["ours: rolling redeploy", redeploy, `(first deploy of that app ${redeployFirst.toFixed(2)} s)`],
      ["powertrain-style script (ssh per command + sleep 10)", script],
      ["rollback: call returns", rollbackCall],
      ["rollback: until the old version serves", serving],
      ["lock recovery after a killed deploy, median", median(recoveries), list(recoveries)],
    ];
    console.log(`deploy benchmark: ${INSTANCES} instances on one host, ${runs} rounds\n`);
    for (const [name, s, more] of rows)
      console.log(`${name.padEnd(56)} ${s.toFixed(2)} s${more ? `   ${more}` : ""}`);
    const vsScript = script / first;
    const vsFloor = first / floorTime;
    const perRound = firsts.map((f, i) => f / floors[i]!).sort((a, b) => a - b);
    console.log("");
    console.log(
      `script / ours = ${vsScript.toFixed(1)}×   (target ≥ 5×)   ${vsScript >= 5 ? "ok" : "MISSED"}`,
    );
    console.log(
      `ours / floor  = ${vsFloor.toFixed(2)}×  (target ≤ 1.5×)  ${vsFloor <= 1.5 ? "ok" : "MISSED"}` +
        `   (medians; per round ${perRound[0]!.toFixed(2)}–${perRound[perRound.length - 1]!.toFixed(2)}×)`,
    );
    console.log(`rollback      = ${serving.toFixed(2)} s (target < 2 s)  ${serving < 2 ? "ok" : "MISSED"}`);
    const recovery = median(recoveries);
    console.log(
      `lock recovery after a killed deploy = ${recovery.toFixed(2)} s (target ≤ 2 s)  ${recovery <= 2 ? "ok" : "MISSED"}`,
    );
    const handshake = median(handshakes);
    console.log(
      `\nof ours: a new SSH connection (\`ssh host true\`) takes ${handshake.toFixed(2)} s with key exchange ${kex};` +
        ` the rest is ${((first - handshake) / floorTime).toFixed(2)}× the floor`,
    );
    return vsScript >= 5 && vsFloor <= 1.5 && serving < 2 && recovery <= 2 ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
