/**
 * `run`'s runtime options on a Swarm service: those `docker service create` and `update` have
 * (read-only, capabilities, hostname, dns, sysctls, ulimits, logging, pids, workdir, extra hosts;
 * tmpfs as a mount), and a SwarmConfigError naming the key for the ones it has not
 * (security-opt, no-new-privileges, tmpfs flags) — never a silently weaker container.
 */
import type { ResolvedTmpfs } from "../config/resolved";
import type { DeployRunConfig } from "../deploy/types";
import { SwarmConfigError } from "./errors";

export interface ServiceRuntime {
  readOnly: boolean;
  capAdd: string[];
  capDrop: string[];
  hostname?: string;
  workdir?: string;
  dns: string[];
  /** `host:ip`, as --host takes them. */
  hosts: string[];
  sysctls: Record<string, string>;
  /** name → "soft:hard". */
  ulimits: Record<string, string>;
  logDriver?: string;
  logOptions: Record<string, string>;
  pidsLimit?: number;
}

/** What the current service spec has of them (from `docker service inspect`). */
export interface CurrentRuntime {
  dns: string[];
  hosts: string[];
  sysctls: string[];
  ulimits: string[];
}

/** The runtime options of `run` as a service's, or the error naming the first one Swarm lacks. */
export function serviceRuntime(run: DeployRunConfig): ServiceRuntime {
  const unsupported = (key: string, why: string): never => {
    throw new SwarmConfigError(`run.${key}: ${why}`);
  };
  if (run.noNewPrivileges) {
    unsupported(
      run.hardened ? "hardened" : "no-new-privileges",
      `Swarm services cannot set no-new-privileges${run.hardened ? " (part of hardened; set run.no-new-privileges: false to use the rest on Swarm)" : ""}`,
    );
  }
  if (run.securityOpt?.length) unsupported("security-opt", "Swarm services take no --security-opt");
  for (const t of run.tmpfs ?? []) {
    if (t.options?.length) {
      unsupported(
        "tmpfs",
        `${t.target}: Swarm's tmpfs mounts take only size and mode, not ${t.options.join(", ")}`,
      );
    }
  }
  const runtime: ServiceRuntime = {
    readOnly: run.readOnly ?? false,
    capAdd: [...(run.capAdd ?? [])],
    capDrop: [...(run.capDrop ?? [])],
    dns: [...(run.dns ?? [])],
    hosts: Object.entries(run.extraHosts ?? {}).map(([h, ip]) => `${h}:${ip}`),
    sysctls: { ...(run.sysctls ?? {}) },
    ulimits: Object.fromEntries(
      Object.entries(run.ulimits ?? {}).map(([k, u]) => [k, `${u.soft}:${u.hard}`]),
    ),
    logOptions: { ...(run.logOptions ?? {}) },
  };
  if (run.hostname) runtime.hostname = run.hostname;
  if (run.workdir) runtime.workdir = run.workdir;
  if (run.logDriver) runtime.logDriver = run.logDriver;
  if (run.pidsLimit !== undefined) runtime.pidsLimit = run.pidsLimit;
  return runtime;
}

/** A tmpfs of `run.tmpfs` as a `--mount` value. */
export function tmpfsMountArg(t: ResolvedTmpfs): string {
  const size = t.sizeBytes ? `,tmpfs-size=${t.sizeBytes}` : "";
  const mode = t.mode ? `,tmpfs-mode=${t.mode}` : "";
  return `type=tmpfs,target=${t.target}${size}${mode}`;
}

const pairs = (flag: string, map: Record<string, string>) =>
  Object.keys(map)
    .sort()
    .map((k) => `--${flag}=${k}=${map[k]}`);

/** Flags that set a value whatever it was (create and update alike). */
function scalarRuntimeArgs(r: ServiceRuntime): string[] {
  const args = [`--read-only=${r.readOnly}`, `--limit-pids=${r.pidsLimit ?? 0}`];
  args.push(`--hostname=${r.hostname ?? ""}`, `--workdir=${r.workdir ?? ""}`);
  if (r.logDriver) args.push(`--log-driver=${r.logDriver}`, ...pairs("log-opt", r.logOptions));
  return args;
}

/** `docker service create` flags. Every value is one `--flag=value` argument. */
export function runtimeCreateArgs(r: ServiceRuntime): string[] {
  return [
    ...scalarRuntimeArgs(r),
    ...r.capAdd.map((c) => `--cap-add=${c}`),
    ...r.capDrop.map((c) => `--cap-drop=${c}`),
    ...r.dns.map((d) => `--dns=${d}`),
    ...r.hosts.map((h) => `--host=${h}`),
    ...pairs("sysctl", r.sysctls),
    ...pairs("ulimit", r.ulimits),
  ];
}

/**
 * `docker service update` flags. Capability lists are reset and set again (docker's RESET); for
 * the other lists only what the desired spec no longer has is removed, the rest added or updated.
 */
export function runtimeUpdateArgs(current: CurrentRuntime, r: ServiceRuntime): string[] {
  const args = [...scalarRuntimeArgs(r), "--cap-add=RESET", "--cap-drop=RESET"];
  args.push(...r.capAdd.map((c) => `--cap-add=${c}`), ...r.capDrop.map((c) => `--cap-drop=${c}`));
  for (const d of current.dns) if (!r.dns.includes(d)) args.push(`--dns-rm=${d}`);
  for (const d of r.dns) if (!current.dns.includes(d)) args.push(`--dns-add=${d}`);
  for (const h of current.hosts) if (!r.hosts.includes(h)) args.push(`--host-rm=${h}`);
  for (const h of r.hosts) if (!current.hosts.includes(h)) args.push(`--host-add=${h}`);
  for (const k of current.sysctls) if (!(k in r.sysctls)) args.push(`--sysctl-rm=${k}`);
  args.push(...pairs("sysctl-add", r.sysctls));
  for (const k of current.ulimits) if (!(k in r.ulimits)) args.push(`--ulimit-rm=${k}`);
  args.push(...pairs("ulimit-add", r.ulimits));
  return args;
}

// biome-ignore lint/suspicious/noExplicitAny: docker inspect JSON, read defensively
type Json = Record<string, any>;

/** The runtime lists of a service's ContainerSpec (`docker service inspect`). */
export function parseCurrentRuntime(container: Json): CurrentRuntime {
  // Swarm stores extra hosts as "IP host [alias…]", the CLI takes host:IP.
  const hosts = ((container.Hosts ?? []) as string[]).flatMap((line) => {
    const [ip, ...names] = String(line).trim().split(/\s+/);
    return names.map((n) => `${n}:${ip}`);
  });
  return {
    dns: [...((container.DNSConfig?.Nameservers ?? []) as string[])],
    hosts,
    sysctls: Object.keys(container.Sysctls ?? {}),
    ulimits: ((container.Ulimits ?? []) as Json[]).map((u) => String(u.Name)),
  };
}
