/**
 * Small helpers for integration tests: unique names, temporary directories, ports, HTTP waits and
 * best-effort docker cleanup. Importing this module from a test file registers an afterAll that
 * removes the temporary directories that file created.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { SshSession } from "../../packages/core/src/ssh/session";
import type { TestEnv } from "./env";

const tempDirs: string[] = [];

// Runs at import time, i.e. while jest collects the test file — the only time hooks may be added.
if (typeof afterAll === "function") {
  afterAll(() => {
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

/** A name unique to this run, valid for docker containers, images and repositories: `prefix-xxxxxxxx`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${randomBytes(3).toString("hex")}`.toLowerCase();
}

/** The middle value (the mean of the two middle ones for an even count): what the benchmarks compare. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A new empty directory, removed after the test file's tests have run. */
export function tempDir(prefix = "powertrain-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until any HTTP response arrives (any status) and returns it; throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await fetch(url, {
        signal: AbortSignal.timeout(Math.max(100, Math.min(2000, deadline - Date.now()))),
      });
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const reason =
    lastError instanceof Error
      ? `: ${(lastError.cause as Error | undefined)?.message ?? lastError.message}`
      : "";
  throw new Error(`${url} did not answer within ${timeoutMs} ms${reason}`);
}

/** Removes containers (running or not), ignoring ones that do not exist. */
export async function dockerRm(names: readonly string[]): Promise<void> {
  if (names.length > 0)
    await exec("docker", ["rm", "--force", "--volumes", ...names], { allowFailure: true });
}

/** Removes images or tags, ignoring ones that do not exist. */
export async function dockerRmi(images: readonly string[]): Promise<void> {
  if (images.length > 0) await exec("docker", ["image", "rm", "--force", ...images], { allowFailure: true });
}

/** OpenSSH options that log in to a test host as the deploy user with host-key checking on. */
/**
 * A cold build cache, as on a fresh CI runner: `base` plus one label, tagged
 * `name`, so no layer built on it exists yet. (`--no-cache` is not the same:
 * its layers join the cache next to the old ones, and the classic builder's
 * next lookup may follow either copy.)
 */
export async function freshBaseImage(base: string, name: string): Promise<string> {
  await exec("docker", ["build", "--quiet", "--tag", name, "-"], {
    input: `FROM ${base}\nLABEL ${FRESH_BASE_LABEL}=${JSON.stringify(name)}\n`,
    env: { DOCKER_BUILDKIT: "0" },
  });
  return name;
}

const FRESH_BASE_LABEL = "dev.powertrain.test.fresh-base";

/** Images built on a fresh base inherit its label: remove those left untagged. */
export async function pruneFreshBaseImages(): Promise<void> {
  await exec("docker", ["image", "prune", "--force", "--filter", `label=${FRESH_BASE_LABEL}`], {
    allowFailure: true,
  });
}

export function sshOptions(env: TestEnv, knownHosts = env.ssh.knownHosts): string[] {
  return [
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "ConnectTimeout=5",
    "-i",
    env.ssh.key,
    "-p",
    String(env.ssh.port),
    "-l",
    env.ssh.user,
  ];
}

/**
 * `docker build` the context `dir` as `tag` (registry/repository:tag), push it to the test
 * registry with a login kept in a throwaway docker config, and return the pinned reference
 * `tag@sha256:…`.
 */
export async function buildAndPush(env: TestEnv, dir: string, tag: string): Promise<string> {
  await exec("docker", ["build", "-q", "-t", tag, dir]);
  const config = mkdtempSync(join(tmpdir(), "pt-docker-config-"));
  try {
    const { host, user, password } = env.registry;
    await exec("docker", ["--config", config, "login", "-u", user, "--password-stdin", host], {
      input: password,
    });
    const push = await exec("docker", ["--config", config, "push", tag]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
    if (!digest) throw new Error(`no digest in the output of docker push ${tag}: ${push.stdout}`);
    return `${tag}@${digest}`;
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

const VERSION_SERVER = `require("http").createServer((req, res) => res.end(process.env.VERSION)).listen(8080);\n`;

/** A tiny node HTTP app on the test node image that answers its `version`; pushed, returned pinned. */
export async function buildVersionApp(env: TestEnv, app: string, version: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pt-version-app-"));
  try {
    writeFileSync(join(dir, "server.js"), VERSION_SERVER);
    writeFileSync(
      join(dir, "Dockerfile"),
      `FROM ${env.images.node}\nCOPY server.js /app/server.js\nENV VERSION=${version}\nCMD ["/usr/local/bin/node", "/app/server.js"]\n`,
    );
    return await buildAndPush(env, dir, `${env.registry.host}/${app}/app:${version}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Removes a repository's local images by reference, never by image ID: two test apps' images may
 * be the same bytes (one ID), and removing the ID would untag the other app's too.
 */
export async function removeImagesOf(repository: string, dockerHost?: string): Promise<void> {
  const docker = (args: string[]) =>
    exec("docker", [...(dockerHost ? ["-H", dockerHost] : []), ...args], { allowFailure: true });
  const refs = (
    await docker(["images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}", repository])
  ).stdout
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => {
      const [repo, tag, digest] = line.split(" ");
      return [
        ...(tag && tag !== "<none>" ? [`${repo}:${tag}`] : []),
        ...(digest && digest !== "<none>" ? [`${repo}@${digest}`] : []),
      ];
    });
  if (refs.length) await docker(["image", "rm", ...new Set(refs)]);
}

/** Remove a deployed test app: its containers, its `<registry>/<app>/app` images, and its locks and history on the first SSH host. */
export async function removeDeployedApp(env: TestEnv, app: string): Promise<void> {
  const ids = (await exec("docker", ["ps", "-aq", "--filter", `label=dev.powertrain.app=${app}`])).stdout
    .split("\n")
    .filter(Boolean);
  if (ids.length) await exec("docker", ["rm", "-f", ...ids], { allowFailure: true });
  await removeImagesOf(`${env.registry.host}/${app}/app`);
  const session = await SshSession.create({ identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts });
  try {
    const conn = await session.connect({ host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port });
    await conn.run(["sh", "-c", 'rm -rf "$HOME/.powertrain/locks/$1".* "$HOME/.powertrain/$1".*', "sh", app]);
  } finally {
    await session.close();
  }
}
