/**
 * An image index without the host's platform: the deploy fails on that host before anything
 * changes, saying which platform the host is and that the image lacks it.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { runCli, targetFlags } from "../support/cli";
import { tempDir, uniqueName } from "../support/helpers";
import { env } from "./support";

jest.setTimeout(60_000);

const repository = `${uniqueName("pt-test-platform")}/app`;
const savedEnv = { ...process.env };
afterAll(() => {
  process.env = savedEnv;
});

/** An OCI index holding one linux/arm64 image (a config and a tiny layer), pushed by digest. */
async function arm64OnlyIndex(client: RegistryClient): Promise<string> {
  const layer = Buffer.from("arm64 only");
  const config = Buffer.from(
    JSON.stringify({
      architecture: "arm64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [] },
      config: {},
    }),
  );
  const image = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: await client.putBlob(repository, config),
        size: config.length,
      },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar",
          digest: await client.putBlob(repository, layer),
          size: layer.length,
        },
      ],
    }),
  );
  const imageDigest = await client.putManifest(
    repository,
    "arm64",
    image,
    "application/vnd.oci.image.manifest.v1+json",
  );
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: imageDigest,
          size: image.length,
          platform: { os: "linux", architecture: "arm64" },
        },
      ],
    }),
  );
  return client.putManifest(repository, "1", index, "application/vnd.oci.image.index.v1+json");
}

test("an index without the host's platform: a clear error naming the platform, nothing started", async () => {
  const client = new RegistryClient({
    registry: env.registry.host,
    credentials: { username: env.registry.user, password: env.registry.password },
  });
  const digest = await arm64OnlyIndex(client);
  await client.close();
  process.env.POWERTRAIN_REGISTRY_USER = env.registry.user;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = env.registry.password;
  process.env.POWERTRAIN_REGISTRY = env.registry.host;
  const dir = tempDir("pt-platform-");
  const config = join(dir, "powertrain.yml");
  const host = `${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}`;
  writeFileSync(config, `name: pt-platform\nenvironments:\n  test:\n    hosts: ["${host}"]\n`);
  const image = `${env.registry.host}/${repository}:1@${digest}`;
  const r = await runCli("deploy", image, ...targetFlags(config));
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/has no image for this host's platform \(linux\/amd64\)/);
  expect(r.stderr).toMatch(/hint: build for it too/);
});
