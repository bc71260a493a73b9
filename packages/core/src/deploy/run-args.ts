/** `docker run` arguments for one new instance: a pure function of the run configuration. */
import type { ResolvedTmpfs } from "../config/resolved";
import { needsClientEnv } from "./env";
import { LABEL } from "./labels";
import type { DeployRunConfig } from "./types";

export interface InstanceSpec {
  name: string;
  /** Host ports, one per run.ports entry that has a host range (same order). */
  hostPorts: (number | undefined)[];
  labels: Record<string, string>;
}

export interface RunArgsContext {
  image: string;
  /** Address published ports bind to (default: all interfaces). */
  bindAddress?: string;
}

/**
 * Env values are NOT in these arguments: they come from an env file on docker's
 * stdin, or (multi-line values) `-e NAME` from the docker client's environment,
 * both filled from our stdin by the start script.
 */
export function dockerRunArgs(run: DeployRunConfig, instance: InstanceSpec, ctx: RunArgsContext): string[] {
  const args = ["run", "-d", "--name", instance.name];
  for (const [k, v] of Object.entries({ ...run.labels, ...instance.labels }))
    args.push("--label", `${k}=${v}`);
  run.ports.forEach((p, i) => {
    const hostPort = instance.hostPorts[i];
    const proto = p.protocol === "udp" ? "/udp" : "";
    if (hostPort === undefined) args.push("--expose", `${p.container}${proto}`);
    else args.push("-p", `${ctx.bindAddress ? `${ctx.bindAddress}:` : ""}${hostPort}:${p.container}${proto}`);
  });
  args.push("--env-file", "/dev/stdin");
  for (const name of Object.keys(run.env).sort()) if (needsClientEnv(run.env[name]!)) args.push("-e", name);
  for (const v of run.volumes) args.push("-v", `${v.source}:${v.target}${v.readOnly ? ":ro" : ""}`);
  if (run.init) args.push("--init");
  if (run.stopSignal) args.push("--stop-signal", run.stopSignal);
  args.push("--stop-timeout", String(Math.ceil(run.stopTimeoutMs / 1000)));
  if (run.restart && run.restart !== "no") args.push("--restart", run.restart);
  if (run.memory !== undefined) args.push("--memory", `${run.memory}b`);
  if (run.cpus !== undefined) args.push("--cpus", String(run.cpus));
  if (run.user) args.push("--user", run.user);
  if (run.network) args.push("--network", run.network);
  args.push(...runtimeArgs(run));
  // docker's --entrypoint takes one program; the rest of an entrypoint list goes before the command.
  const [entry, ...entryRest] = run.entrypoint ?? [];
  if (entry !== undefined) args.push("--entrypoint", entry);
  args.push(ctx.image, ...entryRest, ...(run.command ?? []));
  return args;
}

/**
 * The runtime options (logging, capabilities, read-only root, tmpfs…) as docker run flags. Each is
 * one `--flag=value` element, so a value can never be read as a flag of its own.
 */
export function runtimeArgs(run: DeployRunConfig): string[] {
  const args: string[] = [];
  const flag = (name: string, value: string | number) => args.push(`--${name}=${value}`);
  const pairs = (name: string, map: Record<string, string> | undefined) => {
    for (const k of Object.keys(map ?? {}).sort()) flag(name, `${k}=${map![k]}`);
  };
  if (run.logDriver) flag("log-driver", run.logDriver);
  pairs("log-opt", run.logOptions);
  for (const h of Object.keys(run.extraHosts ?? {}).sort()) flag("add-host", `${h}:${run.extraHosts![h]}`);
  for (const [name, u] of Object.entries(run.ulimits ?? {}).sort())
    flag("ulimit", `${name}=${u.soft}:${u.hard}`);
  for (const c of run.capDrop ?? []) flag("cap-drop", c);
  for (const c of run.capAdd ?? []) flag("cap-add", c);
  if (run.readOnly) args.push("--read-only");
  for (const t of run.tmpfs ?? []) flag("tmpfs", tmpfsValue(t));
  if (run.noNewPrivileges) flag("security-opt", "no-new-privileges");
  for (const o of run.securityOpt ?? []) flag("security-opt", o);
  if (run.pidsLimit !== undefined) flag("pids-limit", run.pidsLimit);
  if (run.workdir) flag("workdir", run.workdir);
  if (run.hostname) flag("hostname", run.hostname);
  for (const d of run.dns ?? []) flag("dns", d);
  pairs("sysctl", run.sysctls);
  return args;
}

/** `/tmp:size=67108864,mode=1777,noexec`, as --tmpfs takes it. */
export function tmpfsValue(t: ResolvedTmpfs): string {
  const opts = [
    ...(t.sizeBytes ? [`size=${t.sizeBytes}`] : []),
    ...(t.mode ? [`mode=${t.mode}`] : []),
    ...(t.options ?? []),
  ];
  return opts.length ? `${t.target}:${opts.join(",")}` : t.target;
}

/** Our labels for one instance. */
export function instanceLabels(o: {
  app: string;
  environment: string;
  version: string;
  digest: string;
  image: string;
  deployId: string;
  host: string;
  port?: number;
}): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.app]: o.app,
    [LABEL.environment]: o.environment,
    [LABEL.version]: o.version,
    [LABEL.digest]: o.digest,
    [LABEL.image]: o.image,
    [LABEL.deployId]: o.deployId,
    [LABEL.host]: o.host,
  };
  if (o.port !== undefined) labels[LABEL.discovery] = `${o.host}:${o.port}:${o.app}:${o.version}`;
  return labels;
}
