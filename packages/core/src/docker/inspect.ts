/** What powertrain needs to know about a local image, from `docker image inspect`. */
import { PowertrainError } from "../errors";
import type { Logger } from "../log";
import { docker } from "./docker";

export interface ImageHealthcheck {
  /** As in the image config: ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"]. */
  test: string[];
  /** Nanoseconds, as docker stores them; 0 when unset. */
  intervalNs: number;
  timeoutNs: number;
  retries: number;
}

export interface ImageInfo {
  id: string;
  /** Bytes. */
  size: number;
  /** The configured user ("" means root). */
  user: string;
  labels: Record<string, string>;
  healthcheck?: ImageHealthcheck;
  repoTags: string[];
  created: string;
  /** Ports declared with EXPOSE, e.g. "8080/tcp". */
  exposedPorts: string[];
}

interface RawInspect {
  Id: string;
  Size: number;
  Created: string;
  RepoTags?: string[] | null;
  Config?: {
    User?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number } | null;
  } | null;
}

/** Parse the JSON `docker image inspect` prints (an array of one). */
export function parseImageInspect(json: string): ImageInfo {
  const parsed = JSON.parse(json) as RawInspect[] | RawInspect;
  const raw = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!raw) throw new PowertrainError("docker image inspect returned nothing");
  const hc = raw.Config?.Healthcheck;
  return {
    id: raw.Id,
    size: raw.Size,
    user: raw.Config?.User ?? "",
    labels: raw.Config?.Labels ?? {},
    healthcheck: hc?.Test?.length
      ? { test: hc.Test, intervalNs: hc.Interval ?? 0, timeoutNs: hc.Timeout ?? 0, retries: hc.Retries ?? 0 }
      : undefined,
    repoTags: raw.RepoTags ?? [],
    created: raw.Created,
    exposedPorts: Object.keys(raw.Config?.ExposedPorts ?? {}),
  };
}

/** True when a container of this image runs as root: no USER, or user 0 / root with any group. */
export function runsAsRoot(user: string): boolean {
  const name = user.trim().split(":")[0] ?? "";
  return name === "" || name === "root" || name === "0";
}

export async function inspectImage(ref: string, logger: Logger): Promise<ImageInfo> {
  const r = await docker(["image", "inspect", ref], { logger, allowFailure: true });
  if (r.exitCode !== 0) throw new PowertrainError(`image ${ref} not found locally: ${r.stderr.trim()}`);
  return parseImageInspect(r.stdout);
}
