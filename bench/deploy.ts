/**
 * Deploy benchmark, 4 instances of a small Node HTTP app on one host:
 *  - ours: `deploy()` over SSH (first deploy, then a rolling redeploy);
 *  - a powertrain-style script: one `ssh host docker …` per command (a new
 *    connection each), then the fixed `sleep 10` instead of a health gate;
 *  - the floor: on the host itself, `docker run` of the 4 containers until
 *    each answers its first HTTP 200;
 *  - rollback: until the previous version serves again.
 * Prints ratios against the targets (≥5× faster than the script, ≤1.5× the
 * floor, rollback under 2 s).
 *
 * Usage: bench/deploy [--verbose]   (needs ./scripts/setup; --verbose: timestamped steps on stderr)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { rollback } from "../packages/core/src/deploy/operations";
import { deploy } from "../packages/core/src/deploy/rollout";
import type { DeployEnvironment } from "../packages/core/src/deploy/types";
import { exec } from "../packages/core/src/exec/exec";
import { type Logger, silentLogger } from "../packages/core/src/log";
import { testEnv } from "../test/support/env";
import { buildAndPush } from "../test/support/helpers";

const INSTANCES = 4;
const PORTS = { from: 18500, to: 18599 };
const env = testEnv();
const app = `pt-bench-deploy-${Date.now().toString(36)}`;
const sshTarget = { host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port };

const SERVER = `require("http").createServer((req, res) => res.end(process.env.VERSION)).listen(8080);\n`;

async function buildApp(version: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pt-bench-deploy-"));
  try {
    writeFileSync(join(dir, "server.js"), SERVER);
    writeFileSync(
      join(dir, "Dockerfile"),
      `FROM ${env.images.node}\nCOPY server.js /app/server.js\nENV VERSION=${version}\nCMD ["/usr/local/bin/node", "/app/server.js"]\n`,
    );
    return await buildAndPush(env, dir, `${env.registry.host}/${app}/app:${version}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
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

/** The original tool's way: a fresh `ssh host docker …` per command, then a fixed sleep. */
async function scriptDeploy(image: string, firstPort: number): Promise<void> {
  const sshCmd = (args: string[], allowFailure = false) =>
    exec(
      "ssh",
      [
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
  await sshCmd(["docker", "ps", "-aq", "--filter", "status=exited", "--filter", `name=${app}-script`]);
  // The host has the image already and no registry login here: the round trip is what counts.
  await sshCmd(["docker", "pull", "-q", image], true);
  for (let i = 0; i < INSTANCES; i++) {
    await sshCmd([
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

async function cleanUp(): Promise<void> {
  const ids = (await exec("docker", ["ps", "-aq", "--filter", `label=dev.powertrain.app=${app}`])).stdout
    .split("\n")
    .filter(Boolean);
  if (ids.length) await exec("docker", ["rm", "-f", ...ids], { allowFailure: true });
  const images = (await exec("docker", ["images", "-q", `${env.registry.host}/${app}/app`])).stdout
    .split("\n")
    .filter(Boolean);
  if (images.length) await exec("docker", ["rmi", "-f", ...new Set(images)], { allowFailure: true });
  await exec(
    "ssh",
    [
      "-i",
      env.ssh.key,
      "-o",
      `UserKnownHostsFile=${env.ssh.knownHosts}`,
      "-p",
      String(env.ssh.port),
      `${env.ssh.user}@${sshTarget.host}`,
      "sh",
      "-c",
      `'rm -rf "$HOME/.powertrain/locks/${app}".* "$HOME/.powertrain/${app}".*'`,
    ],
    { allowFailure: true },
  );
}

async function main(): Promise<number> {
  const [v1, v2] = [await buildApp("v1"), await buildApp("v2")];
  try {
    const base = { environment, ssh, bindAddress: "127.0.0.1", logger };
    const first = await seconds(() => deploy({ ...base, image: v1 }));
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

    const script = await seconds(() => scriptDeploy(v1, PORTS.to - 2 * INSTANCES + 1));
    const floorTime = await seconds(() => floor(v1, PORTS.to - 3 * INSTANCES + 1));

    const rows: [string, number][] = [
      ["ours: first deploy (4 instances, health-gated)", first],
      ["ours: rolling redeploy", redeploy],
      ["powertrain-style script (ssh per command + sleep 10)", script],
      ["floor: docker run on the host until HTTP 200", floorTime],
      ["rollback: call returns", rollbackCall],
      ["rollback: until the old version serves", serving],
    ];
    for (const [name, s] of rows) console.log(`${name.padEnd(56)} ${s.toFixed(2)} s`);
    const vsScript = script / first;
    const vsFloor = first / floorTime;
    console.log("");
    console.log(
      `script / ours = ${vsScript.toFixed(1)}×   (target ≥ 5×)   ${vsScript >= 5 ? "ok" : "MISSED"}`,
    );
    console.log(
      `ours / floor  = ${vsFloor.toFixed(2)}×  (target ≤ 1.5×)  ${vsFloor <= 1.5 ? "ok" : "MISSED"}`,
    );
    console.log(`rollback      = ${serving.toFixed(2)} s (target < 2 s)  ${serving < 2 ? "ok" : "MISSED"}`);
    return vsScript >= 5 && vsFloor <= 1.5 && serving < 2 ? 0 : 1;
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
