/** `docker run` arguments for one new instance: a pure function of the run configuration. */
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
  // docker's --entrypoint takes one program; the rest of an entrypoint list goes before the command.
  const [entry, ...entryRest] = run.entrypoint ?? [];
  if (entry !== undefined) args.push("--entrypoint", entry);
  args.push(ctx.image, ...entryRest, ...(run.command ?? []));
  return args;
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
