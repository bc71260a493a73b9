/**
 * The bearer-token challenge flow against a real registry in token mode,
 * started here with a token issuer written from the distribution token spec:
 * docker pushes through it, the client lists, reads, promotes across
 * repositories (a token for two scopes), caches tokens, and a wrong password
 * ends with one clear error after a handful of requests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../packages/core/src/log";
import { promote } from "../../packages/core/src/publish/promote";
import { type PublishResult, publishImage } from "../../packages/core/src/publish/publish";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { RegistryError } from "../../packages/core/src/registry/errors";
import { testEnv } from "../support/env";
import { dockerRmi, uniqueName } from "../support/helpers";
import { buildTestImage } from "./support/images";
import { type RegistryProcess, startRegistry } from "./support/registry-process";
import { startTokenIssuer, type TokenIssuer } from "./support/token-issuer";

jest.setTimeout(120_000);

const REGISTRY_PORT = 5110;
const ISSUER_PORT = 5111;
const user = { username: "pt-token-user", password: "s3cret pass:word" };
const repository = "team/app";
const localImage = `${uniqueName("pt-test-registry-token")}:1`;

let dir: string;
let issuer: TokenIssuer;
let registryProcess: RegistryProcess;
let registry: string;
let published: PublishResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pt-test-registry-token-"));
  issuer = await startTokenIssuer({
    port: ISSUER_PORT,
    dir,
    service: "pt-test-registry",
    issuer: "pt-test-issuer",
    users: { [user.username]: user.password },
  });
  registryProcess = await startRegistry({ port: REGISTRY_PORT, auth: issuer.registryAuth() });
  registry = registryProcess.host;
  await buildTestImage({ base: testEnv().images.busybox, name: localImage });
  published = await publishImage({
    localImage,
    registry,
    repository,
    version: "1-abcdef0",
    extraTags: ["latest"],
    credentials: user,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await registryProcess?.dispose();
  await issuer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await dockerRmi([localImage, `${registry}/${repository}:1-abcdef0`, `${registry}/${repository}:latest`]);
});

test("docker pushed through the token flow; the client reads it back with a bearer token", async () => {
  const client = new RegistryClient({ registry, credentials: user });
  expect((await client.listTags(repository)).sort()).toEqual(["1-abcdef0", "latest"]);
  expect(await client.manifestDigest(repository, "latest")).toBe(published.digest);
  await client.close();
});

test("tokens are cached per scope: many reads, one token request", async () => {
  const client = new RegistryClient({ registry, credentials: user });
  const before = issuer.requests.length;
  for (let i = 0; i < 5; i++) await client.manifestDigest(repository, "latest");
  await client.getManifest(repository, "1-abcdef0");
  expect(issuer.requests.length - before).toBe(1);
  expect(issuer.requests.at(-1)).toMatchObject({
    user: user.username,
    scopes: [`repository:${repository}:pull`],
  });
  // One 401 challenge, one token, then six authorised requests.
  expect(client.requests).toBe(8);
  await client.close();
});

test("promote across repositories asks one token for both scopes and keeps the digest", async () => {
  const client = new RegistryClient({ registry, credentials: user });
  const result = await promote({
    client,
    repository,
    version: "1-abcdef0",
    to: { repository: "release/app", tag: "1.0" },
    logger: silentLogger,
  });
  expect(result.digest).toBe(published.digest);
  expect(result.blobs.mounted).toBeGreaterThanOrEqual(2);
  expect(result.blobs.copied).toBe(0);
  expect(
    issuer.requests.some(
      (r) =>
        r.scopes.includes(`repository:${repository}:pull`) &&
        r.scopes.includes("repository:release/app:pull,push"),
    ),
  ).toBe(true);
  expect(await client.manifestDigest("release/app", "1.0")).toBe(published.digest);
  await client.close();
});

test("a wrong password: one clear error, no retry storm", async () => {
  const client = new RegistryClient({
    registry,
    credentials: { username: user.username, password: "wrong" },
  });
  const before = issuer.requests.length;
  const error = await client.getManifest(repository, "latest").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as Error).message).toBe(
    `authentication failed for ${user.username} at ${registry}/${repository}`,
  );
  expect(issuer.requests.length - before).toBe(1);
  expect(client.requests).toBe(2);
  await client.close();
});

test("anonymous access gets a token without rights and a clear error", async () => {
  const client = new RegistryClient({ registry });
  await expect(client.listTags(repository)).rejects.toThrow(
    `access denied (no credentials given) at ${registry}/${repository} (it needs repository:${repository}:pull)`,
  );
  expect(client.requests).toBeLessThanOrEqual(3);
  await client.close();
});

test("a wrong password for docker push is an auth error, not retried", async () => {
  const started = Date.now();
  await expect(
    publishImage({
      localImage,
      registry,
      repository,
      version: "2-abcdef0",
      credentials: { username: user.username, password: "wrong" },
      logger: silentLogger,
    }),
  ).rejects.toThrow(`authentication failed for ${user.username} at ${registry}`);
  expect(Date.now() - started).toBeLessThan(10_000);
});
