/**
 * What the deploy needs from the configuration: the resolved environment (config/resolved.ts, the
 * one definition), whether it was resolved here from powertrain.yml or read back from
 * extract-config's JSON. The image section is optional: the deploy is told the image to run.
 */
import type {
  ResolvedDeploy,
  ResolvedEnvironment,
  ResolvedHealth,
  ResolvedPort,
  ResolvedRun,
} from "../config/resolved";

export type DeployPort = ResolvedPort;
export type DeployHealth = ResolvedHealth;
/** How the application's containers run. */
export type DeployRunConfig = ResolvedRun;
/** How the rollout proceeds. */
export type RolloutSettings = ResolvedDeploy;

/** The part of a resolved environment a deploy reads. */
export type DeployEnvironment = Omit<ResolvedEnvironment, "image"> & {
  image?: ResolvedEnvironment["image"];
};

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
  /** The commit the image was built from (its org.opencontainers.image.revision label), when it has one. */
  revision?: string;
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
