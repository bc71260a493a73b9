/**
 * The run configuration as a Swarm service: a pure function from the resolved
 * environment to a desired service, and from that to `docker service create`
 * or `docker service update` arguments. Env values are NOT in the arguments:
 * they are passed as `--env NAME` and read by the docker client from its own
 * environment (filled from our stdin), so they never show on a command line.
 */

import { createHash } from "node:crypto";
import { SWARM_DEFAULTS } from "../config/resolve";
import type { ResolvedSwarm, ResolvedTmpfs } from "../config/resolved";
import { CLIENT_VARIABLES } from "../deploy/env";
import { LABEL } from "../deploy/labels";
import type { DeployEnvironment, DeployHealth, DeployRunConfig } from "../deploy/types";
import { shellCommand, shellQuote } from "../exec/quote";
import { SwarmConfigError } from "./errors";
import { runtimeCreateArgs, type ServiceRuntime, serviceRuntime, tmpfsMountArg } from "./spec-runtime";

export { type CurrentSpec, updateArgs } from "./spec-update";

/** A resolved environment whose deploy section may say engine: swarm. */
/** A deploy environment whose Swarm settings may be partial (defaults fill the rest: swarmSettings). */
export type SwarmEnvironment = Omit<DeployEnvironment, "deploy"> & {
  deploy: Omit<DeployEnvironment["deploy"], "swarm"> & { swarm?: Partial<ResolvedSwarm> };
};

/** Label holding a hash of everything in the spec but the deploy id: equal hashes = nothing to update. */
export const SPEC_LABEL = "dev.powertrain.spec";
/** Label on the Swarm secrets powertrain creates, naming the service they belong to. */
export const SECRET_SERVICE_LABEL = "dev.powertrain.service";

export interface ServicePort {
  target: number;
  /** Undefined: the engine picks (ingress: one port for the service; host: one per task). */
  published?: number;
  protocol: string;
  mode: "ingress" | "host";
}

export interface ServiceMount {
  type: "bind" | "volume";
  source: string;
  target: string;
  readOnly: boolean;
}

/** A Swarm secret made from one env value, mounted at /run/secrets/<target>. */
export interface SecretMount {
  /** Swarm secret name: <service>-<VAR>-<hash of the value>, so a new value is a new secret. */
  name: string;
  /** The env variable it replaces; also the file name under /run/secrets. */
  target: string;
}

export interface UpdatePolicy {
  parallelism: number;
  delayMs: number;
  order: "start-first" | "stop-first";
  failureAction: string;
  monitorMs: number;
  maxFailureRatio: number;
}

export interface DesiredService {
  name: string;
  image: string;
  replicas: number;
  /** Plain env values (sent through the client's environment, never argv). */
  env: Record<string, string>;
  secrets: SecretMount[];
  labels: Record<string, string>;
  containerLabels: Record<string, string>;
  ports: ServicePort[];
  mounts: ServiceMount[];
  constraints: string[];
  health?: { cmd: string; intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number };
  update: UpdatePolicy;
  rollback: UpdatePolicy;
  restart: { condition: "none" | "on-failure" | "any"; maxAttempts: number };
  stopGraceMs: number;
  stopSignal?: string;
  init: boolean;
  user?: string;
  network?: string;
  memory?: number;
  cpus?: number;
  /** Entrypoint (Swarm's ContainerSpec.Command). */
  command?: string[];
  /** Command (Swarm's ContainerSpec.Args). */
  args?: string[];
  /** run's runtime options Swarm has (spec-runtime.ts). */
  runtime: ServiceRuntime;
  /** In-memory mounts (run.tmpfs, and hardened's /tmp). */
  tmpfs: ResolvedTmpfs[];
}

export interface DesiredInput {
  environment: SwarmEnvironment;
  image: string;
  version: string;
  digest: string;
  deployId: string;
  /** Env values to pass as plain env (already resolved). */
  env: Record<string, string>;
  secrets: SecretMount[];
  /** Overrides run.instances. */
  replicas?: number;
}

/** `<app>-<environment>`: one service per app and environment. */
export function serviceName(app: string, environment: string): string {
  return `${app}-${environment}`.toLowerCase();
}

/** The Swarm settings with defaults (a resolved environment from an older extract-config may lack them). */
export function swarmSettings(env: SwarmEnvironment): ResolvedSwarm {
  return { ...SWARM_DEFAULTS, ...(env.deploy.swarm ?? {}) };
}

export function desiredService(input: DesiredInput): { service: DesiredService; warnings: string[] } {
  const { environment: env } = input;
  const run = env.run;
  const swarm = swarmSettings(env);
  const warnings: string[] = [];
  const name = serviceName(env.app, env.name);
  const ours = {
    [LABEL.app]: env.app,
    [LABEL.environment]: env.name,
    [LABEL.version]: input.version,
    [LABEL.digest]: input.digest,
    [LABEL.image]: input.image,
  };
  const ports = run.ports.flatMap((p): ServicePort[] => {
    if (!p.host) return [];
    const wide = p.host.to > p.host.from;
    if (wide && swarm.publish === "ingress") {
      throw new SwarmConfigError(
        `run.ports: ${p.host.from}-${p.host.to}:${p.container}: Swarm's routing mesh publishes one port per mapping; give a single host port (or use deploy.swarm.publish: host)`,
      );
    }
    const port: ServicePort = { target: p.container, protocol: p.protocol, mode: swarm.publish };
    // host mode and a range: Swarm cannot hand out ports from a range, so each task gets a free one.
    if (!wide) port.published = p.host.from;
    return [port];
  });
  const order = swarm.order;
  if (order === "start-first" && ports.some((p) => p.mode === "host" && p.published !== undefined)) {
    warnings.push(
      "host-mode ports with a fixed port and order start-first: a new task cannot bind the port while the old one holds it on the same node (give a port range for per-task ports, or order stop-first)",
    );
  }
  const update: UpdatePolicy = {
    parallelism: swarm.parallelism,
    delayMs: swarm.delayMs,
    order,
    failureAction: swarm.failureAction,
    monitorMs: swarm.monitorMs,
    maxFailureRatio: swarm.maxFailureRatio,
  };
  const service: DesiredService = {
    name,
    image: input.image,
    replicas: input.replicas ?? run.instances,
    env: { ...input.env },
    secrets: [...input.secrets].sort((a, b) => a.target.localeCompare(b.target)),
    labels: { ...ours },
    containerLabels: { ...run.labels, ...ours },
    ports,
    mounts: run.volumes.map((v) => ({
      type: v.source.startsWith("/") ? "bind" : "volume",
      source: v.source,
      target: v.target,
      readOnly: v.readOnly,
    })),
    constraints: [...swarm.constraints],
    update,
    // A rollback goes back the same way, but never rolls back a rollback.
    rollback: { ...update, failureAction: "pause" },
    restart: restartPolicy(run.restart),
    stopGraceMs: run.stopTimeoutMs,
    init: run.init,
    runtime: serviceRuntime(run),
    tmpfs: (run.tmpfs ?? []).map((t) => ({ ...t })),
  };
  for (const s of service.secrets) service.env[`${s.target}_FILE`] = `/run/secrets/${s.target}`;
  const health = healthCheck(run);
  if (health) service.health = health;
  if (run.stopSignal) service.stopSignal = run.stopSignal;
  if (run.user) service.user = run.user;
  if (run.network) service.network = run.network;
  if (run.memory !== undefined) service.memory = run.memory;
  if (run.cpus !== undefined) service.cpus = run.cpus;
  if (run.entrypoint) service.command = [...run.entrypoint];
  if (run.command) service.args = [...run.command];
  service.labels[SPEC_LABEL] = specHash(service);
  service.labels[LABEL.deployId] = input.deployId;
  service.containerLabels[LABEL.deployId] = input.deployId;
  return { service, warnings };
}

/** A hash of the service without its deploy id: tells "same spec" from "changed". */
export function specHash(s: DesiredService): string {
  const { [LABEL.deployId]: _a, [SPEC_LABEL]: _b, ...labels } = s.labels;
  const { [LABEL.deployId]: _c, ...containerLabels } = s.containerLabels;
  const text = JSON.stringify({ ...s, labels, containerLabels });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** docker's restart policies in Swarm's words. */
export function restartPolicy(restart: string): DesiredService["restart"] {
  if (restart === "no") return { condition: "none", maxAttempts: 0 };
  const m = /^on-failure(?::(\d+))?$/.exec(restart);
  if (m) return { condition: "on-failure", maxAttempts: Number(m[1] ?? 0) };
  return { condition: "any", maxAttempts: 0 };
}

/**
 * Swarm only knows health from inside the task (the engine, not powertrain, gates on it),
 * so http and tcp checks become commands run in the container: wget or curl, nc.
 */
export function healthCheck(run: DeployRunConfig): DesiredService["health"] {
  const h: DeployHealth | undefined = run.health;
  if (!h) return undefined;
  const port = h.port ?? run.ports[0]?.container;
  let cmd: string;
  if (h.command) cmd = shellCommand(h.command);
  else if (h.http !== undefined) {
    const url = shellQuote(`http://127.0.0.1:${port}${h.http}`);
    cmd = `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url}`;
  } else if (h.tcp) cmd = `nc -z 127.0.0.1 ${port}`;
  else return undefined;
  return {
    cmd,
    intervalMs: h.intervalMs ?? 1000,
    timeoutMs: h.timeoutMs ?? 2000,
    retries: h.retries ?? 3,
    startPeriodMs: h.startPeriodMs ?? 0,
  };
}

const ms = (n: number) => `${Math.round(n)}ms`;

function policyArgs(kind: "update" | "rollback", p: UpdatePolicy): string[] {
  return [
    `--${kind}-parallelism`,
    String(p.parallelism),
    `--${kind}-delay`,
    ms(p.delayMs),
    `--${kind}-order`,
    p.order,
    `--${kind}-failure-action`,
    p.failureAction,
    `--${kind}-monitor`,
    ms(p.monitorMs),
    `--${kind}-max-failure-ratio`,
    String(p.maxFailureRatio),
  ];
}

export function portArg(p: ServicePort): string {
  const published = p.published === undefined ? "" : `,published=${p.published}`;
  return `mode=${p.mode},target=${p.target}${published},protocol=${p.protocol}`;
}

export function mountArg(m: ServiceMount): string {
  return `type=${m.type},source=${m.source},target=${m.target}${m.readOnly ? ",readonly" : ""}`;
}

export function secretArg(s: SecretMount): string {
  return `source=${s.name},target=${s.target}`;
}

/** Flags that set a value whatever it was before (the same for create and update). */
export function scalarArgs(s: DesiredService): string[] {
  const args = [
    "--replicas",
    String(s.replicas),
    ...policyArgs("update", s.update),
    ...policyArgs("rollback", s.rollback),
    "--restart-condition",
    s.restart.condition,
    "--restart-max-attempts",
    String(s.restart.maxAttempts),
    "--stop-grace-period",
    ms(s.stopGraceMs),
    `--init=${s.init}`,
    "--limit-memory",
    String(s.memory ?? 0),
    "--limit-cpu",
    String(s.cpus ?? 0),
  ];
  if (s.stopSignal) args.push("--stop-signal", s.stopSignal);
  if (s.user) args.push("--user", s.user);
  if (s.health) {
    args.push(
      "--health-cmd",
      s.health.cmd,
      "--health-interval",
      ms(s.health.intervalMs),
      "--health-timeout",
      ms(s.health.timeoutMs),
      "--health-retries",
      String(s.health.retries),
      "--health-start-period",
      ms(s.health.startPeriodMs),
    );
  }
  return args;
}

/** `NAME` (the client copies the value from its environment), or NAME=value for the client's own variables. */
export function envArg(name: string, value: string): string {
  return CLIENT_VARIABLES.test(name) ? `${name}=${value}` : name;
}

export const keyValues = (flag: string, map: Record<string, string>) =>
  Object.entries(map).flatMap(([k, v]) => [flag, `${k}=${v}`]);

/** `docker service create` arguments (after "docker"). */
export function createArgs(s: DesiredService, o: { registryAuth: boolean }): string[] {
  const args = ["service", "create", "--detach", "--name", s.name, ...scalarArgs(s)];
  if (o.registryAuth) args.push("--with-registry-auth");
  args.push("--no-resolve-image");
  args.push(...keyValues("--label", s.labels), ...keyValues("--container-label", s.containerLabels));
  for (const name of Object.keys(s.env).sort()) args.push("--env", envArg(name, s.env[name]!));
  for (const sec of s.secrets) args.push("--secret", secretArg(sec));
  for (const p of s.ports) args.push("--publish", portArg(p));
  for (const m of s.mounts) args.push("--mount", mountArg(m));
  for (const t of s.tmpfs) args.push("--mount", tmpfsMountArg(t));
  args.push(...runtimeCreateArgs(s.runtime));
  for (const c of s.constraints) args.push("--constraint", c);
  if (s.network) args.push("--network", s.network);
  // --entrypoint takes one string that docker splits like a shell would.
  if (s.command) args.push("--entrypoint", shellCommand(s.command));
  args.push(s.image, ...(s.args ?? []));
  return args;
}
