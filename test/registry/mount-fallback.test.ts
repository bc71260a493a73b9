/**
 * When a registry refuses cross-repository mounts, promote streams each blob
 * through the client instead — and the digest still does not change.
 */
import { silentLogger } from "../../packages/core/src/log";
import { promote } from "../../packages/core/src/publish/promote";
import { publishImage } from "../../packages/core/src/publish/publish";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";
import { buildTestImage } from "./support/images";
import { type NoMountProxy, startNoMountProxy } from "./support/no-mount-proxy";

jest.setTimeout(120_000);

const env = testEnv();
const credentials = { username: env.registry.user, password: env.registry.password };
const repository = `${uniqueName("pt-test-registry-nomount")}/app`;
const target = `${repository}-copy`;
const localImage = `${uniqueName("pt-test-registry-nomount")}:1`;
let proxy: NoMountProxy;

beforeAll(async () => {
  proxy = await startNoMountProxy(tempDir("pt-test-registry-nginx-"), 5130, env.registry.host);
});

afterAll(async () => {
  const client = new RegistryClient({ registry: env.registry.host, credentials });
  for (const repo of [repository, target]) {
    const digest = await client.manifestDigest(repo, "1").catch(() => undefined);
    if (digest) await client.deleteManifest(repo, digest).catch(() => undefined);
  }
  await client.close();
  await proxy?.stop();
  await dockerRmi([localImage, `${env.registry.host}/${repository}:1`]);
});

test("blobs are copied when the mount is refused; the digest is unchanged", async () => {
  await buildTestImage({ base: env.images.busybox, name: localImage, randomBytes: 2 << 20 });
  const published = await publishImage({
    localImage,
    registry: env.registry.host,
    repository,
    version: "1",
    credentials,
    logger: silentLogger,
  });
  const client = new RegistryClient({ registry: proxy.host, credentials });
  const result = await promote({
    client,
    repository,
    version: "1",
    to: { repository: target, tag: "1" },
    logger: silentLogger,
  });
  expect(result.digest).toBe(published.digest);
  const { manifest } = await client.getImageManifest(repository, "1");
  expect(result.blobs).toEqual({ exists: 0, mounted: 0, copied: 1 + manifest.layers.length });
  // The layers did flow through the client this time.
  expect(client.bytesReceived).toBeGreaterThan(2 << 20);
  expect(await client.manifestDigest(target, "1")).toBe(published.digest);
  await client.close();
});
