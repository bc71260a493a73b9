/**
 * What the deploy needs from the configuration. The resolved environment
 * (config/) is assignable to these, so the deploy does not depend on how the
 * config was loaded (powertrain.yml, or extract-config's JSON).
 */
import type { RouterConfig } from "../router/types";
import type { SshTarget } from "../ssh/target";

export interface DeployPort {
  /** The port the application listens on inside the container. */
  container: number;
  /** Inclusive host port range to allocate from; none = not published. */
  host?: { from: number; to: number };
  protocol: string;
}

export interface DeployHealth {
  http?: string;
  tcp?: boolean;
  command?: string[];
  port?: number;
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

/** How the application's containers run (ResolvedRun). */
export interface DeployRunConfig {
  instances: number;
  ports: DeployPort[];
  env: Record<string, string>;
  volumes: { source: string; target: string; readOnly: boolean }[];
  labels: Record<string, string>;
  health?: DeployHealth;
  stopTimeoutMs: number;
  stopSignal?: string;
  init: boolean;
  restart: string;
  memory?: number;
  cpus?: number;
  user?: string;
  network?: string;
  entrypoint?: string[];
  command?: string[];
}

/** How the rollout proceeds (ResolvedEnvironment.deploy). */
export interface RolloutSettings {
  /** ssh (this package) or swarm (packages/core/src/swarm); absent = ssh. */
  engine?: "ssh" | "swarm";
  strategy: string;
  maxParallel: number;
  keep: number;
  healthTimeoutMs: number;
  lockTimeoutMs: number;
  /** The load balancer in front of the instances (needed by blue-green and canary). */
  router?: RouterConfig;
  /** How long instances keep running after leaving the load balancer (default 2 s). */
  drainMs?: number;
  canary?: { instances?: number; sharePercent?: number };
  blueGreen?: { keepIdleMs?: number };
}

/** The part of a resolved environment a deploy reads. */
export interface DeployEnvironment {
  name: string;
  app: string;
  hosts: SshTarget[];
  deploy: RolloutSettings;
  run: DeployRunConfig;
}

/**
 * Whose containers, lock and history: an app in an environment, optionally
 * narrowed to those deployed through one host name — for several SSH hosts
 * that share one Docker engine, where labels alone cannot tell them apart.
 */
export interface AppScope {
  app: string;
  environment: string;
  host?: string;
}

/** `app.environment[.host]`: the lock and history file name of a scope. */
export function scopeKey(s: AppScope): string {
  return [s.app, s.environment, s.host].filter(Boolean).join(".");
}

export interface RegistryAuth {
  /** Registry host[:port] the credentials are for. */
  registry: string;
  username: string;
  password: string;
}

/** A container of this app+environment as seen on a host. */
export interface ObservedContainer {
  id: string;
  name: string;
  /** docker's State.Status: running, exited, created, restarting, dead… */
  state: string;
  health?: string;
  version: string;
  digest: string;
  image: string;
  deployId: string;
  /** ISO time the container was created. */
  created: string;
  startedAt?: string;
  /** Published host ports, e.g. [{container: 8080, host: 18001, protocol: "tcp"}]. */
  ports: { container: number; host: number; protocol: string }[];
  /** First IP address on its networks (for probes from the host). */
  ip?: string;
}

/** One line of the host's deploy history (newest last). */
export interface HistoryEntry {
  deployId: string;
  version: string;
  digest: string;
  image: string;
  time: string;
}

/** Everything the planner needs to know about one host. */
export interface ObservedHost {
  containers: ObservedContainer[];
  /** Host ports taken: published by any container (running or not) or listened on. */
  usedPorts: { tcp: Set<number>; udp: Set<number> };
  /** The image (by digest) is already on the host: no pull needed. */
  imagePresent: boolean;
  /** The image declares a Docker HEALTHCHECK. */
  imageHasHealthcheck: boolean;
  history: HistoryEntry[];
}
