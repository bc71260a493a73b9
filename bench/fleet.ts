/**
 * Fleet benchmark: deploys of 2 instances of a small node HTTP app to 1, 4, 8 and 16 isolated
 * Docker hosts (scripts/lib/fleet.sh), host by host (max-parallel 1) and all at once
 * (max-parallel = hosts), `--runs` rounds each (default 3), compared by medians. Every deploy is a
 * new version (a new image config; the layers are on the engines from a first, unmeasured
 * deploy), so each one pulls, starts, health-gates and stops the old instances for real.
 * During the 16-host parallel deploys it samples the runner's CPU and memory (ssh masters
 * included), and after them each engine's memory. Ends with
 * `fleet: 16 hosts in parallel = N× one host (target ≤ 2×)`.
 *
 * Usage: bench/fleet [--runs N] [--verbose]     (needs ./scripts/setup --fleet 16)
 *        bench/fleet --faults [--verbose]        the fault figures (bench/fleet-faults.ts)
 *        bench/fleet --traffic [--verbose]       a rolling deploy over 4 hosts behind nginx, under load
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deploy } from "../packages/core/src/deploy/rollout";
import { type Logger, silentLogger } from "../packages/core/src/log";
import { rollingUnderLoad } from "../test/fleet/lb";
import { cleanUpFleet, docker, fleetEnvironment, fleetRequest } from "../test/fleet/support";
import type { FleetHost } from "../test/support/env";
import { fleetEnv, testEnv } from "../test/support/env";
import { buildVersionApp, median } from "../test/support/helpers";
import { percentile } from "../test/traffic/load";
import { faults } from "./fleet-faults";
import { engineMemory, measureRunner, type RunnerUsage } from "./fleet-usage";

const SIZES = [1, 4, 8, 16];
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    faults: { type: "boolean", default: false },
    traffic: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});
const env = testEnv();
const fleet = fleetEnv(env, values.faults || values.traffic ? 4 : 16);
const fleetRegistry = fleet.registry;
// The ssh masters' session directories are made under TMPDIR: ours, to find them in /proc.
const benchTmp = mkdtempSync(join(tmpdir(), "pt-bench-fleet-"));
process.env.TMPDIR = benchTmp;

const t0 = performance.now();
const stamp = (m: string) => console.error(`${((performance.now() - t0) / 1000).toFixed(3)} ${m}`);
const logger: Logger = values.verbose
  ? { debug: stamp, info: stamp, warn: stamp, error: stamp, mask() {}, group: (_n, fn) => fn() }
  : silentLogger;

async function curve(): Promise<number> {
  const runs = Math.max(1, Number(values.runs) || 1);
  const app = `pt-bench-fleet-${Date.now().toString(36)}`;
  const hosts = fleet.hosts.slice(0, 16);
  const run = {
    instances: 2,
    ports: [{ container: 8080, host: { from: 18600, to: 18619 }, protocol: "tcp" as const }],
    env: {},
    volumes: [],
    labels: {},
    health: { http: "/" },
    stopTimeoutMs: 5_000,
    init: true,
    restart: "no" as const,
  };
  let version = 0;
  const images: string[] = [];
  const nextImage = () => images[++version]!;
  const times = new Map<string, number[]>();
  const usages: RunnerUsage[] = [];
  try {
    console.error(`building ${SIZES.length * 2 * runs + 1} versions of the app…`);
    for (let i = 1; i <= SIZES.length * 2 * runs + 1; i++)
      images[i] = await buildVersionApp(env, app, `v${i}`);
    const environment = fleetEnvironment(app, run, hosts, { healthTimeoutMs: 60_000 });
    const first = performance.now();
    await deploy(fleetRequest(environment, nextImage(), { maxParallel: 16, logger }));
    console.error(
      `first deploy to 16 hosts (pulls the node base layers): ${((performance.now() - first) / 1000).toFixed(1)} s`,
    );

    for (let r = 0; r < runs; r++) {
      for (const n of SIZES) {
        const modes = r % 2 ? (["parallel", "serial"] as const) : (["serial", "parallel"] as const);
        for (const mode of modes) {
          const request = fleetRequest(environment, nextImage(), {
            hosts: environment.hosts.slice(0, n),
            maxParallel: mode === "parallel" ? n : 1,
            logger,
          });
          const measured = async () => {
            const s = performance.now();
            await deploy(request);
            return (performance.now() - s) / 1000;
          };
          let seconds: number;
          if (n === 16 && mode === "parallel") {
            let usage: RunnerUsage;
            [seconds, usage] = await measureRunner(benchTmp, measured);
            usages.push(usage);
          } else {
            seconds = await measured();
          }
          const key = `${n} ${mode}`;
          times.set(key, [...(times.get(key) ?? []), seconds]);
          console.error(`round ${r + 1}: ${key.padEnd(12)} ${seconds.toFixed(2)} s`);
        }
        const f = await floor(app, hosts.slice(0, n), images[version]!);
        times.set(`${n} floor`, [...(times.get(`${n} floor`) ?? []), f]);
        console.error(`round ${r + 1}: ${`${n} floor`.padEnd(12)} ${f.toFixed(2)} s`);
      }
    }
    const memory = hosts.map((h, i) => engineMemory(h, i + 1));
    return report(runs, times, usages, memory);
  } finally {
    await cleanUpFleet(app, hosts);
  }
}

/**
 * The machine's floor: on each of the hosts' engines at once, straight through its socket, `docker
 * run` 2 instances of the image the hosts have, until each answers HTTP 200. No SSH, lock, health
 * gate or old instances to stop: what 2 shared cores can do at all.
 */
async function floor(app: string, hosts: FleetHost[], image: string): Promise<number> {
  const name = (i: number) => `${app}-floor-${i}`;
  const fleetImage = image.replace(/^[^/]+/, fleetRegistry);
  const s = performance.now();
  await Promise.all(
    hosts.map((h) =>
      Promise.all(
        [0, 1].map(async (i) => {
          const port = 18650 + i;
          await docker(h, [
            "run",
            "-d",
            "--init",
            "--name",
            name(i),
            "--label",
            `dev.powertrain.app=${app}`,
            "-p",
            `${port}:8080`,
            fleetImage,
          ]);
          for (;;) {
            const ok = await fetch(`http://${h.host}:${port}/`, { signal: AbortSignal.timeout(500) }).then(
              (r) => r.ok,
              () => false,
            );
            if (ok) return;
            await new Promise((r) => setTimeout(r, 10));
          }
        }),
      ),
    ),
  );
  const seconds = (performance.now() - s) / 1000;
  await Promise.all(hosts.map((h) => docker(h, ["rm", "-f", name(0), name(1)], true)));
  return seconds;
}

function report(
  runs: number,
  times: Map<string, number[]>,
  usages: RunnerUsage[],
  memory: ReturnType<typeof engineMemory>[],
): number {
  const m = (key: string) => median(times.get(key) ?? [Number.NaN]);
  const one = median([...(times.get("1 serial") ?? []), ...(times.get("1 parallel") ?? [])]);
  const [load1, load5] = loadavg();
  console.log(
    `fleet benchmark: 2 instances per host, rolling deploy of a new version, ${runs} rounds (medians); ` +
      `machine load average at the end ${load1!.toFixed(1)} (5 min ${load5!.toFixed(1)}) on ${availableParallelism()} cores\n`,
  );
  console.log(
    "hosts   max-parallel 1   max-parallel = hosts   parallel / one host   floor (docker run, all at once)",
  );
  for (const n of SIZES) {
    const serial = m(`${n} serial`);
    const parallel = m(`${n} parallel`);
    const f = m(`${n} floor`);
    console.log(
      `${String(n).padStart(5)}   ${serial.toFixed(2).padStart(8)} s       ${parallel.toFixed(2).padStart(8)} s` +
        `            ${(parallel / one).toFixed(2).padStart(5)}×            ${f.toFixed(2).padStart(6)} s` +
        ` = ${(f / m("1 floor")).toFixed(2)}× one engine`,
    );
  }
  const mb = (x: number) => `${x.toFixed(0)} MB`;
  const u = (f: (x: RunnerUsage) => number) => median(usages.map(f));
  const cpu = u((x) => x.nodeCpuS + x.sshCommandsCpuS + x.mastersCpuS);
  console.log(
    `\nrunner during a 16-host parallel deploy (median of ${usages.length}): ` +
      `CPU ${cpu.toFixed(2)} s in ${u((x) => x.wallS).toFixed(2)} s wall ` +
      `(node ${u((x) => x.nodeCpuS).toFixed(2)} s, ssh commands ${u((x) => x.sshCommandsCpuS).toFixed(2)} s, ` +
      `ssh masters ${u((x) => x.mastersCpuS).toFixed(2)} s); ` +
      `memory: node peak ${mb(u((x) => x.nodePeakRssMb))}, ${u((x) => x.mastersPeak)} ssh masters ` +
      `${mb(u((x) => x.mastersPeakRssMb))} together (${(u((x) => x.mastersPeakRssMb / Math.max(1, x.mastersPeak)) * 1024).toFixed(0)} KB each)`,
  );
  const engines = memory.map((x) => x.engineMb);
  const containers = memory.map((x) => x.containersMb);
  console.log(
    `memory per engine (16 engines, 2 instances each): dockerd + containerd median ${mb(median(engines))} ` +
      `(max ${mb(Math.max(...engines))}); its containers median ${mb(median(containers))}`,
  );
  const ratio = m("16 parallel") / one;
  console.log(
    `\nof 16 in parallel: ${(m("16 parallel") / m("16 floor")).toFixed(2)}× the floor ` +
      `(1 host: ${(one / m("1 floor")).toFixed(2)}×); the floor itself grows ${(m("16 floor") / m("1 floor")).toFixed(2)}× ` +
      `from 1 engine to 16 on this machine's ${availableParallelism()} cores, so the deploy's own growth ` +
      `beyond the machine's is ${(m("16 parallel") / one / (m("16 floor") / m("1 floor"))).toFixed(2)}×`,
  );
  console.log(
    `\nfleet: 16 hosts in parallel = ${ratio.toFixed(2)}× one host (target ≤ 2×)${ratio <= 2 ? "" : "  MISSED"}`,
  );
  return ratio <= 2 ? 0 : 1;
}

/** Requests sent and failed through nginx in front of 4 hosts while a rolling deploy moves them. */
async function traffic(): Promise<number> {
  const app = `pt-bench-fleet-lb-${Date.now().toString(36)}`;
  const hosts = fleet.hosts.slice(0, 4);
  try {
    const [v1, v2] = [await buildVersionApp(env, app, "v1"), await buildVersionApp(env, app, "v2")];
    const { load, deploySeconds } = await rollingUnderLoad(app, { v1, v2 }, hosts, logger);
    const p = (q: number) => `${percentile(load.latenciesMs, q).toFixed(1)} ms`;
    console.log(
      "fleet traffic: nginx in front of 4 hosts (upstreams on the namespace addresses), 4 clients\n",
    );
    console.log(
      `rolling deploy v1 → v2, max-parallel 1, ${deploySeconds.toFixed(1)} s: sent ${load.sent}, failed ${load.failed}` +
        ` (v1 ${load.byBody.v1 ?? 0}, v2 ${load.byBody.v2 ?? 0}); latency p50 ${p(50)}, p99 ${p(99)}` +
        (load.errors.length ? `\nfirst failures: ${load.errors.slice(0, 3).join("; ")}` : ""),
    );
    return load.failed === 0 ? 0 : 1;
  } finally {
    await cleanUpFleet(app, hosts);
  }
}

async function main(): Promise<number> {
  if (values.traffic) return traffic();
  if (values.faults) {
    return faults(logger);
  }
  return curve();
}

main()
  .then(
    (code) => code,
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      return 1;
    },
  )
  .then((code) => {
    rmSync(benchTmp, { recursive: true, force: true });
    process.exit(code);
  });
