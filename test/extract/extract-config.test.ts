/**
 * extractConfig against the setup's registry and the local dockerd: the config
 * read back equals the one baked at build, a registry read fetches no layer,
 * environments overlay correctly, multi-platform indexes are resolved, and
 * every error is one clear line of its own kind.
 */
import { LABEL_CONFIG, LABEL_SCHEMA } from "../../packages/core/src/build/labels";
import { ExtractError } from "../../packages/core/src/extract/errors";
import { extractConfig } from "../../packages/core/src/extract/extract-config";
import { LABEL_POWERTRAIN_VERSION } from "../../packages/core/src/extract/labels";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { MediaType } from "../../packages/core/src/registry/manifest";
import { testEnv } from "../support/env";
import { uniqueName } from "../support/helpers";
import {
  CONFIG,
  cleanUpAfterAll,
  credentials,
  deleteAfterAll,
  type Published,
  publish,
  sealEnvironment,
  silent,
} from "./support/fixture";
import { buildExtractImage } from "./support/images";

jest.setTimeout(120_000);

const env = testEnv();
const LAYER_BYTES = 3 << 20;
const invalidImage = `${uniqueName("pt-test-extract-invalid")}:1`;
const unlabelled = `${uniqueName("pt-test-extract-plain")}:1`;
let image: Published;
let arm: Published;
let multi: string;

sealEnvironment();
cleanUpAfterAll([invalidImage, unlabelled]);

beforeAll(async () => {
  image = await publish("pt-test-extract", { randomBytes: LAYER_BYTES });
  arm = await publish("pt-test-extract-arm", { config: { ...CONFIG, name: "web-arm" } });
  multi = await pushIndex();
  await buildExtractImage({
    base: env.images.busybox,
    name: invalidImage,
    labels: {
      [LABEL_CONFIG]: JSON.stringify({ name: "web", run: { instances: 0 } }),
      [LABEL_SCHEMA]: "1",
      [LABEL_POWERTRAIN_VERSION]: "0.0.1",
    },
  });
  await buildExtractImage({ base: env.images.busybox, name: unlabelled });
});

/** An index in the first image's repository: linux/amd64 → the first image, linux/arm64 → the second. */
async function pushIndex(): Promise<string> {
  const client = new RegistryClient({ registry: env.registry.host, credentials: credentials() });
  try {
    const entry = async (repository: string, digest: string, architecture: string) => {
      const m = await client.getManifest(repository, digest);
      return {
        mediaType: m.mediaType,
        digest: m.digest,
        size: m.raw.length,
        platform: { os: "linux", architecture },
      };
    };
    // The arm image's blobs must live in the index's repository.
    const armManifest = await client.getImageManifest(arm.repository, arm.digest);
    for (const blob of [armManifest.manifest.config, ...armManifest.manifest.layers]) {
      await client.copyBlob(arm.repository, image.repository, blob.digest, blob.size);
    }
    await client.putManifest(image.repository, arm.digest, armManifest.raw, armManifest.mediaType);
    const index = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [
        await entry(image.repository, image.digest, "amd64"),
        await entry(image.repository, arm.digest, "arm64"),
      ],
    };
    const raw = Buffer.from(JSON.stringify(index));
    const digest = await client.putManifest(image.repository, "multi", raw, MediaType.dockerManifestList);
    deleteAfterAll(image.repository, digest);
    return digest;
  } finally {
    await client.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<ExtractError> {
  const err = await promise.then(
    () => new Error("expected extractConfig to fail"),
    (e: unknown) => e,
  );
  if (!(err instanceof ExtractError)) throw err;
  expect(err.message).not.toContain("\n");
  expect(err.userError).toBe(true);
  return err;
}

test("from the registry: the config baked at build, pinned by digest, without fetching a layer", async () => {
  const result = await extractConfig({
    image: image.tagged,
    environment: "dev",
    source: "registry",
    credentials: credentials(),
    logger: silent,
  });
  expect(result.baked).toEqual(CONFIG);
  expect(result.source).toBe("registry");
  expect(result.image).toBe(image.pinned);
  expect(result.version).toBe("7-abc1234");
  expect(result.environments).toEqual(["dev", "prod"]);
  expect(result.references).toEqual(["DB_PASSWORD", "DB_USER"]);
  expect(result.bytesFetched).toBeGreaterThan(500);
  expect(result.bytesFetched).toBeLessThan(LAYER_BYTES / 100);
});

test.each([
  ["default", { instances: 2, env: { LOG_LEVEL: "info" } }, [], ["DB_PASSWORD", "DB_USER"]],
  ["dev", { instances: 1, env: { LOG_LEVEL: "debug" } }, [], ["DB_PASSWORD", "DB_USER"]],
  [
    "prod",
    { instances: 4, env: { SENTRY_DSN: "${SENTRY_DSN}" } },
    ["10.1.0.1", "10.1.0.2"],
    ["DB_PASSWORD", "DB_USER", "SENTRY_DSN"],
  ],
])("environment %s overlays the top-level run configuration", async (name, run, hosts, references) => {
  const result = await extractConfig({
    image: image.pinned,
    environment: name,
    source: "registry",
    credentials: credentials(),
    logger: silent,
  });
  expect(result.config.name).toBe(name);
  expect(result.config.run).toMatchObject(run);
  expect(result.config.run.health).toMatchObject({ port: 8080 });
  expect(JSON.stringify(result.config.run.health)).toContain('"/healthz"');
  expect(result.config.hosts.map((h) => h.host)).toEqual(hosts);
  expect(result.references).toEqual(references);
  if (name === "prod") {
    expect(result.config.run.env).not.toHaveProperty("LOG_LEVEL");
    expect(result.config.deploy.maxParallel).toBe(2);
  }
  // JSON-able: what the action outputs is what came out.
  expect(JSON.parse(JSON.stringify(result.config))).toEqual(result.config);
});

test.each([
  ["linux/amd64", "web"],
  ["linux/arm64", "web-arm"],
])("a multi-platform index gives the %s image's config, pinned to the index", async (platform, name) => {
  const ref = `${env.registry.host}/${image.repository}:multi`;
  const result = await extractConfig({
    image: ref,
    environment: "prod",
    source: "auto",
    platform,
    credentials: credentials(),
    logger: silent,
  });
  expect(result.source).toBe("registry");
  expect(result.baked.name).toBe(name);
  expect(result.image).toBe(`${env.registry.host}/${image.repository}@${multi}`);
  // The version is the image's own label, not the tag it was asked by.
  expect(result.version).toBe("7-abc1234");
});

test("from the local daemon: a pushed image is pinned by its repo digest, a local-only one by its ID", async () => {
  const pushed = await extractConfig({
    image: image.tagged,
    environment: "prod",
    source: "local",
    logger: silent,
  });
  expect(pushed).toMatchObject({ source: "local", image: image.pinned, bytesFetched: 0, baked: CONFIG });

  const local = await extractConfig({
    image: image.local,
    environment: "prod",
    source: "auto",
    logger: silent,
  });
  expect(local.source).toBe("local");
  expect(local.image).toMatch(/^sha256:[a-f0-9]{64}$/);
  expect(local.config).toEqual(pushed.config);
});

test.each([
  [
    "a tag the registry does not have",
    "not-found",
    () => ({ image: `${env.registry.host}/${image.repository}:nope`, source: "registry" }),
    /^image \S+:nope not found in registry 127\.0\.0\.1:\d+$/,
  ],
  [
    "a repository the registry does not have",
    "not-found",
    () => ({ image: `${env.registry.host}/pt-test-extract-missing/app:1`, source: "auto" }),
    /^image \S+ not found locally nor in registry /,
  ],
  [
    "an image the daemon does not have",
    "not-found",
    () => ({ image: "pt-test-extract-missing:1", source: "local" }),
    /^image pt-test-extract-missing:1 not found in the local docker daemon$/,
  ],
  [
    "a platform the index lacks",
    "not-found",
    () => ({ image: `${env.registry.host}/${image.repository}:multi`, platform: "linux/s390x" }),
    /has no linux\/s390x variant \(it has: linux\/amd64, linux\/arm64\)$/,
  ],
  [
    "a wrong password",
    "no-access",
    () => ({
      image: image.tagged,
      source: "registry",
      credentials: { username: "powertrain", password: "wrong" },
    }),
    /^no access to 127\.0\.0\.1:\d+\/pt-test-extract-\S+\/app for user powertrain: authentication failed$/,
  ],
  [
    "no credentials",
    "no-access",
    () => ({ image: image.tagged, source: "registry", credentials: undefined }),
    /for anonymous access \(no credentials given\): authentication failed$/,
  ],
  [
    "an image built by something else",
    "no-config",
    () => ({ image: unlabelled, source: "local" }),
    /has no dev\.powertrain\.config label: it was not built by powertrain build/,
  ],
  [
    "an unknown environment",
    "unknown-environment",
    () => ({ image: image.tagged, environment: "staging" }),
    /has no environment "staging" \(known: dev, prod\)$/,
  ],
  [
    "a config that no longer validates",
    "invalid-config",
    () => ({ image: invalidImage, source: "local" }),
    /\(schema 1, written by powertrain 0\.0\.1\) no longer validates under schema 1 .*run\.instances/,
  ],
])("%s: a one-line %s error", async (_what, kind, options, message) => {
  const err = await failure(
    extractConfig({
      environment: "prod",
      credentials: credentials(),
      logger: silent,
      ...(options() as { image: string }),
    }),
  );
  expect(err.kind).toBe(kind);
  expect(err.message).toMatch(message);
});
