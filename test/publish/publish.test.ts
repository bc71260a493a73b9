/**
 * publishImage against real registries: the setup's htpasswd registry (tags,
 * digest, temporary docker config, nothing secret in logs) and a registry of
 * its own that this test stops in the middle of a push.
 */
import { readdirSync } from "node:fs";
import { publishImage } from "../../packages/core/src/publish/publish";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { RegistryError } from "../../packages/core/src/registry/errors";
import { buildTestImage } from "../registry/support/images";
import { recordingLogger } from "../registry/support/logger";
import { startRegistry } from "../registry/support/registry-process";
import { testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";

jest.setTimeout(180_000);

const env = testEnv();
const credentials = { username: env.registry.user, password: env.registry.password };
const localImage = `${uniqueName("pt-test-publish")}:1`;
const cleanup: string[] = [localImage];

beforeAll(async () => {
  await buildTestImage({ base: env.images.busybox, name: localImage });
});

afterAll(async () => {
  await dockerRmi(cleanup);
});

test("pushes every tag, returns the pinned digest, leaves no docker config and no secret in logs", async () => {
  const repository = `${uniqueName("pt-test-publish")}/app`;
  const logger = recordingLogger();
  const configParent = tempDir("pt-test-publish-config-");
  const result = await publishImage({
    localImage,
    registry: env.registry.host,
    repository,
    version: "7-abc1234",
    extraTags: ["main", "latest"],
    credentials,
    tempDir: configParent,
    logger,
  });
  cleanup.push(...result.tags.map((t) => `${env.registry.host}/${repository}:${t}`));

  expect(result).toMatchObject({ version: "7-abc1234", tags: ["7-abc1234", "main", "latest"] });
  expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
  expect(result.image).toBe(`${env.registry.host}/${repository}@${result.digest}`);
  expect(result.size).toBeGreaterThan(500_000);

  const client = new RegistryClient({ registry: env.registry.host, credentials });
  for (const tag of result.tags) expect(await client.manifestDigest(repository, tag)).toBe(result.digest);
  await client.deleteManifest(repository, result.digest);
  await client.close();

  expect(readdirSync(configParent)).toEqual([]);
  expect(logger.raw.join("\n")).not.toContain(credentials.password);
  expect(logger.text()).toContain("docker login --username");
});

test("a wrong password fails once with the user and registry named", async () => {
  const logger = recordingLogger();
  const error = await publishImage({
    localImage,
    registry: env.registry.host,
    repository: "pt-test-publish/denied",
    version: "1",
    credentials: { username: credentials.username, password: "definitely-wrong" },
    logger,
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as Error).message).toBe(
    `authentication failed for ${credentials.username} at ${env.registry.host}`,
  );
  expect(logger.lines.filter((l) => l.includes("retrying"))).toEqual([]);
  expect(logger.raw.join("\n")).not.toContain("definitely-wrong");
});

test("a registry stopped mid-push: retried, then a clear failure", async () => {
  const registry = await startRegistry({ port: 5120 });
  const big = `${uniqueName("pt-test-publish-big")}:1`;
  cleanup.push(big, `${registry.host}/team/big:1`);
  try {
    await buildTestImage({ base: env.images.busybox, name: big, randomBytes: 64 << 20 });
    let stopping: Promise<void> | undefined;
    const logger = recordingLogger((line) => {
      // Stop the registry as soon as the layer upload is under way.
      if (!stopping && /Pushing|Preparing|Waiting/.test(line)) stopping = registry.stop();
    });
    const error = await publishImage({
      localImage: big,
      registry: registry.host,
      repository: "team/big",
      version: "1",
      attempts: 2,
      retryDelayMs: 200,
      logger,
    }).catch((e: unknown) => e);
    expect(stopping).toBeDefined();
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).kind).toBe("network");
    expect((error as Error).message).toMatch(
      new RegExp(`^pushing ${registry.host}/team/big:1 failed after 2 attempts: `),
    );
    expect(logger.lines.filter((l) => /retrying in \d+ ms \(attempt 2\/2\)/.test(l))).toHaveLength(1);
  } finally {
    await registry.dispose();
  }
});
