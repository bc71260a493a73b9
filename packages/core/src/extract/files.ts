/**
 * Files out of an image without running it: `docker create` (the container is
 * never started), `docker cp` for each path, and `docker rm` whatever happens.
 * E.g. a deploy script shipped inside the image.
 */
import { mkdir } from "node:fs/promises";
import { posix, resolve } from "node:path";
import { createContainer, removeContainer } from "../docker/container";
import { docker } from "../docker/docker";
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { dockerLogin } from "../publish/docker-login";
import type { Credentials } from "../registry/credentials";
import { parseReference } from "../registry/reference";
import { ExtractError } from "./errors";

export interface ExtractFilesOptions {
  logger: Logger;
  /** Used (in a temporary docker config) only when the daemon has to pull the image first. */
  credentials?: Credentials;
}

export interface FileTarget {
  /** Absolute path inside the image. */
  source: string;
  /** Where it lands on this machine. */
  destination: string;
}

/**
 * Where each path goes: `dir/<last path component>`, as `docker cp` into a
 * directory does. Paths must be absolute; two paths with the same last
 * component would overwrite each other, so that is refused.
 */
export function planFileTargets(paths: readonly string[], dir: string): FileTarget[] {
  const seen = new Map<string, string>();
  return paths.map((path) => {
    if (!posix.isAbsolute(path)) {
      throw new UsageError(`file "${path}": expected an absolute path inside the image, e.g. /app/deploy.sh`);
    }
    const name = posix.basename(posix.normalize(path));
    if (!name || name === "/") throw new UsageError(`file "${path}": name a file or directory, not the root`);
    const other = seen.get(name);
    if (other !== undefined) {
      throw new UsageError(
        `files "${other}" and "${path}" would both be written to ${name}; extract them separately`,
      );
    }
    seen.set(name, path);
    return { source: posix.normalize(path), destination: resolve(dir, name) };
  });
}

/** Copy `paths` out of `image` into `dir` (created if needed); returns where each landed. */
export async function extractFiles(
  image: string,
  paths: readonly string[],
  dir: string,
  options: ExtractFilesOptions,
): Promise<FileTarget[]> {
  const { logger } = options;
  const targets = planFileTargets(paths, dir);
  if (targets.length === 0) return [];
  await mkdir(dir, { recursive: true });

  const login = await loginIfPullNeeded(image, options);
  let container: string | undefined;
  try {
    container = await createStopped(image, logger, login?.configDir);
    for (const target of targets) {
      const r = await docker(["cp", `${container}:${target.source}`, target.destination], {
        logger,
        allowFailure: true,
      });
      if (r.exitCode === 0) {
        logger.info(`extracted ${target.source} → ${target.destination}`);
        continue;
      }
      if (/could not find|no such file|not found/i.test(r.stderr)) {
        throw new ExtractError("file-not-found", `file ${target.source} not found in image ${image}`);
      }
      throw new ExtractError(
        "file-not-found",
        `cannot copy ${target.source} out of image ${image}: ${lastLine(r.stderr)}`,
      );
    }
    return targets;
  } finally {
    if (container) await removeContainer(container, logger);
    await login?.dispose();
  }
}

/** A login of its own only when the daemon lacks the image and credentials were given. */
async function loginIfPullNeeded(image: string, options: ExtractFilesOptions) {
  if (!options.credentials) return undefined;
  const present = await docker(["image", "inspect", "--format", "{{.Id}}", image], {
    logger: options.logger,
    allowFailure: true,
  });
  if (present.exitCode === 0) return undefined;
  return dockerLogin(parseReference(image).registry, options.credentials, options.logger);
}

/**
 * `docker create` (pulling with the temporary login if needed); the container is never started.
 * An image without CMD or ENTRYPOINT needs some command to be created with; any will do.
 */
async function createStopped(
  image: string,
  logger: Logger,
  dockerConfig: string | undefined,
): Promise<string> {
  if (!dockerConfig) return createContainer(image, logger);
  const env = { DOCKER_CONFIG: dockerConfig };
  const first = await docker(["create", image], { logger, env, allowFailure: true });
  if (first.exitCode === 0) return first.stdout.trim();
  const again = await docker(["create", image, "/powertrain-never-runs"], { logger, env });
  return again.stdout.trim();
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}
