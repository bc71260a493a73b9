/**
 * The registry client against the real registry from ./scripts/setup
 * (htpasswd basic auth): tags and pagination, manifests and labels, digests,
 * wrong credentials, promotion within and across repositories.
 */

import { silentLogger } from "../../packages/core/src/log";
import { findByCommit, listImages } from "../../packages/core/src/publish/images";
import { promote } from "../../packages/core/src/publish/promote";
import { type PublishResult, publishImage } from "../../packages/core/src/publish/publish";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { RegistryError } from "../../packages/core/src/registry/errors";
import { testEnv } from "../support/env";
import { dockerRmi, uniqueName } from "../support/helpers";
import { buildTestImage } from "./support/images";

jest.setTimeout(120_000);

const env = testEnv();
const registry = env.registry.host;
const credentials = { username: env.registry.user, password: env.registry.password };
const repository = `${uniqueName("pt-test-registry")}/app`;
const releaseRepository = `${repository}-release`;
const mirrorRepository = `${repository}-mirror`;
const localImage = `${uniqueName("pt-test-registry-img")}:1`;
const COMMIT = "3f2a9c1d0e4b5a6978812345678901234567890a";
const TAGS = ["412-3f2a9c1", "a", "b", "c", "d", "e"];

let client: RegistryClient;
let published: PublishResult;

beforeAll(async () => {
  await buildTestImage({
    base: env.images.busybox,
    name: localImage,
    labels: {
      "org.opencontainers.image.revision": COMMIT,
      "org.opencontainers.image.version": "412-3f2a9c1",
      "org.opencontainers.image.created": "2026-01-02T03:04:05Z",
      "dev.powertrain.build-number": "412",
    },
  });
  published = await publishImage({
    localImage,
    registry,
    repository,
    version: TAGS[0]!,
    extraTags: TAGS.slice(1),
    credentials,
    logger: silentLogger,
  });
  client = new RegistryClient({ registry, credentials });
});

afterAll(async () => {
  for (const repo of [repository, releaseRepository, mirrorRepository]) {
    await client?.deleteManifest(repo, published.digest).catch(() => undefined);
  }
  await client?.close();
  await dockerRmi([localImage, ...TAGS.map((t) => `${registry}/${repository}:${t}`)]);
});

test("lists every tag with ?n= (this registry answers tags in one page)", async () => {
  expect((await client.listTags(repository, 2)).sort()).toEqual([...TAGS].sort());
});

test("follows Link pagination over more repositories than one page of ?n=1", async () => {
  await promote({
    client,
    repository,
    version: "a",
    to: { repository: mirrorRepository, tag: "x" },
    logger: silentLogger,
  });
  const before = client.requests;
  const repositories = await client.listRepositories(1);
  expect(repositories).toEqual(expect.arrayContaining([repository, mirrorRepository]));
  expect(new Set(repositories).size).toBe(repositories.length);
  expect(client.requests - before).toBeGreaterThanOrEqual(repositories.length);
});

test("HEAD digest, GET digest and the published digest agree", async () => {
  const head = await client.manifestDigest(repository, "a");
  const got = await client.getManifest(repository, "a");
  expect(head).toBe(published.digest);
  expect(got.digest).toBe(published.digest);
  expect(got.manifest.kind).toBe("image");
});

test("reads labels and created from the config blob", async () => {
  const { manifest } = await client.getImageManifest(repository, TAGS[0]!);
  const config = await client.getConfig(repository, manifest);
  expect(config.labels["org.opencontainers.image.revision"]).toBe(COMMIT);
  expect(config.created).toMatch(/^\d{4}-/);
});

test("images lists one entry per digest with commit and build number; find by commit", async () => {
  const images = await listImages({ client, repository });
  expect(images).toHaveLength(1);
  expect(images[0]).toMatchObject({
    digest: published.digest,
    commit: COMMIT,
    buildNumber: 412,
    version: "412-3f2a9c1",
    created: "2026-01-02T03:04:05Z",
  });
  expect(images[0]!.tags.sort()).toEqual([...TAGS].sort());
  expect(images[0]!.size).toBe(published.size);
  expect(findByCommit(images, "3f2a9c1")[0]?.digest).toBe(published.digest);
  expect(findByCommit(images, "deadbeef")).toEqual([]);
});

test("a missing tag is a not-found RegistryError", async () => {
  await expect(client.getManifest(repository, "nope")).rejects.toMatchObject({
    kind: "not-found",
    status: 404,
  });
  expect(await client.manifestExists(repository, "nope")).toBe(false);
});

test("a fresh client's first requests side by side all authenticate (each answers its own challenge)", async () => {
  const fresh = new RegistryClient({ registry, credentials });
  try {
    const digests = await Promise.all(
      Array.from({ length: 4 }, () => fresh.manifestDigest(repository, TAGS[0]!)),
    );
    expect(new Set(digests)).toEqual(new Set([published.digest]));
  } finally {
    await fresh.close();
  }
});

test("a wrong password fails at once with a clear error and no retry storm", async () => {
  const wrong = new RegistryClient({
    registry,
    credentials: { username: credentials.username, password: "wrong" },
  });
  const error = await wrong.listTags(repository).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as Error).message).toBe(
    `authentication failed for ${credentials.username} at ${registry}/${repository}`,
  );
  expect((error as RegistryError).userError).toBe(true);
  expect(wrong.requests).toBeLessThanOrEqual(2);
  await wrong.close();
});

test("without credentials the error says so", async () => {
  const anonymous = new RegistryClient({ registry });
  await expect(anonymous.listTags(repository)).rejects.toThrow(
    `authentication failed (no credentials given) at ${registry}/${repository}`,
  );
  await anonymous.close();
});

test("promote to a new tag and to another repository keeps the digest and pulls no layer", async () => {
  const counting = new RegistryClient({ registry, credentials });
  const sameRepo = await promote({
    client: counting,
    repository,
    version: TAGS[0]!,
    to: { repository, tag: "release" },
    logger: silentLogger,
  });
  expect(sameRepo.digest).toBe(published.digest);
  const across = await promote({
    client: counting,
    repository,
    version: TAGS[0]!,
    to: { repository: releaseRepository, tag: "1.0" },
    logger: silentLogger,
  });
  expect(across.digest).toBe(published.digest);
  expect(across.blobs.copied).toBe(0);
  expect(across.blobs.mounted).toBeGreaterThanOrEqual(2);
  expect(await counting.manifestDigest(releaseRepository, "1.0")).toBe(published.digest);
  // Manifests only: far less than the busybox layer (about 1 MB).
  expect(counting.bytesReceived).toBeLessThan(20_000);
  await counting.close();
});

test("a refused connection is retried, then named", async () => {
  const down = new RegistryClient({ registry: "127.0.0.1:5199", attempts: 3, retryDelayMs: 10 });
  await expect(down.listTags("x")).rejects.toThrow(
    /cannot reach registry 127.0.0.1:5199 \(ECONNREFUSED.*after 3 attempts/,
  );
  expect(down.requests).toBe(3);
  await down.close();
});
