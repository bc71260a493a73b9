/**
 * `run`'s runtime options resolved: short forms parsed, numbers made strings, and `hardened`
 * expanded into the settings it stands for. Keys stay absent when unset, so a resolved document
 * only names what the configuration asked for.
 */
import type { ResolvedRun, ResolvedTmpfs } from "./resolved";
import type { RunConfig } from "./schema";
import { parseSize } from "./units";

/** What `run.hardened: true` stands for; explicit keys override (read-only: false) or extend it. */
export const HARDENED = {
  readOnly: true,
  capDrop: ["ALL"],
  noNewPrivileges: true,
  tmpfs: { target: "/tmp", mode: "1777" },
} as const;

type Runtime = Pick<
  ResolvedRun,
  | "hardened"
  | "logDriver"
  | "logOptions"
  | "extraHosts"
  | "ulimits"
  | "capAdd"
  | "capDrop"
  | "readOnly"
  | "tmpfs"
  | "noNewPrivileges"
  | "securityOpt"
  | "pidsLimit"
  | "workdir"
  | "hostname"
  | "dns"
  | "sysctls"
>;

export function resolveRuntime(run: RunConfig): Runtime {
  const out: Runtime = {};
  const hardened = run.hardened === true;
  if (hardened) out.hardened = true;
  if (run["log-driver"] !== undefined) out.logDriver = run["log-driver"];
  if (run["log-options"] !== undefined) out.logOptions = strings(run["log-options"]);
  if (run["extra-hosts"] !== undefined) out.extraHosts = { ...run["extra-hosts"] };
  if (run.ulimits !== undefined) {
    out.ulimits = Object.fromEntries(Object.entries(run.ulimits).map(([k, v]) => [k, ulimit(v)]));
  }
  if (run["cap-add"] !== undefined) out.capAdd = unique(run["cap-add"]);
  const capDrop = [...(hardened ? HARDENED.capDrop : []), ...(run["cap-drop"] ?? [])];
  if (capDrop.length) out.capDrop = unique(capDrop);
  const readOnly = run["read-only"] ?? (hardened ? HARDENED.readOnly : undefined);
  if (readOnly !== undefined) out.readOnly = readOnly;
  const tmpfs = (run.tmpfs ?? []).map(tmpfsMount);
  if (hardened && !tmpfs.some((t) => t.target === HARDENED.tmpfs.target))
    tmpfs.unshift({ ...HARDENED.tmpfs });
  if (tmpfs.length) out.tmpfs = tmpfs;
  const noNewPrivileges = run["no-new-privileges"] ?? (hardened ? HARDENED.noNewPrivileges : undefined);
  if (noNewPrivileges !== undefined) out.noNewPrivileges = noNewPrivileges;
  if (run["security-opt"] !== undefined) out.securityOpt = unique(run["security-opt"]);
  if (run["pids-limit"] !== undefined) out.pidsLimit = run["pids-limit"];
  if (run.workdir !== undefined) out.workdir = run.workdir;
  if (run.hostname !== undefined) out.hostname = run.hostname;
  if (run.dns !== undefined) out.dns = unique(run.dns);
  if (run.sysctls !== undefined) out.sysctls = strings(run.sysctls);
  return out;
}

const unique = <T>(list: readonly T[]): T[] => [...new Set(list)];

function strings(map: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]));
}

function ulimit(v: number | string | { soft: number; hard: number }): { soft: number; hard: number } {
  if (typeof v === "number") return { soft: v, hard: v };
  if (typeof v === "string") {
    const [soft, hard] = v.split(":").map(Number) as [number, number];
    return { soft, hard };
  }
  return { soft: v.soft, hard: v.hard };
}

/** "/tmp", "/tmp:size=64m,mode=1777,noexec" or the map form → ResolvedTmpfs. */
export function tmpfsMount(t: NonNullable<RunConfig["tmpfs"]>[number]): ResolvedTmpfs {
  if (typeof t !== "string") {
    const out: ResolvedTmpfs = { target: t.target };
    if (t.size !== undefined) out.sizeBytes = parseSize(t.size);
    if (t.mode !== undefined) out.mode = t.mode;
    if (t.options?.length) out.options = unique(t.options);
    return out;
  }
  const [target, opts] = t.split(":") as [string, string | undefined];
  const out: ResolvedTmpfs = { target };
  const flags: NonNullable<ResolvedTmpfs["options"]> = [];
  for (const o of (opts ?? "").split(",").filter(Boolean)) {
    const [k, v] = o.split("=") as [string, string | undefined];
    if (k === "size") out.sizeBytes = parseSize(v!);
    else if (k === "mode") out.mode = v!;
    else flags.push(k as (typeof flags)[number]);
  }
  if (flags.length) out.options = unique(flags);
  return out;
}
