/**
 * Signing and verifying against the real registry from ./scripts/setup:
 * what admits a digest and what is refused, and why. Keys are made as users
 * make them (openssl-style PKCS#8 and cosign's encrypted files).
 */
import { readFileSync } from "node:fs";
import { exec } from "../../packages/core/src/exec/exec";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { copyTrust } from "../../packages/core/src/sign/copy";
import { encryptCosignKey } from "../../packages/core/src/sign/cosign-key";
import { VerificationError } from "../../packages/core/src/sign/errors";
import { cosignTag, OCI_MANIFEST, SIGNATURE_ANNOTATION } from "../../packages/core/src/sign/format";
import { loadSigningKey, loadVerifyingKey, type SigningKey } from "../../packages/core/src/sign/keys";
import { attestImage, signImage } from "../../packages/core/src/sign/sign";
import {
  requirePassedTests,
  TEST_RESULTS_PREDICATE,
  testResultsPredicate,
} from "../../packages/core/src/sign/test-results";
import { readAttestations, verifySignature } from "../../packages/core/src/sign/verify";
import { tempDir, uniqueName } from "../support/helpers";
import { newClient, pemKeyPair, pushTinyImage } from "./support";

jest.setTimeout(120_000);

const repository = `${uniqueName("pt-test-sign")}/app`;
let client: RegistryClient;
let digestA: string;
let digestB: string;
let key: SigningKey;
let publicKey: string;

beforeAll(async () => {
  client = newClient();
  digestA = await pushTinyImage(client, repository, "image A");
  digestB = await pushTinyImage(client, repository, "image B");
  const pair = pemKeyPair();
  key = await loadSigningKey(pair.privateKey);
  publicKey = pair.publicKey;
});

afterAll(async () => {
  await client.close();
});

async function refusal(promise: Promise<unknown>): Promise<VerificationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VerificationError);
  return err as VerificationError;
}

test("an unsigned digest is refused: no signature", async () => {
  const err = await refusal(
    verifySignature({ client, repository, digest: digestB, key: await loadVerifyingKey(publicKey) }),
  );
  expect(err.reason).toBe("no-signature");
  expect(err.message).toContain("no signature");
});

test("a signed digest verifies with the public key, under the cosign tag and as a referrer", async () => {
  const signed = await signImage({ client, repository, digest: digestA, key });
  expect(signed.tag).toBe(cosignTag(digestA, "sig"));
  expect(await client.manifestExists(repository, signed.tag)).toBe(true);
  expect(signed.referrer).toMatch(/^sha256:/);
  const referrer = JSON.parse((await client.getManifest(repository, signed.referrer!)).raw.toString("utf8"));
  expect(referrer.subject.digest).toBe(digestA);
  const ok = await verifySignature({
    client,
    repository,
    digest: digestA,
    key: await loadVerifyingKey(publicKey),
  });
  expect(ok.keyId).toBe(key.keyId);
  expect(ok.signedReference).toBe(`${client.registry}/${repository}`);
  // Signing again adds nothing.
  expect((await signImage({ client, repository, digest: digestA, key })).added).toBe(false);
});

test("a second key's signature is appended, not replacing the first; a third key is refused", async () => {
  const other = await loadSigningKey(pemKeyPair().privateKey);
  await signImage({ client, repository, digest: digestA, key: other, referrer: false });
  const { raw } = await client.getManifest(repository, cosignTag(digestA, "sig"));
  expect(JSON.parse(raw.toString("utf8")).layers).toHaveLength(2);
  await verifySignature({ client, repository, digest: digestA, key: await loadVerifyingKey(publicKey) });
  await verifySignature({ client, repository, digest: digestA, key: other });
  const third = await loadVerifyingKey(pemKeyPair().publicKey);
  const err = await refusal(verifySignature({ client, repository, digest: digestA, key: third }));
  expect(err.reason).toBe("signed-by-another-key");
});

test("the signature of digest A does not admit digest B", async () => {
  const repo = `${repository}-copy`;
  const a = await pushTinyImage(client, repo, "A");
  const b = await pushTinyImage(client, repo, "B");
  await signImage({ client, repository: repo, digest: a, key, referrer: false });
  // Someone with push rights copies A's signature manifest to B's tag.
  const { raw } = await client.getManifest(repo, cosignTag(a, "sig"));
  await client.putManifest(repo, cosignTag(b, "sig"), raw, OCI_MANIFEST);
  const err = await refusal(verifySignature({ client, repository: repo, digest: b, key }));
  expect(err.reason).toBe("signature-of-another-digest");
  expect(err.message).toContain(a);
});

test("a tampered signature is refused: altered signature bytes, and a swapped payload", async () => {
  const repo = `${repository}-tamper`;
  const digest = await pushTinyImage(client, repo, "T");
  await signImage({ client, repository: repo, digest, key, referrer: false });
  const tag = cosignTag(digest, "sig");
  const original = JSON.parse((await client.getManifest(repo, tag)).raw.toString("utf8"));

  const flipped = structuredClone(original);
  const sig = Buffer.from(flipped.layers[0].annotations[SIGNATURE_ANNOTATION], "base64");
  sig[sig.length - 3] = (sig[sig.length - 3] ?? 0) ^ 0x01;
  flipped.layers[0].annotations[SIGNATURE_ANNOTATION] = sig.toString("base64");
  await client.putManifest(repo, tag, Buffer.from(JSON.stringify(flipped)), OCI_MANIFEST);
  expect((await refusal(verifySignature({ client, repository: repo, digest, key }))).reason).toBe("tampered");

  const payload = JSON.parse((await client.getBlob(repo, original.layers[0].digest)).toString("utf8"));
  payload.critical.identity["docker-reference"] = "evil.example/app";
  const forged = Buffer.from(JSON.stringify(payload));
  const swapped = structuredClone(original);
  swapped.layers[0].digest = await client.putBlob(repo, forged);
  swapped.layers[0].size = forged.length;
  await client.putManifest(repo, tag, Buffer.from(JSON.stringify(swapped)), OCI_MANIFEST);
  const err = await refusal(verifySignature({ client, repository: repo, digest, key }));
  expect(err.reason).toBe("tampered");
});

test("keys: openssl genpkey P-256, cosign-encrypted with a password, and a wrong password", async () => {
  const dir = tempDir("pt-sign-keys-");
  await exec("openssl", [
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    `${dir}/k.pem`,
  ]);
  await exec("openssl", ["pkey", "-in", `${dir}/k.pem`, "-pubout", "-out", `${dir}/k.pub`]);
  const openssl = await loadSigningKey(`${dir}/k.pem`);
  expect((await loadVerifyingKey(`${dir}/k.pub`)).keyId).toBe(openssl.keyId);
  const der = openssl.privateKey.export({ format: "der", type: "pkcs8" });
  const sealed = encryptCosignKey(der, "s3cret").toString("base64").replace(/.{64}/g, "$&\n");
  const pem = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${sealed}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
  expect((await loadSigningKey(pem, "s3cret")).keyId).toBe(openssl.keyId);
  await expect(loadSigningKey(pem, "wrong")).rejects.toThrow(/wrong password/);
  await exec("openssl", [
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-384",
    "-out",
    `${dir}/p384.pem`,
  ]);
  await expect(loadSigningKey(`${dir}/p384.pem`)).rejects.toThrow(/only ECDSA P-256/);
  expect(readFileSync(`${dir}/k.pem`, "utf8")).toContain("BEGIN PRIVATE KEY");
});

test("test-result attestations: stored under .att, verified with the key; failures refuse", async () => {
  const repo = `${repository}-att`;
  const passed = await pushTinyImage(client, repo, "passed");
  const failed = await pushTinyImage(client, repo, "failed");
  const facts = {
    commit: "3f2a9c1d",
    buildNumber: 412,
    runUrl: "https://ci/runs/1",
    testStageImageId: "sha256:abc",
  };
  await attestImage({
    client,
    repository: repo,
    digest: passed,
    key,
    predicateType: TEST_RESULTS_PREDICATE,
    predicate: testResultsPredicate({
      ...facts,
      summary: { total: 10, passed: 10, failed: 0, skipped: 0, durationMs: 5 },
    }),
  });
  await attestImage({
    client,
    repository: repo,
    digest: failed,
    key,
    predicateType: TEST_RESULTS_PREDICATE,
    predicate: testResultsPredicate({
      ...facts,
      summary: {
        total: 10,
        passed: 8,
        failed: 2,
        skipped: 0,
        durationMs: 5,
        failures: [{ name: "renders", message: "expected 1" }],
      },
    }),
  });
  expect(await client.manifestExists(repo, cosignTag(passed, "att"))).toBe(true);
  const verifying = await loadVerifyingKey(publicKey);
  const good = await readAttestations({ client, repository: repo, digest: passed, key: verifying });
  expect(good).toHaveLength(1);
  expect(good[0]!.verified).toBe(true);
  expect(requirePassedTests("x", good).tests).toMatchObject({ passed: 10, total: 10 });
  expect(good[0]!.statement.predicate).toMatchObject({
    source: { commit: "3f2a9c1d" },
    build: { number: 412 },
  });

  const bad = await readAttestations({ client, repository: repo, digest: failed, key: verifying });
  const err = (() => {
    try {
      requirePassedTests("img", bad);
    } catch (e) {
      return e as VerificationError;
    }
  })();
  expect(err?.reason).toBe("tests-failed");
  expect(err?.message).toContain("tests failed: 2 of 10");

  const stranger = await loadVerifyingKey(pemKeyPair().publicKey);
  const unverified = await readAttestations({ client, repository: repo, digest: passed, key: stranger });
  expect(unverified[0]!.verified).toBe(false);
  expect(() => requirePassedTests("img", unverified)).toThrow(/no test-result attestation/);
});

test("promotion across repositories keeps verification passing once copyTrust carries .sig and .att", async () => {
  const from = `${repository}-promote-src`;
  const to = `${repository}-promote-dst`;
  const digest = await pushTinyImage(client, from, "promoted");
  await signImage({ client, repository: from, digest, key });
  await attestImage({
    client,
    repository: from,
    digest,
    key,
    predicateType: TEST_RESULTS_PREDICATE,
    predicate: testResultsPredicate({
      summary: { total: 1, passed: 1, failed: 0, skipped: 0, durationMs: 1 },
    }),
  });
  // The image itself promoted by digest (what promote does: blobs, then the same manifest bytes).
  const image = await client.getManifest(from, digest);
  const m = image.manifest as { config: { digest: string }; layers: { digest: string }[] };
  for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)]) await client.copyBlob(from, to, d);
  await client.putManifest(to, "1.0", image.raw, image.mediaType);

  const verifying = await loadVerifyingKey(publicKey);
  await expect(verifySignature({ client, repository: to, digest, key: verifying })).rejects.toMatchObject({
    reason: "no-signature",
  });
  expect(await copyTrust({ client, from, to, digest })).toEqual([
    cosignTag(digest, "sig"),
    cosignTag(digest, "att"),
  ]);
  await verifySignature({ client, repository: to, digest, key: verifying });
  const atts = await readAttestations({ client, repository: to, digest, key: verifying });
  expect(requirePassedTests(to, atts).tests.passed).toBe(1);
});
