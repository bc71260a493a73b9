/**
 * extract-config from the registry versus the way the original powertrain
 * got at its config: `docker pull`, `docker create`, `docker cp` the file out,
 * `docker rm`. Builds a ~100 MB image (a layer of random bytes), pushes it to
 * the test registry (./scripts/setup), times both ways and prints time and
 * bytes transferred for each and the ratio. The same image is also pushed to
 * the token-auth registry (setup's 127.0.0.1:5210) and extract-config timed
 * there with its pull-only user — a Bearer challenge and a token per run —
 * next to the basic-auth figure (target: within 1.2×). Cleans up what it made.
 *
 *   bench/extract/run [--size-mb 100] [--runs 3]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { imageLabels } from "../../packages/core/src/build/labels";
import type { PowertrainConfig } from "../../packages/core/src/config/schema";
import { exec } from "../../packages/core/src/exec/exec";
import { extractConfig } from "../../packages/core/src/extract/extract-config";
import { silentLogger } from "../../packages/core/src/log";
import { dockerLogin } from "../../packages/core/src/publish/docker-login";
import { publishImage } from "../../packages/core/src/publish/publish";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { testEnv } from "../../test/support/env";

const CONFIG: PowertrainConfig = {
  name: "bench",
  run: { instances: 2, ports: ["8080"], env: { TOKEN: "${TOKEN}" } },
  environments: { prod: { run: { instances: 4 } } },
};

interface Sample {
  ms: number;
  bytes: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "size-mb": { type: "string", default: "100" }, runs: { type: "string", default: "3" } },
  });
  const sizeMb = Number(values["size-mb"]);
  const runs = Number(values.runs);
  const env = testEnv();
  const credentials = { username: env.registry.user, password: env.registry.password };
  const suffix = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const local = `pt-bench-extract-${suffix}:1`;
  const repository = `pt-bench-extract-${suffix}/app`;
  const tagged = `${env.registry.host}/${repository}:1`;

  const client = new RegistryClient({ registry: env.registry.host, credentials });
  const login = await dockerLogin(env.registry.host, credentials, silentLogger);
  let digest: string | undefined;
  const token = env.tokenRegistry;
  const tokenTagged = token ? `${token.host}/${repository}:1` : undefined;
  let tokenDigest: string | undefined;
  try {
    log(`building a ${sizeMb} MB image and pushing it to ${env.registry.host}…`);
    await buildImage(env.images.busybox, local, sizeMb << 20);
    const published = await publishImage({
      localImage: local,
      registry: env.registry.host,
      repository,
      version: "1",
      dockerConfig: login.configDir,
      credentials,
      logger: silentLogger,
    });
    digest = published.digest;
    if (token) {
      log(`pushing it to the token registry ${token.host} too…`);
      tokenDigest = (
        await publishImage({
          localImage: local,
          registry: token.host,
          repository,
          version: "1",
          credentials: token.users.push,
          logger: silentLogger,
        })
      ).digest;
      await exec("docker", ["image", "rm", tokenTagged!]);
    }
    await exec("docker", ["image", "rm", local, tagged]);
    const pullBytes = await bytesToPull(client, repository, digest, env.images.busybox);

    const fast: Sample[] = [];
    const slow: Sample[] = [];
    const viaToken: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      fast.push(await viaRegistry(tagged, credentials));
      slow.push(await viaPull(tagged, login.configDir, pullBytes));
      if (token) viaToken.push(await viaRegistry(tokenTagged!, token.users.pull));
      const t = token ? `, token registry ${fmt(viaToken.at(-1)!)}` : "";
      log(`run ${i + 1}/${runs}: registry ${fmt(fast.at(-1)!)}, pull ${fmt(slow.at(-1)!)}${t}`);
    }
    const f = median(fast);
    const s = median(slow);
    console.log(`\nextract-config of a ${sizeMb} MB image, median of ${runs} runs`);
    console.log(`  registry API (manifest + config blob) ${fmt(f)}`);
    console.log(`  docker pull + create + cp + rm        ${fmt(s)}`);
    console.log(
      `  ratio: ${(s.ms / f.ms).toFixed(1)}× faster, ${(s.bytes / f.bytes).toFixed(0)}× fewer bytes`,
    );
    let ok = s.ms / f.ms >= 10 && f.bytes < 100 * 1024;
    console.log(`  targets (≥10× faster, <100 KB): ${ok ? "met" : "NOT met"}`);
    if (token) {
      const t = median(viaToken);
      const ratio = t.ms / f.ms;
      console.log(`  token-auth registry (pull-only user)  ${fmt(t)}`);
      console.log(
        `  token vs basic auth: ${ratio.toFixed(2)}× (target ≤ 1.2×): ${ratio <= 1.2 ? "met" : "NOT met"}`,
      );
      ok &&= ratio <= 1.2;
    } else {
      console.log("  token-auth registry: not in the test env (run ./scripts/setup)");
    }
    if (!ok) process.exitCode = 1;
  } finally {
    await exec(
      "docker",
      ["image", "rm", "--force", local, tagged, `${env.registry.host}/${repository}@${digest}`],
      {
        allowFailure: true,
      },
    );
    if (digest) await client.deleteManifest(repository, digest).catch(() => {});
    await client.close();
    if (token && tokenDigest) {
      const tokenClient = new RegistryClient({ registry: token.host, credentials: token.users.push });
      await tokenClient.deleteManifest(repository, tokenDigest).catch(() => {});
      await tokenClient.close();
      await exec("docker", ["image", "rm", "--force", tokenTagged!], { allowFailure: true });
    }
    await login.dispose();
  }
}

async function viaRegistry(
  image: string,
  credentials: { username: string; password: string },
): Promise<Sample> {
  const start = performance.now();
  const result = await extractConfig({
    image,
    environment: "prod",
    source: "registry",
    credentials,
    logger: silentLogger,
  });
  const ms = performance.now() - start;
  if (result.config.run.instances !== 4) throw new Error("the registry read returned the wrong config");
  return { ms, bytes: result.bytesFetched };
}

/** The old way; the image is removed first so every run pulls as a fresh deploy host would. */
async function viaPull(image: string, dockerConfig: string, bytes: number): Promise<Sample> {
  const env = { DOCKER_CONFIG: dockerConfig };
  await exec("docker", ["image", "rm", "--force", image], { allowFailure: true });
  const dir = mkdtempSync(join(tmpdir(), "pt-bench-extract-"));
  const start = performance.now();
  let container: string | undefined;
  try {
    await exec("docker", ["pull", "--quiet", image], { env });
    container = (await exec("docker", ["create", image])).stdout.trim();
    await exec("docker", ["cp", `${container}:/powertrain.yml`, join(dir, "powertrain.yml")]);
  } finally {
    if (container) await exec("docker", ["rm", container]);
  }
  const ms = performance.now() - start;
  rmSync(dir, { recursive: true, force: true });
  return { ms, bytes };
}

/** Compressed bytes a pull downloads: every layer except those of the (local) base image. */
async function bytesToPull(client: RegistryClient, repository: string, digest: string, base: string) {
  const { manifest } = await client.getImageManifest(repository, digest);
  const baseLayers = Number(
    (await exec("docker", ["image", "inspect", "--format", "{{len .RootFS.Layers}}", base])).stdout,
  );
  const own = manifest.layers.slice(baseLayers);
  return manifest.config.size + own.reduce((sum, l) => sum + l.size, 0);
}

async function buildImage(base: string, name: string, size: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pt-bench-extract-build-"));
  try {
    writeFileSync(join(dir, "data"), randomBytes(size));
    // The old way read the config as a file inside the image.
    writeFileSync(join(dir, "powertrain.yml"), JSON.stringify(CONFIG));
    writeFileSync(
      join(dir, "Dockerfile"),
      `FROM ${base}\nCOPY data /data\nCOPY powertrain.yml /powertrain.yml\n`,
    );
    const labels = imageLabels({ config: CONFIG, ci: { ci: "local", buildNumber: 1 }, created: new Date() });
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    await exec("docker", ["build", "--quiet", ...labelArgs, "--tag", name, dir], {
      env: { DOCKER_BUILDKIT: "0" },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(samples: Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fmt(s: Sample): string {
  const bytes =
    s.bytes >= 1 << 20 ? `${(s.bytes / (1 << 20)).toFixed(1)} MiB` : `${(s.bytes / 1024).toFixed(1)} KiB`;
  return `${s.ms.toFixed(0).padStart(6)} ms  ${bytes.padStart(10)}`;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/extract: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
