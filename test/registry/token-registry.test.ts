/**
 * Against setup's token-auth registry (scripts/lib/token-registry.sh): the
 * reference registry with `auth: token`, tokens from scripts/token-server.mjs
 * with per-repository rules — and the registry checks every token's scopes
 * itself, so a scope mistake fails for real. A pull-only user can
 * extract-config but not publish; promotion across repositories with a
 * cross-repository mount needs pull on the source and push on the target; a
 * token that dies mid-operation is renewed.
 */
import { extractConfig } from "../../packages/core/src/extract/extract-config";
import { silentLogger } from "../../packages/core/src/log";
import { promote } from "../../packages/core/src/publish/promote";
import { type PublishResult, publishImage } from "../../packages/core/src/publish/publish";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { RegistryError } from "../../packages/core/src/registry/errors";
import { CONFIG, sealEnvironment } from "../extract/support/fixture";
import { buildExtractImage } from "../extract/support/images";
import { type TestEnv, testEnv } from "../support/env";
import { dockerRmi, uniqueName } from "../support/helpers";

jest.setTimeout(180_000);
sealEnvironment();

const env = testEnv();
const token = requireTokenRegistry(env);
const registry = token.host;
const users = token.users;
const name = uniqueName("pt-test-token");
const snapshot = `snapshot/${name}`;
const release = `release/${name}`;
const localImage = `${name}:1`;
let published: PublishResult;
const cleanup: { repository: string; digest: string }[] = [];

function requireTokenRegistry(e: TestEnv): NonNullable<TestEnv["tokenRegistry"]> {
  if (!e.tokenRegistry) throw new Error("PT_TOKEN_REGISTRY is missing in the test env — run ./scripts/setup");
  return e.tokenRegistry;
}

beforeAll(async () => {
  await buildExtractImage({ base: env.images.busybox, name: localImage, config: CONFIG });
  published = await publishImage({
    localImage,
    registry,
    repository: snapshot,
    version: "1-abcdef0",
    credentials: users.push,
    logger: silentLogger,
  });
  cleanup.push({ repository: snapshot, digest: published.digest });
});

afterAll(async () => {
  const client = new RegistryClient({ registry, credentials: users.push });
  for (const m of cleanup) await client.deleteManifest(m.repository, m.digest).catch(() => undefined);
  await client.close();
  await dockerRmi([localImage, `${registry}/${snapshot}:1-abcdef0`, `${registry}/${snapshot}:2-abcdef0`]);
});

describe("a pull-only user", () => {
  test("can extract-config", async () => {
    const result = await extractConfig({
      image: `${registry}/${snapshot}:1-abcdef0`,
      environment: "dev",
      source: "registry",
      credentials: users.pull,
      logger: silentLogger,
    });
    expect(result.image).toBe(published.image);
    expect(result.config).toMatchObject({ name: "dev", app: CONFIG.name });
  });

  test("cannot publish: one clear error, not retried", async () => {
    const error = await publishImage({
      localImage,
      registry,
      repository: snapshot,
      version: "2-abcdef0",
      credentials: users.pull,
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(
      `access denied (no push right) for ${users.pull.username} at ${registry}/${snapshot}`,
    );
  });

  test("cannot promote: the registry refuses the token for the push, naming the scope", async () => {
    const client = new RegistryClient({ registry, credentials: users.pull });
    const error = await promote({
      client,
      repository: snapshot,
      version: "1-abcdef0",
      to: { repository: snapshot, tag: "pulled-only" },
      logger: silentLogger,
    }).catch((e: unknown) => e);
    await client.close();
    expect((error as Error).message).toMatch(
      new RegExp(
        `^access denied for ${users.pull.username} at ${registry}/${snapshot} \\(it needs repository:${snapshot}:(pull,push|push,pull)\\)$`,
      ),
    );
  });
});

describe("promotion across repositories with a cross-repository mount", () => {
  test("pull on the source and push on the target: mounted, same digest", async () => {
    const client = new RegistryClient({ registry, credentials: users.promoter });
    const result = await promote({
      client,
      repository: snapshot,
      version: "1-abcdef0",
      to: { repository: release, tag: "1.0" },
      logger: silentLogger,
    });
    cleanup.push({ repository: release, digest: result.digest });
    expect(result.digest).toBe(published.digest);
    expect(result.blobs.copied).toBe(0);
    expect(result.blobs.mounted).toBeGreaterThanOrEqual(2);
    expect(await client.manifestDigest(release, "1.0")).toBe(published.digest);
    await client.close();
  });

  test("no push on the target: access denied, nothing written", async () => {
    const client = new RegistryClient({ registry, credentials: users.promoter });
    const error = await promote({
      client,
      repository: release,
      version: "1.0",
      to: { repository: `snapshot/${name}-back`, tag: "1" },
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      new RegExp(`^access denied for ${users.promoter.username} at ${registry}/snapshot/${name}-back`),
    );
    await client.close();
    const reader = new RegistryClient({ registry, credentials: users.push });
    expect(await reader.manifestExists(`snapshot/${name}-back`, "1")).toBe(false);
    await reader.close();
  });

  test("no pull on the source: refused before anything is copied", async () => {
    const client = new RegistryClient({ registry, credentials: users.promoter });
    await expect(
      promote({
        client,
        repository: `other/${name}`,
        version: "1",
        to: { repository: release, tag: "from-other" },
        logger: silentLogger,
      }),
    ).rejects.toThrow(`access denied for ${users.promoter.username} at ${registry}/other/${name}`);
    await client.close();
  });
});

test("a token that dies mid-operation is renewed on the registry's 401", async () => {
  // pt-short's tokens claim 300 s but the registry stops taking them after about 5 s.
  const client = new RegistryClient({ registry, credentials: users.short });
  expect(await client.manifestDigest(snapshot, "1-abcdef0")).toBe(published.digest);
  const first = client.requests;
  expect(await client.manifestDigest(snapshot, "1-abcdef0")).toBe(published.digest);
  expect(client.requests - first).toBe(1); // the cached token still works
  await new Promise((r) => setTimeout(r, 7_000));
  const before = client.requests;
  const { manifest } = await client.getImageManifest(snapshot, "1-abcdef0");
  expect((await client.getConfig(snapshot, manifest)).labels).toHaveProperty(
    ["org.opencontainers.image.version"],
    "7-abc1234",
  );
  // The refused request, a new token, the retry — then the config read with the new token.
  expect(client.requests - before).toBe(4);
  await client.close();
});
