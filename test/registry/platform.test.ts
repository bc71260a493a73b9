/**
 * requirePlatform against the setup's registry: the host's image is found in an index (and a
 * single image is checked against its config), and an index without the host's platform is a
 * clear RegistryError naming what it has.
 */
import { hostPlatform, requirePlatform } from "../../packages/core/src/registry/platform";
import { pushAttestation, pushIndex, pushPlatformImage } from "../publish/support";
import { newClient } from "../sign/support";
import { uniqueName } from "../support/helpers";

jest.setTimeout(60_000);

const repository = `${uniqueName("pt-test-platform")}/app`;
const client = newClient();

afterAll(async () => {
  await client.close();
});

test("the host's image of an index, attestations left out of what it has", async () => {
  const amd64 = await pushPlatformImage(client, repository, "amd64", { os: "linux", architecture: "amd64" });
  const armv7 = await pushPlatformImage(client, repository, "armv7", {
    os: "linux",
    architecture: "arm",
    variant: "v7",
  });
  const attestation = await pushAttestation(client, repository, amd64.digest);
  const index = await pushIndex(client, repository, [amd64, attestation, armv7]);

  expect(await requirePlatform(client, repository, index.digest, hostPlatform("x86_64"))).toEqual({
    digest: amd64.digest,
    platform: { os: "linux", architecture: "amd64" },
  });
  expect((await requirePlatform(client, repository, index.digest, hostPlatform("armv7l"))).digest).toBe(
    armv7.digest,
  );
  await expect(
    requirePlatform(client, repository, index.digest, hostPlatform("aarch64")),
  ).rejects.toMatchObject({
    kind: "not-found",
    userError: true,
    message: `${client.registry}/${repository}@${index.digest} has no linux/arm64 image (it has linux/amd64, linux/arm/v7)`,
  });
});

test("a single image is checked against its config's platform", async () => {
  const amd64 = await pushPlatformImage(client, repository, "single", { os: "linux", architecture: "amd64" });
  expect((await requirePlatform(client, repository, amd64.digest, hostPlatform("x86_64"))).digest).toBe(
    amd64.digest,
  );
  await expect(requirePlatform(client, repository, amd64.digest, hostPlatform("aarch64"))).rejects.toThrow(
    `${client.registry}/${repository}@${amd64.digest} has no linux/arm64 image (it has linux/amd64)`,
  );
});
