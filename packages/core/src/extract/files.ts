/**
 * Files out of an image without running it: `docker create` (the container is
 * never started), `docker cp` for each path, and `docker rm` whatever happens.
 * E.g. a deploy script shipped inside the image.
 *
 * The image is not trusted with this machine's file system: each path is
 * copied into a private temporary directory first, and only regular files and
 * directories within a size cap are moved into place — a symlink (it would
 * point anywhere once moved), a hard link, a device, a FIFO or a socket fails
 * the extraction, and setuid/setgid bits and write access for others are
 * dropped.
 */
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { join, posix, resolve } from "node:path";
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
  /** Most bytes all extracted files may hold together (default 64 MiB). */
  maxBytes?: number;
}

/** Enough for scripts, configs and assets; an image that ships more is not asked for files. */
export const DEFAULT_MAX_EXTRACT_BYTES = 64 * 1024 * 1024;

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
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_EXTRACT_BYTES;
  await mkdir(dir, { recursive: true });
  // In the destination directory, so the final move is a rename on one file system; mode 0700.
  const staging = await mkdtemp(join(dir, ".powertrain-extract-"));

  const login = await loginIfPullNeeded(image, options);
  let container: string | undefined;
  try {
    container = await createStopped(image, logger, login?.configDir);
    let total = 0;
    const staged: string[] = [];
    for (const [i, target] of targets.entries()) {
      const into = join(staging, String(i));
      const r = await docker(["cp", `${container}:${target.source}`, into], { logger, allowFailure: true });
      if (r.exitCode !== 0) {
        if (/could not find|no such file|not found/i.test(r.stderr)) {
          throw new ExtractError("file-not-found", `file ${target.source} not found in image ${image}`);
        }
        throw new ExtractError(
          "file-not-found",
          `cannot copy ${target.source} out of image ${image}: ${lastLine(r.stderr)}`,
        );
      }
      total += await checkTree(into, target.source, image);
      if (total > maxBytes) {
        throw new ExtractError(
          "file-too-large",
          `the files asked of image ${image} hold more than ${maxBytes} bytes (at ${target.source}); nothing was extracted`,
        );
      }
      staged.push(into);
    }
    // Everything checked: only now does anything reach the destination directory.
    for (const [i, target] of targets.entries()) {
      await rm(target.destination, { recursive: true, force: true });
      await rename(staged[i]!, target.destination);
      logger.info(`extracted ${target.source} → ${target.destination}`);
    }
    return targets;
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (container) await removeContainer(container, logger);
    await login?.dispose();
  }
}

/**
 * The bytes under `path` (a copied file or directory tree), after refusing anything but regular
 * files and directories and dropping setuid/setgid/sticky bits and others' write access.
 */
async function checkTree(path: string, source: string, image: string, inside = ""): Promise<number> {
  const st = await lstat(path);
  const where = posix.join(source, inside);
  if (st.isDirectory()) {
    // The owner keeps rwx, so the staging directory can always be removed.
    await chmod(path, (st.mode & 0o755) | 0o700);
    let bytes = 0;
    for (const name of await readdir(path)) {
      bytes += await checkTree(join(path, name), source, image, posix.join(inside, name));
    }
    return bytes;
  }
  if (!st.isFile()) {
    throw new ExtractError(
      "not-a-regular-file",
      `${where} in image ${image} is ${kindOf(st)}: only regular files and directories are extracted`,
    );
  }
  if (st.nlink > 1) {
    throw new ExtractError(
      "not-a-regular-file",
      `${where} in image ${image} is a hard link: only regular files and directories are extracted`,
    );
  }
  await chmod(path, st.mode & 0o755);
  return st.size;
}

function kindOf(st: Awaited<ReturnType<typeof lstat>>): string {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
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
