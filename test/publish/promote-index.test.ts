import { silentLogger } from "../../packages/core/src/log";
import { promote } from "../../packages/core/src/publish/promote";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { cosignTag } from "../../packages/core/src/sign/format";
import { credentials, newClient, pemKeyPair, pushTinyImage, registry } from "../sign/support";
import { runCli } from "../support/cli";
import { uniqueName } from "../support/helpers";
import { pushAttestation, pushIndex, pushPlatformImage } from "./support";

jest.setTimeout(120_000);

const savedEnv = { ...process.env };
const repository = `${uniqueName("pt-test-promote-index")}/app`;
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

const run = runCli;

test("an index with a nested index and an attestation manifest keeps every digest across repositories", async () => {
  const from = `${repository}-src`;
  const to = `${repository}-release`;
  const amd64 = await pushPlatformImage(client, from, "amd64 layer", { os: "linux", architecture: "amd64" });
  const armv7 = await pushPlatformImage(client, from, "arm v7 layer", {
    os: "linux",
    architecture: "arm",
    variant: "v7",
  });
  const attestation = await pushAttestation(client, from, amd64.digest);
  const nested = await pushIndex(client, from, [armv7]);
  const top = await pushIndex(client, from, [amd64, attestation, nested], "1.0");
  const everything = [amd64, armv7, attestation, nested, top];

  const result = await promote({
    client,
    repository: from,
    version: "1.0",
    to: { repository: to, tag: "release" },
    logger: silentLogger,
  });

  expect(result.digest).toBe(top.digest);
  expect(result.manifests).toBe(everything.length);
  // Config and layer of each of the three images: mounted, none streamed.
  expect(result.blobs).toEqual({ exists: 0, mounted: 6, copied: 0 });
  expect(await client.manifestDigest(to, "release")).toBe(top.digest);
  for (const d of everything) {
    const copy = await client.getManifest(to, d.digest);
    const original = await client.getManifest(from, d.digest);
    expect(copy.raw.equals(original.raw)).toBe(true);
  }
  // The arm/v7 image under the nested index is whole: its config reads back with its variant.
  const arm = await client.getManifest(to, armv7.digest);
  if (arm.manifest.kind !== "image") throw new Error("expected an image manifest");
  expect(await client.getConfig(to, arm.manifest)).toMatchObject({ architecture: "arm", variant: "v7" });
});

test("a signed image promoted across repositories with powertrain promote passes powertrain verify there", async () => {
  const from = `${repository}-signed`;
  const to = `${repository}-signed-release`;
  const keys = pemKeyPair();
  const digest = await pushTinyImage(client, from, "signed then promoted");

  expect((await run("sign", `${registry}/${from}@${digest}`, "--key", keys.privateKey)).code).toBe(0);
  const before = await run("verify", `${registry}/${to}@${digest}`, "--key", keys.publicKey);
  expect(before.code).not.toBe(0);

  const promoted = await run(
    "promote",
    digest,
    "--registry",
    registry,
    "--repository",
    from,
    "--to",
    `${to}:1.0`,
    "--config",
    "/nonexistent/powertrain.yml",
    "--json",
  );
  expect(promoted.code).toBe(0);
  const json = JSON.parse(promoted.stdout) as { digest: string; trust: string[] };
  expect(json.digest).toBe(digest);
  expect(json.trust).toEqual([cosignTag(digest, "sig")]);

  const after = await run("verify", `${registry}/${to}@${digest}`, "--key", keys.publicKey);
  expect(after.stderr).not.toMatch(/no signature/);
  expect(after.code).toBe(0);
  // The same key, another digest in the target: still refused.
  const other = await pushTinyImage(client, to, "never signed");
  expect((await run("verify", `${registry}/${to}@${other}`, "--key", keys.publicKey)).code).toBe(1);
});
