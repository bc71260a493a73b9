/**
 * Interop with the real cosign CLI (v2.6.5, built by ./scripts/setup), offline against the local
 * plain-HTTP registry: cosign verifies what powertrain signs and attests, powertrain verifies what
 * `cosign sign --key` and `cosign attest --key` write, with cosign's own encrypted key files and
 * with a plain openssl key.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { copyTrust } from "../../packages/core/src/sign/copy";
import { loadSigningKey, loadVerifyingKey } from "../../packages/core/src/sign/keys";
import { attestImage, signImage } from "../../packages/core/src/sign/sign";
import {
  requirePassedTests,
  TEST_RESULTS_PREDICATE,
  testResultsPredicate,
} from "../../packages/core/src/sign/test-results";
import { readAttestations, verifySignature } from "../../packages/core/src/sign/verify";
import { tempDir, uniqueName } from "../support/helpers";
import { cosign, newClient, pushTinyImage, registry } from "./support";

jest.setTimeout(180_000);

const PASSWORD = "interop-password";
const OFFLINE = ["--allow-insecure-registry", "--allow-http-registry"];
const repository = `${uniqueName("pt-test-cosign")}/app`;
const dir = tempDir("pt-cosign-keys-");
let client: RegistryClient;

beforeAll(async () => {
  client = newClient();
  const made = await exec(cosignBin(), ["generate-key-pair"], {
    cwd: dir,
    env: { COSIGN_PASSWORD: PASSWORD },
    allowFailure: true,
  });
  expect(made.stderr + made.stdout).toContain("Private key written to cosign.key");
});

afterAll(async () => {
  await client.close();
});

function cosignBin(): string {
  return join(__dirname, "../../.tmp/bin/cosign");
}

const ref = (digest: string) => `${registry}/${repository}@${digest}`;

test("cosign verifies a signature powertrain made with cosign's own encrypted key", async () => {
  const digest = await pushTinyImage(client, repository, "signed by powertrain");
  const key = await loadSigningKey(join(dir, "cosign.key"), PASSWORD);
  await signImage({ client, repository, digest, key });
  const verified = await cosign([
    "verify",
    "--key",
    join(dir, "cosign.pub"),
    "--insecure-ignore-tlog",
    ...OFFLINE,
    ref(digest),
  ]);
  expect(verified.stderr).toContain("The signatures were verified against the specified public key");
  expect(verified.exitCode).toBe(0);
  expect(JSON.parse(verified.stdout)[0].critical.image["docker-manifest-digest"]).toBe(digest);

  // And cosign refuses a digest powertrain did not sign.
  const other = await pushTinyImage(client, repository, "not signed");
  const refused = await cosign([
    "verify",
    "--key",
    join(dir, "cosign.pub"),
    "--insecure-ignore-tlog",
    ...OFFLINE,
    ref(other),
  ]);
  expect(refused.exitCode).not.toBe(0);
});

test("powertrain verifies a signature made by `cosign sign --key`, and refuses it for another key", async () => {
  const digest = await pushTinyImage(client, repository, "signed by cosign");
  const signed = await cosign(
    ["sign", "--key", join(dir, "cosign.key"), "--tlog-upload=false", "-y", ...OFFLINE, ref(digest)],
    { COSIGN_PASSWORD: PASSWORD },
  );
  expect(signed.stderr).not.toMatch(/error/i);
  expect(signed.exitCode).toBe(0);
  const ok = await verifySignature({
    client,
    repository,
    digest,
    key: await loadVerifyingKey(join(dir, "cosign.pub")),
  });
  expect(ok.signedReference).toBe(`${registry}/${repository}`);

  const other = await loadSigningKey(join(dir, "cosign.key"), PASSWORD);
  const stranger = await exec("openssl", [
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
  ]);
  const strangerKey = await loadVerifyingKey(stranger.stdout);
  expect(strangerKey.keyId).not.toBe(other.keyId);
  await expect(verifySignature({ client, repository, digest, key: strangerKey })).rejects.toMatchObject({
    reason: "signed-by-another-key",
  });
});

test("an openssl genpkey P-256 key: powertrain signs, cosign verifies with the openssl public key", async () => {
  const digest = await pushTinyImage(client, repository, "openssl key");
  await exec("openssl", [
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    join(dir, "o.pem"),
  ]);
  await exec("openssl", ["pkey", "-in", join(dir, "o.pem"), "-pubout", "-out", join(dir, "o.pub")]);
  await signImage({ client, repository, digest, key: await loadSigningKey(join(dir, "o.pem")) });
  const verified = await cosign([
    "verify",
    "--key",
    join(dir, "o.pub"),
    "--insecure-ignore-tlog",
    ...OFFLINE,
    ref(digest),
  ]);
  expect(verified.exitCode).toBe(0);
});

test("attestations both ways: cosign verify-attestation reads powertrain's, powertrain reads cosign attest's", async () => {
  const digest = await pushTinyImage(client, repository, "attested");
  const key = await loadSigningKey(join(dir, "cosign.key"), PASSWORD);
  const predicate = testResultsPredicate({
    summary: { total: 4, passed: 4, failed: 0, skipped: 0, durationMs: 12 },
    commit: "3f2a9c1d",
    buildNumber: 7,
  });
  await attestImage({ client, repository, digest, key, predicateType: TEST_RESULTS_PREDICATE, predicate });
  const checked = await cosign([
    "verify-attestation",
    "--key",
    join(dir, "cosign.pub"),
    "--type",
    TEST_RESULTS_PREDICATE,
    "--insecure-ignore-tlog",
    ...OFFLINE,
    ref(digest),
  ]);
  expect(checked.stderr).toContain("verified");
  expect(checked.exitCode).toBe(0);

  // cosign attests a test-results predicate of its own making; powertrain finds and checks it.
  const other = await pushTinyImage(client, repository, "attested by cosign");
  const file = join(dir, "predicate.json");
  writeFileSync(file, JSON.stringify({ ...predicate, tests: { ...predicate.tests, failed: 1, passed: 3 } }));
  const attested = await cosign(
    [
      "attest",
      "--key",
      join(dir, "cosign.key"),
      "--type",
      TEST_RESULTS_PREDICATE,
      "--predicate",
      file,
      "--tlog-upload=false",
      "-y",
      ...OFFLINE,
      ref(other),
    ],
    { COSIGN_PASSWORD: PASSWORD },
  );
  expect(attested.exitCode).toBe(0);
  const read = await readAttestations({
    client,
    repository,
    digest: other,
    key: await loadVerifyingKey(join(dir, "cosign.pub")),
  });
  expect(read.map((a) => a.verified)).toEqual([true]);
  expect(() => requirePassedTests(ref(other), read)).toThrow("tests failed: 1 of 4");
});

test("after copyTrust into another repository, cosign verifies the promoted digest there too", async () => {
  const to = `${repository}-release`;
  const digest = await pushTinyImage(client, repository, "promoted, cosign checks");
  await signImage({
    client,
    repository,
    digest,
    key: await loadSigningKey(join(dir, "cosign.key"), PASSWORD),
  });
  const image = await client.getManifest(repository, digest);
  const m = image.manifest as { config: { digest: string }; layers: { digest: string }[] };
  for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)])
    await client.copyBlob(repository, to, d);
  await client.putManifest(to, "1.0", image.raw, image.mediaType);
  await copyTrust({ client, from: repository, to, digest });
  const verified = await cosign([
    "verify",
    "--key",
    join(dir, "cosign.pub"),
    "--insecure-ignore-tlog",
    ...OFFLINE,
    `${registry}/${to}@${digest}`,
  ]);
  expect(verified.exitCode).toBe(0);
});
