/**
 * What the fleet benchmark measures besides time, read from /proc and the cgroups: the runner's own
 * CPU and memory during a deploy (node itself, the ssh commands it ran, and the ssh master
 * connections, which run detached and are found by the session directory in their command line),
 * and each engine's memory (dockerd + its containerd, and its containers' cgroup).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { FleetHost } from "../test/support/env";

const TICK_S = 0.01; // USER_HZ: /proc counts CPU time in 1/100 s everywhere Linux runs
const PAGE_KB = 4;

interface ProcStat {
  ppid: number;
  cpuTicks: number;
  childTicks: number;
  rssKb: number;
}

function procStat(pid: number | "self"): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the ")" that ends the command name: state ppid … utime(14) stime(15) cutime cstime … rss(24).
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(f[1]),
      cpuTicks: Number(f[11]) + Number(f[12]),
      childTicks: Number(f[13]) + Number(f[14]),
      rssKb: Number(f[21]) * PAGE_KB,
    };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

const pids = (): number[] =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

export interface RunnerUsage {
  wallS: number;
  nodeCpuS: number;
  sshCommandsCpuS: number;
  mastersCpuS: number;
  nodePeakRssMb: number;
  mastersPeak: number;
  mastersPeakRssMb: number;
}

/**
 * Samples while `fn` runs. `marker` is a path in the ssh masters' command lines (their session
 * directory is made under TMPDIR, so the bench sets TMPDIR to a directory of its own).
 */
export async function measureRunner<T>(marker: string, fn: () => Promise<T>): Promise<[T, RunnerUsage]> {
  const self0 = procStat("self")!;
  const t0 = performance.now();
  const masterTicks = new Map<number, number>();
  let nodePeak = self0.rssKb;
  let mastersPeak = 0;
  let mastersPeakRss = 0;
  const sample = () => {
    nodePeak = Math.max(nodePeak, procStat("self")?.rssKb ?? 0);
    let count = 0;
    let rss = 0;
    for (const pid of pids()) {
      if (pid === process.pid) continue;
      const line = cmdline(pid);
      // The master titles itself "ssh: <ControlPath> [mux]"; the commands riding on it are our children.
      if (!line.includes(marker) || !line.includes("[mux]")) continue;
      const s = procStat(pid);
      if (!s) continue;
      count++;
      rss += s.rssKb;
      masterTicks.set(pid, Math.max(masterTicks.get(pid) ?? 0, s.cpuTicks));
    }
    mastersPeak = Math.max(mastersPeak, count);
    mastersPeakRss = Math.max(mastersPeakRss, rss);
  };
  const timer = setInterval(sample, 100);
  try {
    const result = await fn();
    sample();
    const self1 = procStat("self")!;
    return [
      result,
      {
        wallS: (performance.now() - t0) / 1000,
        nodeCpuS: (self1.cpuTicks - self0.cpuTicks) * TICK_S,
        sshCommandsCpuS: (self1.childTicks - self0.childTicks) * TICK_S,
        mastersCpuS: [...masterTicks.values()].reduce((a, b) => a + b, 0) * TICK_S,
        nodePeakRssMb: nodePeak / 1024,
        mastersPeak,
        mastersPeakRssMb: mastersPeakRss / 1024,
      },
    ];
  } finally {
    clearInterval(timer);
  }
}

export interface EngineMemory {
  engineMb: number;
  containersMb: number;
}

/** dockerd + its containerd (resident), and the containers' cgroup (cgroup-parent pt-fleet-<n>). */
export function engineMemory(h: FleetHost, n: number): EngineMemory {
  const pid = Number(readFileSync(`${dirname(h.socket.replace(/^unix:\/\//, ""))}/dockerd.pid`, "utf8"));
  let kb = procStat(pid)?.rssKb ?? 0;
  for (const child of pids()) {
    const s = procStat(child);
    if (s?.ppid === pid && cmdline(child).startsWith("containerd ")) kb += s.rssKb;
  }
  // Containers' cgroups sit under cgroup-parent pt-fleet-<n>, below the engine's own cgroup.
  const own = (path: string) => {
    try {
      const lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n");
      const line = lines.find((l) => /^\d+:memory:/.test(l)) ?? lines.find((l) => l.startsWith("0::"));
      return line?.slice(line.indexOf(":/", 2) + 1) ?? "/";
    } catch {
      return path;
    }
  };
  const base = own("/").replace(/\/$/, "");
  const file = [
    `/sys/fs/cgroup/memory${base}/pt-fleet-${n}/memory.usage_in_bytes`, // cgroup v1
    `/sys/fs/cgroup${base}/pt-fleet-${n}/memory.current`, // v2
  ].find((f) => existsSync(f));
  const containers = file ? Number(readFileSync(file, "utf8")) / 1024 / 1024 : Number.NaN;
  return { engineMb: kb / 1024, containersMb: containers };
}
