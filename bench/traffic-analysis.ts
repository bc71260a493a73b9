/**
 * What canary analysis costs the deploy host: one check reads the lines nginx logged since the
 * previous one and aggregates them there (remote/canary-metrics.sh). A log of one interval at
 * 1,000 requests/s (30 s → 30,000 lines in router/nginx.ts's format: two stable backends, a
 * canary, 1% errors, a few retried requests) is read over ssh on the test host, the way an
 * analysis reads it; the shell's `times` gives the CPU the script and its children used.
 * Prints the CPU per check as a share of one core over the interval (target: under 5%), the
 * wall time and the bytes that come back.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GROWTH } from "../packages/core/src/canary/histogram";
import { silentLogger } from "../packages/core/src/log";
import { REMOTE_SCRIPTS } from "../packages/core/src/remote";
import { parseMetricRows } from "../packages/core/src/router/nginx";
import { SshSession } from "../packages/core/src/ssh/session";
import { testEnv } from "../test/support/env";
import { median } from "../test/support/helpers";

const RATE = 1_000;
const INTERVAL_S = 30;
const RUNS = 5;
const TARGET_PERCENT = 5;

/** One interval of a canary's access log, as nginx writes it. */
function logLines(start: number): string {
  const backends = ["127.0.0.1:20201", "127.0.0.1:20202", "127.0.0.1:20203"];
  const lines: string[] = [];
  for (let i = 0; i < RATE * INTERVAL_S; i++) {
    const t = (start + i / RATE).toFixed(3);
    const b = backends[i % 10 === 0 ? 2 : i % 2]!;
    const failed = i % 100 === 7;
    const retried = i % 500 === 3;
    const urt = (0.004 + ((i * 7919) % 40) / 1000).toFixed(3);
    const addr = retried ? `${backends[2]}, ${b}` : b;
    const ustatus = retried ? "502, 200" : failed ? "500" : "200";
    const times = retried ? `0.001, ${urt}` : urt;
    lines.push(
      `{"time":${t},"upstream":"${addr}","status":${failed ? 500 : 200},"upstream_status":"${ustatus}",` +
        `"request_time":${urt},"upstream_response_time":"${times}","bytes":312}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** "0m0.120000s 0m0.030000s" → seconds (dash's and bash's `times`). */
function seconds(field: string): number {
  const m = /(\d+)m([\d.]+)s/.exec(field);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

export interface AnalysisOverhead {
  lines: number;
  logBytes: number;
  cpuMs: number;
  wallMs: number;
  replyBytes: number;
  rows: number;
  corePercent: number;
}

export async function measureAnalysisOverhead(): Promise<AnalysisOverhead> {
  const env = testEnv();
  const dir = mkdtempSync(join(tmpdir(), "pt-bench-canary-"));
  chmodSync(dir, 0o755);
  const log = join(dir, "app-bench.access.log");
  const text = logLines(Math.floor(Date.now() / 1000) - INTERVAL_S);
  writeFileSync(log, text, { mode: 0o644 });
  const session = await SshSession.create({
    identityFile: env.ssh.key,
    knownHostsFile: env.ssh.knownHosts,
    logger: silentLogger,
  });
  try {
    const host = await session.connect({ host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port });
    const cpu: number[] = [];
    const wall: number[] = [];
    let reply = "";
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      // The script as runScript runs it, its output kept; then `times`: the children's user and system CPU.
      const r = await host.run([
        "sh",
        "-c",
        'script=$1; shift; out=$(sh -c "$script" sh "$@"); printf "%s\\n@@times\\n" "$out"; times',
        "sh",
        REMOTE_SCRIPTS["canary-metrics"],
        log,
        "0",
        "0",
        String(INTERVAL_S),
        String(GROWTH),
      ]);
      wall.push(performance.now() - t0);
      const [out = "", times = ""] = r.stdout.split("@@times\n");
      const children = times.trim().split("\n").at(-1)!.trim().split(/\s+/);
      cpu.push((seconds(children[0]!) + seconds(children[1]!)) * 1000);
      reply = out;
    }
    const cpuMs = median(cpu);
    return {
      lines: RATE * INTERVAL_S,
      logBytes: text.length,
      cpuMs,
      wallMs: median(wall),
      replyBytes: reply.length,
      rows: parseMetricRows(reply.split("@@rows\n")[1] ?? "").length,
      corePercent: (cpuMs / (INTERVAL_S * 1000)) * 100,
    };
  } finally {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printAnalysisOverhead(o: AnalysisOverhead): void {
  const mb = (o.logBytes / 1e6).toFixed(1);
  console.log(
    `\ncanary analysis on the host: one check reads ${o.lines} log lines (${RATE} requests/s × ${INTERVAL_S} s interval, ${mb} MB)` +
      ` in ${o.cpuMs.toFixed(0)} ms CPU (median of ${RUNS}; ${o.wallMs.toFixed(0)} ms wall over ssh),` +
      ` ${o.replyBytes} bytes back (${o.rows} rows)`,
  );
  console.log(
    `reading the log costs ${o.corePercent.toFixed(2)}% of one core at ${RATE} requests/s (target < ${TARGET_PERCENT}%: ${o.corePercent < TARGET_PERCENT ? "met" : "NOT met"})`,
  );
}
