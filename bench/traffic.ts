/**
 * Traffic benchmark: per strategy (rolling, blue-green, canary), a bounded
 * load through the real nginx (scripts/lib/nginx.sh) while 2 instances of a
 * small Node HTTP app are deployed from v1 to v2, then rolled back (canary:
 * aborted). Prints requests sent / failed during the deploy and the rollback,
 * p50/p99 latency during the deploy versus before it (ratio), and the time
 * the load balancer switch and the whole rollback took. Then what canary analysis costs the host:
 * the CPU of reading one interval of nginx's access log at 1,000 requests/s (traffic-analysis.ts).
 *
 * Usage: bench/traffic [--verbose] [--analysis-only]   (needs ./scripts/setup with nginx)
 */
import { rmSync } from "node:fs";
import { abortCanary } from "../packages/core/src/deploy/canary";
import { rollback } from "../packages/core/src/deploy/rollback";
import { deploy } from "../packages/core/src/deploy/rollout";
import type { Strategy } from "../packages/core/src/deploy/traffic";
import type { DeployEnvironment } from "../packages/core/src/deploy/types";
import { type Logger, silentLogger } from "../packages/core/src/log";
import { testEnv } from "../test/support/env";
import { buildVersionApp, removeDeployedApp } from "../test/support/helpers";
import { type LoadResult, percentile, startLoad } from "../test/traffic/load";
import { measureAnalysisOverhead, printAnalysisOverhead } from "./traffic-analysis";

const env = testEnv();
if (!env.nginx) throw new Error("PT_NGINX_PORT is missing in the test environment — run ./scripts/setup");
const nginx = env.nginx;
const app = `pt-bench-traffic-${Date.now().toString(36)}`;
const sshTarget = { host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port };
const ssh = { identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts };
const LOAD = { port: nginx.port, host: `${app}-bench`, concurrency: 4, maxRequests: 50_000, maxMs: 120_000 };
const BEFORE_MS = 2_000;

const buildApp = (version: string) => buildVersionApp(env, app, version);

function environment(strategy: Strategy): DeployEnvironment {
  return {
    name: "bench",
    app,
    hosts: [sshTarget],
    deploy: {
      strategy,
      maxParallel: 1,
      keep: 2,
      healthTimeoutMs: 30_000,
      lockTimeoutMs: 30_000,
      router: { type: "nginx", confDir: nginx.confDir, nginx: nginx.binary, nginxConfig: nginx.conf },
      drainMs: 1_000,
      canary: { instances: 1, sharePercent: 10 },
      blueGreen: { keepIdleMs: 120_000 },
    },
    run: {
      instances: 2,
      ports: [{ container: 8080, host: { from: 20200, to: 20299 }, protocol: "tcp" }],
      env: {},
      volumes: [],
      labels: {},
      health: { http: "/" },
      stopTimeoutMs: 5_000,
      init: true,
      restart: "no",
    },
  };
}

const t0 = performance.now();
const stamp = (m: string) => console.error(`${((performance.now() - t0) / 1000).toFixed(3)} ${m}`);
const logger: Logger = process.argv.includes("--verbose")
  ? { debug: stamp, info: stamp, warn: stamp, error: stamp, mask() {}, group: (_n, fn) => fn() }
  : silentLogger;

async function underLoad<T>(fn: () => Promise<T>): Promise<{ value: T; load: LoadResult; ms: number }> {
  const load = startLoad(LOAD);
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  return { value, load: await load.stop(), ms };
}

interface Row {
  strategy: Strategy;
  deploy: LoadResult;
  before: LoadResult;
  switchMs?: number;
  rollbackMs: number;
  rollbackSwitchMs?: number;
  rollbackLoad: LoadResult;
}

async function measure(strategy: Strategy, v2: string): Promise<Row> {
  const e = environment(strategy);
  const before = await startLoad({ ...LOAD, maxMs: BEFORE_MS }).done;
  const dep = await underLoad(() =>
    deploy({ environment: e, image: v2, ssh, bindAddress: "127.0.0.1", logger }),
  );
  const back = await underLoad(async () =>
    strategy === "canary"
      ? (await abortCanary({ environment: e, ssh, logger }))[0]?.switchMs
      : (await rollback({ environment: e, ssh, bindAddress: "127.0.0.1", logger }))[0]?.switchMs,
  );
  return {
    strategy,
    before,
    deploy: dep.load,
    switchMs: dep.value.switchMs,
    rollbackMs: back.ms,
    rollbackSwitchMs: back.value,
    rollbackLoad: back.load,
  };
}

function ratio(during: number, before: number): string {
  return `${(during / before).toFixed(2)}×`;
}

function print(rows: Row[]): void {
  const ms = (v: number | undefined) => (v === undefined ? "-" : `${Math.round(v)} ms`);
  const table = [
    [
      "strategy",
      "sent",
      "failed",
      "p50 before→during",
      "p99 before→during",
      "switch",
      "rollback (switch)",
      "rb failed",
    ],
  ];
  for (const r of rows) {
    const [b50, d50, b99, d99] = [
      percentile(r.before.latenciesMs, 50),
      percentile(r.deploy.latenciesMs, 50),
      percentile(r.before.latenciesMs, 99),
      percentile(r.deploy.latenciesMs, 99),
    ];
    table.push([
      r.strategy,
      String(r.deploy.sent),
      String(r.deploy.failed),
      `${b50.toFixed(1)}→${d50.toFixed(1)} ms (${ratio(d50, b50)})`,
      `${b99.toFixed(1)}→${d99.toFixed(1)} ms (${ratio(d99, b99)})`,
      ms(r.switchMs),
      `${ms(r.rollbackMs)} (${ms(r.rollbackSwitchMs)})`,
      `${r.rollbackLoad.failed}/${r.rollbackLoad.sent}`,
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  console.log(
    `\n${LOAD.concurrency} loops through nginx on 127.0.0.1:${nginx.port}, a new connection per request; ` +
      "canary at 10%, its rollback is abort-canary; rollback (switch) = whole command (load balancer switch).",
  );
}

async function cleanUp(): Promise<void> {
  rmSync(`${nginx.confDir}/powertrain/${app}-bench.conf`, { force: true });
  rmSync(`${nginx.confDir}/powertrain/${app}-bench.access.log`, { force: true });
  await removeDeployedApp(env, app);
}

async function main(): Promise<void> {
  if (!process.argv.includes("--analysis-only")) await strategies();
  printAnalysisOverhead(await measureAnalysisOverhead());
}

async function strategies(): Promise<void> {
  const [v1, v2] = await Promise.all([buildApp("v1"), buildApp("v2")]);
  const rows: Row[] = [];
  try {
    await deploy({ environment: environment("rolling"), image: v1, ssh, bindAddress: "127.0.0.1", logger });
    for (const strategy of ["rolling", "blue-green", "canary"] as const) {
      stamp(`${strategy}…`);
      rows.push(await measure(strategy, v2));
    }
  } finally {
    await cleanUp();
  }
  print(rows);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
