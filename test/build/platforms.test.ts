/**
 * build.platforms on the standalone builder: one OCI index for linux/amd64 and linux/arm64 pushed
 * from the builder (the arm64 RUN runs under QEMU), while the test stage runs on the runner's own
 * platform and its JUnit report comes out, and the image loaded for the report is the runner's.
 */
import { join } from "node:path";
import { type BuildResult, runBuild } from "../../packages/core/src/build";
import { loadConfig } from "../../packages/core/src/config/load";
import { exec } from "../../packages/core/src/exec/exec";
import { entryPlatform, mergeIndex } from "../../packages/core/src/publish/merge";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { parseReference } from "../../packages/core/src/registry/reference";
import { testEnv } from "../support/env";
import { uniqueName } from "../support/helpers";
import { registryLogin, standaloneBuilder } from "./builders";
import { fileInImage, multiarchApp, registryClient } from "./multiarch";
import { imageNames, recordingLogger } from "./support";

jest.setTimeout(300_000);

const images = imageNames();
let login: Awaited<ReturnType<typeof registryLogin>>;
let client: RegistryClient;
let result: BuildResult;
let repository: string;

beforeAll(async () => {
  const env = testEnv();
  login = await registryLogin();
  client = registryClient(env);
  const dir = await multiarchApp();
  const configFile = join(dir, "powertrain.yml");
  const loaded = (await loadConfig(configFile)).config;
  repository = `pt-test/${uniqueName("multiarch")}`;
  const config = { ...loaded, image: { registry: env.registry.host, repository } };
  result = await runBuild(
    {
      configFile,
      config,
      cwd: dir,
      image: images.next("pt-build-multiarch"),
      buildArgs: { BASE: standaloneBuilder(env).images.busybox },
    },
    {
      logger: recordingLogger(),
      smokeTest: false,
      builder: { kind: "buildx", name: standaloneBuilder(env).builder, driver: "remote" },
      dockerConfig: login.configDir,
    },
  );
});
afterAll(async () => {
  await images.cleanup();
  await login?.dispose();
  await client?.close();
});

test("the test stage ran on the runner's platform and its report came out", () => {
  expect(result.tests).toMatchObject({ passed: 1, failed: 0 });
  expect(result.tests?.slowest.map((t) => t.name)).toEqual(["probe › test stage on x86_64"]);
});

test("the image loaded for the report and checks is the runner's platform", async () => {
  const inspect = await exec("docker", [
    "image",
    "inspect",
    "--format",
    "{{.Os}}/{{.Architecture}}",
    result.imageId,
  ]);
  expect(inspect.stdout.trim()).toBe("linux/amd64");
});

test("one OCI index with both platforms was pushed, and its digest is the result's", async () => {
  expect(result.index).toMatchObject({
    ref: `${testEnv().registry.host}/${repository}:${result.image.split(":").pop()}`,
    platforms: ["linux/amd64", "linux/arm64"],
  });
  const index = await client.getManifest(repository, result.index!.digest);
  expect(index.digest).toBe(result.index!.digest);
  expect(index.manifest.kind).toBe("index");
  const platforms =
    index.manifest.kind === "index"
      ? index.manifest.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)
      : [];
  expect(platforms.sort()).toEqual(["linux/amd64", "linux/arm64"]);
});

test("the arm64 image's RUN ran as arm64 (under QEMU), the amd64 one natively", async () => {
  const index = await client.getManifest(repository, result.index!.digest);
  if (index.manifest.kind !== "index") throw new Error("not an index");
  const machine: Record<string, string | undefined> = {};
  for (const m of index.manifest.manifests) {
    machine[m.platform!.architecture] = (
      await fileInImage(client, repository, m.digest, "machine.txt")
    )?.trim();
  }
  expect(machine).toEqual({ amd64: "x86_64", arm64: "aarch64" });
});

test("the index carries the same powertrain labels as the loaded image", async () => {
  const index = await client.getManifest(repository, result.index!.digest);
  if (index.manifest.kind !== "index") throw new Error("not an index");
  const arm = index.manifest.manifests.find((m) => m.platform?.architecture === "arm64")!;
  const image = await client.getManifest(repository, arm.digest);
  if (image.manifest.kind !== "image") throw new Error("not an image");
  const config = await client.getConfig(repository, image.manifest);
  expect(config.labels["dev.powertrain.config"]).toBe(result.labels["dev.powertrain.config"]);
});

describe("build.attestations", () => {
  test("provenance rides along in the index as attestation manifests, and merge keeps them", async () => {
    const env = testEnv();
    const dir = await multiarchApp();
    const configFile = join(dir, "powertrain.yml");
    const loaded = (await loadConfig(configFile)).config;
    const repo = `pt-test/${uniqueName("attested")}`;
    const config = {
      ...loaded,
      image: { registry: env.registry.host, repository: repo },
      // SBOM needs BuildKit's scanner image from Docker Hub, which this machine cannot pull.
      build: { ...loaded.build, attestations: { provenance: "min" as const } },
    };
    const attested = await runBuild(
      {
        configFile,
        config,
        cwd: dir,
        image: images.next("pt-build-attested"),
        buildArgs: { BASE: standaloneBuilder(env).images.busybox },
      },
      {
        logger: recordingLogger(),
        smokeTest: false,
        builder: { kind: "buildx", name: standaloneBuilder(env).builder, driver: "remote" },
        dockerConfig: login.configDir,
      },
    );
    const index = await client.getManifest(repo, attested.index!.digest);
    if (index.manifest.kind !== "index") throw new Error("not an index");
    const kinds = index.manifest.manifests.map((m) => entryPlatform(m)).sort();
    expect(kinds).toEqual(["attestation", "attestation", "linux/amd64", "linux/arm64"]);

    const merged = await mergeIndex({
      client,
      sources: [parseReference(`${env.registry.host}/${repo}@${attested.index!.digest}`)],
      target: parseReference(`${env.registry.host}/${repo}-merged:1`),
      logger: recordingLogger(),
    });
    expect(merged.entries.map((e) => e.platform).sort()).toEqual(kinds);
    // Each attestation manifest still names the image it is about, and is readable in the new repository.
    const copy = await client.getManifest(`${repo}-merged`, merged.digest);
    if (copy.manifest.kind !== "index") throw new Error("not an index");
    for (const m of copy.manifest.manifests.filter((d) => entryPlatform(d) === "attestation")) {
      expect(copy.manifest.manifests.map((d) => d.digest)).toContain(
        m.annotations?.["vnd.docker.reference.digest"],
      );
      expect((await client.getManifest(`${repo}-merged`, m.digest)).manifest.kind).toBe("image");
    }
  });
});
