/**
 * Publish of a multi-platform build against the setup's registry: the index (made here with
 * merge.ts's mergeIndex from two tiny images, as the builder or the merge job leaves it) is
 * tagged through the registry API — no docker, no layer read — and its digest is the one published.
 */
import { randomBytes } from "node:crypto";
import { mergeIndex } from "../../packages/core/src/publish/merge";
import { publishImage } from "../../packages/core/src/publish/publish";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { parseReference } from "../../packages/core/src/registry/reference";
import { recordingLogger } from "../registry/support/logger";
import { credentials, newClient, registry } from "../sign/support";
import { runCli } from "../support/cli";
import { uniqueName } from "../support/helpers";
import { pushPlatformImage } from "./support";

jest.setTimeout(120_000);

const base = `${uniqueName("pt-test-publish-index")}/app`;
const LAYER_BYTES = 256 * 1024;
const savedEnv = { ...process.env };
let client: RegistryClient;

beforeAll(() => {
  client = newClient();
  process.env.POWERTRAIN_REGISTRY_USER = credentials.username;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = credentials.password;
});

afterAll(async () => {
  process.env = savedEnv;
  await client.close();
});

const cli = runCli;

/** Two platform images (random, incompressible layers) merged into an index tagged `local`. */
async function builtIndex(repository: string): Promise<{ ref: string; digest: string }> {
  const layer = () => randomBytes(LAYER_BYTES).toString("base64");
  const amd64 = await pushPlatformImage(client, repository, layer(), { os: "linux", architecture: "amd64" });
  const arm64 = await pushPlatformImage(client, repository, layer(), { os: "linux", architecture: "arm64" });
  const merged = await mergeIndex({
    client,
    sources: [amd64, arm64].map((d) => ({ registry, repository, digest: d.digest })),
    target: parseReference(`${registry}/${repository}:local`, registry),
    logger: recordingLogger(),
  });
  return { ref: `${merged.ref}@${merged.digest}`, digest: merged.digest };
}

test.each([
  ["in the repository it was built to", "-same", "-same"],
  ["from another repository of the registry", "-other-builds", "-other"],
])(
  "an index %s is tagged by digest, every tag resolves to it, nothing is pulled",
  async (_, built, published) => {
    const repository = `${base}${published}`;
    const index = await builtIndex(`${base}${built}`);
    const logger = recordingLogger();
    const counting = new RegistryClient({ registry, credentials });
    // Not in the local image store: a docker tag or push of it would fail.
    const localImage = `${uniqueName("pt-test-absent")}:local`;

    const result = await publishImage({
      localImage,
      registry,
      repository,
      version: "9-0123abc",
      extraTags: ["latest", "commit-0123abc"],
      credentials,
      index: index.ref,
      client: counting,
      logger,
    });

    expect(result).toMatchObject({
      version: "9-0123abc",
      tags: ["9-0123abc", "latest", "commit-0123abc"],
      digest: index.digest,
      image: `${registry}/${repository}@${index.digest}`,
    });
    expect(result.size).toBeGreaterThan(2 * LAYER_BYTES);
    for (const tag of result.tags) expect(await client.manifestDigest(repository, tag)).toBe(index.digest);
    const top = await client.getManifest(repository, "latest");
    expect(top.manifest.kind).toBe("index");
    // Manifests only: less than one of the two layers.
    expect(counting.bytesReceived).toBeLessThan(LAYER_BYTES / 4);
    expect(logger.text()).not.toContain("docker");
    await counting.close();
  },
);

test("an index in another registry is refused before anything is tagged", async () => {
  const digest = `sha256:${"b".repeat(64)}`;
  await expect(
    publishImage({
      localImage: "absent:local",
      registry,
      repository: `${base}-foreign`,
      version: "1",
      credentials,
      index: `ghcr.io/team/app@${digest}`,
      logger: recordingLogger(),
    }),
  ).rejects.toThrow(`the index ghcr.io/team/app@${digest} is in ghcr.io, but publish goes to ${registry}`);
  expect(await client.manifestExists(`${base}-foreign`, "1")).toBe(false);
});

test("an index digest the registry does not hold is a not-found error naming it", async () => {
  const repository = `${base}-missing`;
  await builtIndex(repository);
  const digest = `sha256:${"c".repeat(64)}`;
  await expect(
    publishImage({
      localImage: "absent:local",
      registry,
      repository,
      version: "1",
      credentials,
      index: `${registry}/${repository}@${digest}`,
      logger: recordingLogger(),
    }),
  ).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining(digest) });
  expect(await client.manifestExists(repository, "1")).toBe(false);
});

test("powertrain publish --index: --dry-run names the tags, then the tags go onto the index", async () => {
  const repository = `${base}-cli`;
  const index = await builtIndex(repository);
  const common = ["--config", "/nonexistent/powertrain.yml", "--registry", registry];
  const flags = [...common, "--repository", repository, "--version", "3-cafe123", "--index", index.ref];

  const dry = await cli("publish", ...flags, "--dry-run");
  expect(dry.code).toBe(0);
  expect(dry.stdout).toBe(`tag ${index.ref} as ${registry}/${repository}:3-cafe123 (registry API)\n`);
  expect(await client.manifestExists(repository, "3-cafe123")).toBe(false);

  const published = await cli("publish", ...flags, "--json");
  expect(published.code).toBe(0);
  expect(JSON.parse(published.stdout)).toMatchObject({ digest: index.digest, tags: ["3-cafe123"] });
  expect(await client.manifestDigest(repository, "3-cafe123")).toBe(index.digest);

  const unpinned = await cli(
    "publish",
    ...common,
    "--repository",
    repository,
    "--version",
    "4",
    "--index",
    `${registry}/${repository}:local`,
  );
  expect(unpinned.code).toBe(2);
  expect(unpinned.stderr).toContain("pin it by digest");
});
