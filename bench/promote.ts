/**
 * Promotion benchmark: a ~100 MB image (a random-data layer on the test
 * busybox image) is pushed once, then promoted into another repository
 * (a) through the registry API — manifest PUT plus blob mounts — and (b) the
 * classic way: `docker pull` (after removing the local copy, so the pull is
 * real) + `docker tag` + `docker push`. Prints both times and the ratio. The
 * API promotion is also timed against setup's token-auth registry (Bearer
 * challenge, a token for both repositories' scopes) next to the basic-auth
 * registry, median of --runs each (target: within 1.2×).
 *
 * Usage: bench/promote [--size-mb N] [--runs N]   (needs ./scripts/setup)
 */
import { performance } from "node:perf_hooks";
import { exec } from "../packages/core/src/exec/exec";
import { silentLogger } from "../packages/core/src/log";
import { dockerLogin } from "../packages/core/src/publish/docker-login";
import { promote } from "../packages/core/src/publish/promote";
import { publishImage } from "../packages/core/src/publish/publish";
import { RegistryClient } from "../packages/core/src/registry/client";
import { buildTestImage } from "../test/registry/support/images";
import { testEnv } from "../test/support/env";

const TARGET_RATIO = 10;
const TOKEN_TARGET = 1.2;

function runsArg(): number {
  const i = process.argv.indexOf("--runs");
  const n = i >= 0 ? Number(process.argv[i + 1]) : 5;
  if (!Number.isInteger(n) || n <= 0) throw new Error("--runs needs a positive whole number");
  return n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `runs` promotions of `source:1` into fresh repositories, each with a fresh client (a cold token cache). */
async function promoteRuns(
  registry: string,
  credentials: { username: string; password: string },
  source: string,
  target: (i: number) => string,
  runs: number,
): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const client = new RegistryClient({ registry, credentials });
    try {
      const [, s] = await timed(() =>
        promote({
          client,
          repository: source,
          version: "1",
          to: { repository: target(i), tag: "1" },
          logger: silentLogger,
        }),
      );
      seconds.push(s);
    } finally {
      await client.close();
    }
  }
  return seconds;
}

function sizeArg(): number {
  const i = process.argv.indexOf("--size-mb");
  const n = i >= 0 ? Number(process.argv[i + 1]) : 100;
  if (!Number.isFinite(n) || n <= 0) throw new Error("--size-mb needs a positive number");
  return n;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, (performance.now() - start) / 1000];
}

async function main(): Promise<number> {
  const env = testEnv();
  const sizeMb = sizeArg();
  const runs = runsArg();
  const token = env.tokenRegistry;
  const registry = env.registry.host;
  const credentials = { username: env.registry.user, password: env.registry.password };
  const id = `${Date.now().toString(36)}`;
  const source = `pt-bench-promote-${id}/app`;
  const localImage = `pt-bench-promote-${id}:src`;
  const viaApi = `${source}-api`;
  const viaDocker = `${source}-docker`;
  const sourceRef = `${registry}/${source}:1`;
  const dockerTargetRef = `${registry}/${viaDocker}:1`;

  const client = new RegistryClient({ registry, credentials });
  const login = await dockerLogin(registry, credentials, silentLogger);
  const docker = (args: string[]) => exec("docker", args, { env: { DOCKER_CONFIG: login.configDir } });
  try {
    console.log(`building a ${sizeMb} MB image and pushing it to ${sourceRef} …`);
    await buildTestImage({ base: env.images.busybox, name: localImage, randomBytes: sizeMb << 20 });
    const published = await publishImage({
      localImage,
      registry,
      repository: source,
      version: "1",
      dockerConfig: login.configDir,
      credentials,
      logger: silentLogger,
    });

    const [result, apiSeconds] = await timed(() =>
      promote({
        client,
        repository: source,
        version: "1",
        to: { repository: viaApi, tag: "1" },
        logger: silentLogger,
      }),
    );
    if (result.digest !== published.digest) throw new Error("promotion changed the digest");
    const basicRuns = await promoteRuns(registry, credentials, source, (i) => `${viaApi}-${i}`, runs);
    let tokenRuns: number[] = [];
    if (token) {
      console.log(`pushing it to the token registry ${token.host} too …`);
      await publishImage({
        localImage,
        registry: token.host,
        repository: `snapshot/${source}`,
        version: "1",
        credentials: token.users.push,
        logger: silentLogger,
      });
      tokenRuns = await promoteRuns(
        token.host,
        token.users.promoter,
        `snapshot/${source}`,
        (i) => `release/${source}-${i}`,
        runs,
      );
    }

    // The local copy goes, so the pull below really transfers the layers.
    // (the token registry's tag of the same image too, or the layers would still be here).
    const tokenRef = token ? [`${token.host}/snapshot/${source}:1`] : [];
    await docker(["image", "rm", "--force", localImage, sourceRef, ...tokenRef]);
    const [, dockerSeconds] = await timed(async () => {
      await docker(["pull", sourceRef]);
      await docker(["tag", sourceRef, dockerTargetRef]);
      await docker(["push", dockerTargetRef]);
    });

    // One promotion is a few hundred ms on a busy machine: the ratio uses the median of --runs.
    const basicMedian = median([apiSeconds, ...basicRuns]);
    const ratio = dockerSeconds / basicMedian;
    console.log(`image size in the registry:         ${(published.size / 1e6).toFixed(1)} MB`);
    console.log(
      `promote via registry API:           ${basicMedian.toFixed(3)} s  (median of ${runs + 1}; first: ${client.bytesReceived} bytes received, ${result.blobs.mounted} blobs mounted, ${result.blobs.copied} copied)`,
    );
    console.log(`docker pull + tag + push:           ${dockerSeconds.toFixed(3)} s`);
    console.log(`ratio:                              ${ratio.toFixed(1)}× (target ≥ ${TARGET_RATIO}×)`);
    console.log(
      `promote via API, basic auth:        ${basicMedian.toFixed(3)} s  (median of ${runs + 1}, fresh client each)`,
    );
    if (!token) {
      console.log("promote via API, token auth:        not in the test env (run ./scripts/setup)");
      return ratio >= TARGET_RATIO ? 0 : 1;
    }
    const tokenMedian = median(tokenRuns);
    const tokenRatio = tokenMedian / basicMedian;
    console.log(
      `promote via API, token auth:        ${tokenMedian.toFixed(3)} s  (median of ${runs}, pull snapshot/* + push release/*)`,
    );
    console.log(`token vs basic auth:                ${tokenRatio.toFixed(2)}× (target ≤ ${TOKEN_TARGET}×)`);
    return ratio >= TARGET_RATIO && tokenRatio <= TOKEN_TARGET ? 0 : 1;
  } finally {
    const basicRepos = [
      source,
      viaApi,
      viaDocker,
      ...Array.from({ length: runs }, (_, i) => `${viaApi}-${i}`),
    ];
    for (const repo of basicRepos) {
      const digest = await client.manifestDigest(repo, "1").catch(() => undefined);
      if (digest) await client.deleteManifest(repo, digest).catch(() => undefined);
    }
    if (token) {
      const tokenClient = new RegistryClient({ registry: token.host, credentials: token.users.push });
      const repos = [
        `snapshot/${source}`,
        ...Array.from({ length: runs }, (_, i) => `release/${source}-${i}`),
      ];
      for (const repo of repos) {
        const digest = await tokenClient.manifestDigest(repo, "1").catch(() => undefined);
        if (digest) await tokenClient.deleteManifest(repo, digest).catch(() => undefined);
      }
      await tokenClient.close();
      await exec("docker", ["image", "rm", "--force", `${token.host}/snapshot/${source}:1`]).catch(
        () => undefined,
      );
    }
    await client.close();
    await docker(["image", "rm", "--force", localImage, sourceRef, dockerTargetRef]).catch(() => undefined);
    await login.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
