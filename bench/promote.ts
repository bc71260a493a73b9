/**
 * Promotion benchmark: a ~100 MB image (a random-data layer on the test
 * busybox image) is pushed once, then promoted into another repository
 * (a) through the registry API — manifest PUT plus blob mounts — and (b) the
 * classic way: `docker pull` (after removing the local copy, so the pull is
 * real) + `docker tag` + `docker push`. Prints both times and the ratio.
 *
 * Usage: bench/promote [--size-mb N]   (needs ./scripts/setup)
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

    // The local copy goes, so the pull below really transfers the layers.
    await docker(["image", "rm", "--force", localImage, sourceRef]);
    const [, dockerSeconds] = await timed(async () => {
      await docker(["pull", sourceRef]);
      await docker(["tag", sourceRef, dockerTargetRef]);
      await docker(["push", dockerTargetRef]);
    });

    const ratio = dockerSeconds / apiSeconds;
    console.log(`image size in the registry:         ${(published.size / 1e6).toFixed(1)} MB`);
    console.log(
      `promote via registry API:           ${apiSeconds.toFixed(3)} s  (${client.bytesReceived} bytes received, ${result.blobs.mounted} blobs mounted, ${result.blobs.copied} copied)`,
    );
    console.log(`docker pull + tag + push:           ${dockerSeconds.toFixed(3)} s`);
    console.log(`ratio:                              ${ratio.toFixed(1)}× (target ≥ ${TARGET_RATIO}×)`);
    return ratio >= TARGET_RATIO ? 0 : 1;
  } finally {
    for (const repo of [source, viaApi, viaDocker]) {
      const digest = await client.manifestDigest(repo, "1").catch(() => undefined);
      if (digest) await client.deleteManifest(repo, digest).catch(() => undefined);
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
