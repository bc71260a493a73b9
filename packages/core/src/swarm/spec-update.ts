/**
 * `docker service update` arguments: from the spec the service has now to the desired one
 * (spec.ts). Only what the desired spec no longer has is removed; adds replace the rest.
 */
import { shellCommand } from "../exec/quote";
import { SwarmConfigError } from "./errors";
import {
  type DesiredService,
  envArg,
  keyValues,
  mountArg,
  portArg,
  type ServicePort,
  scalarArgs,
  secretArg,
} from "./spec";
import { type CurrentRuntime, runtimeUpdateArgs, tmpfsMountArg } from "./spec-runtime";

/** What `docker service update` needs to know of the current spec. */
export interface CurrentSpec {
  envNames: string[];
  labels: Record<string, string>;
  containerLabels: Record<string, string>;
  secrets: string[];
  ports: ServicePort[];
  mountTargets: string[];
  constraints: string[];
  /** The runtime lists the service has (absent: read from an older observation, treated as empty). */
  runtime?: CurrentRuntime;
}

/**
 * `docker service update` arguments (after "docker"). docker applies its --*-add flags before its
 * --*-rm flags, so only what the desired spec no longer has is removed; adds replace the rest.
 */
export function updateArgs(current: CurrentSpec, s: DesiredService, o: { registryAuth: boolean }): string[] {
  const args = ["service", "update", "--detach", "--image", s.image, ...scalarArgs(s)];
  if (o.registryAuth) args.push("--with-registry-auth");
  args.push("--no-resolve-image");
  for (const k of Object.keys(current.labels)) if (!(k in s.labels)) args.push("--label-rm", k);
  args.push(...keyValues("--label-add", s.labels));
  for (const k of Object.keys(current.containerLabels))
    if (!(k in s.containerLabels)) args.push("--container-label-rm", k);
  args.push(...keyValues("--container-label-add", s.containerLabels));
  for (const k of current.envNames) if (!(k in s.env)) args.push("--env-rm", k);
  for (const name of Object.keys(s.env).sort()) args.push("--env-add", envArg(name, s.env[name]!));
  const wanted = new Set(s.secrets.map((x) => x.name));
  for (const name of current.secrets) if (!wanted.has(name)) args.push("--secret-rm", name);
  for (const sec of s.secrets)
    if (!current.secrets.includes(sec.name)) args.push("--secret-add", secretArg(sec));
  args.push(...portUpdateArgs(current.ports, s.ports, s.name));
  const targets = new Set([...s.mounts, ...s.tmpfs].map((m) => m.target));
  for (const t of current.mountTargets) if (!targets.has(t)) args.push("--mount-rm", t);
  for (const m of s.mounts) args.push("--mount-add", mountArg(m));
  for (const t of s.tmpfs) args.push("--mount-add", tmpfsMountArg(t));
  args.push(
    ...runtimeUpdateArgs(current.runtime ?? { dns: [], hosts: [], sysctls: [], ulimits: [] }, s.runtime),
  );
  for (const c of current.constraints) if (!s.constraints.includes(c)) args.push("--constraint-rm", c);
  for (const c of s.constraints) if (!current.constraints.includes(c)) args.push("--constraint-add", c);
  args.push("--entrypoint", s.command ? shellCommand(s.command) : "");
  args.push("--args", s.args ? shellCommand(s.args) : "");
  args.push(s.name);
  return args;
}

const portKey = (p: ServicePort) => `${p.target}/${p.protocol}/${p.mode}`;

/** docker matches --publish-rm on target, protocol and mode only: a changed published port needs a new service. */
function portUpdateArgs(current: ServicePort[], desired: ServicePort[], service: string): string[] {
  const args: string[] = [];
  const desiredKeys = new Map(desired.map((p) => [portKey(p), p]));
  for (const p of current) {
    const want = desiredKeys.get(portKey(p));
    if (!want) args.push("--publish-rm", `target=${p.target},protocol=${p.protocol},mode=${p.mode}`);
    else if (want.published !== p.published) {
      throw new SwarmConfigError(
        `service ${service}: port ${p.target}/${p.protocol} is published on ${p.published ?? "a dynamic port"}, the configuration says ${want.published ?? "dynamic"}; docker cannot change it in a rolling update — remove the service (docker service rm ${service}) and deploy again`,
      );
    }
  }
  const currentKeys = new Set(current.map(portKey));
  for (const p of desired) if (!currentKeys.has(portKey(p))) args.push("--publish-add", portArg(p));
  return args;
}
