import { generateKeyPairSync } from "node:crypto";
import { parseConfig } from "../config/load";
import { resolveEnvironment } from "../config/resolve";
import { encryptCosignKey } from "./cosign-key";
import { cosignTag, payloadDigest, preAuthEncoding, simpleSigningPayload } from "./format";
import { parsePrivateKey, parsePublicKey, pemBlocks, readKeySource } from "./keys";
import { effectivePolicy, expandKeyReference, type VerifyPolicy } from "./policy";
import {
  describeTests,
  parseTestReport,
  requirePassedTests,
  TEST_RESULTS_PREDICATE,
  testResultsPredicate,
} from "./test-results";
import type { StoredAttestation } from "./verify";

const D = `sha256:${"a".repeat(64)}`;

test("cosign tags: sha256:<hex> → sha256-<hex>.sig / .att", () => {
  expect(cosignTag(D, "sig")).toBe(`sha256-${"a".repeat(64)}.sig`);
  expect(cosignTag(D, "att")).toBe(`sha256-${"a".repeat(64)}.att`);
});

test("the simple-signing payload is cosign's, byte for byte", () => {
  expect(simpleSigningPayload("127.0.0.1:5000/app", D).toString()).toBe(
    `{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/app"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":null}`,
  );
});

test.each([
  [simpleSigningPayload("r/a", D), D],
  [Buffer.from('{"critical":{"type":"something else","image":{"docker-manifest-digest":"x"}}}'), undefined],
  [Buffer.from("not json"), undefined],
])("payloadDigest %#", (payload, digest) => {
  expect(payloadDigest(payload)).toBe(digest);
});

test("DSSE pre-authentication encoding (the spec's example)", () => {
  expect(preAuthEncoding("http://example.com/HelloWorld", Buffer.from("hello world")).toString()).toBe(
    "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
  );
});

test("keys: PKCS#8, SEC1, cosign-encrypted round trip; public key id matches; other curves refused", () => {
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pkcs8 = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const sec1 = pair.privateKey.export({ format: "pem", type: "sec1" }).toString();
  const spki = pair.publicKey.export({ format: "pem", type: "spki" }).toString();
  const id = parsePublicKey(spki).keyId;
  expect(parsePrivateKey(pkcs8).keyId).toBe(id);
  expect(parsePrivateKey(sec1).keyId).toBe(id);
  const der = pair.privateKey.export({ format: "der", type: "pkcs8" });
  const pem = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${encryptCosignKey(der, "").toString("base64")}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----`;
  expect(parsePrivateKey(pem, "").keyId).toBe(id);
  expect(() => parsePrivateKey(pem)).toThrow(/no password was given/);
  expect(() => parsePrivateKey(pem, "x")).toThrow(/wrong password/);
  expect(parsePublicKey(pkcs8).keyId).toBe(id);
  const ed = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  expect(() => parsePrivateKey(ed)).toThrow(/only ECDSA P-256/);
  expect(() => parsePublicKey("hello")).toThrow(/no public key/);
  expect(pemBlocks(`${spki}\n${pkcs8}`).map((b) => b.type)).toEqual(["PUBLIC KEY", "PRIVATE KEY"]);
});

test("key sources: PEM inline, env://NAME, missing file", async () => {
  expect(await readKeySource("  -----BEGIN PUBLIC KEY-----x")).toBe("-----BEGIN PUBLIC KEY-----x");
  expect(await readKeySource("env://K", { K: "pem" })).toBe("pem");
  await expect(readKeySource("env://K", {})).rejects.toThrow(/K is not set/);
  await expect(readKeySource("/nonexistent/key.pub")).rejects.toThrow(
    /cannot read \/nonexistent\/key.pub: ENOENT/,
  );
});

const att = (
  tests: { total: number; passed: number; failed: number },
  verified = true,
  createdAt = "2026-01-01",
) =>
  ({
    verified,
    statement: {
      _type: "",
      subject: [],
      predicateType: TEST_RESULTS_PREDICATE,
      predicate: {
        ...testResultsPredicate({ summary: { ...tests, skipped: 0, durationMs: 1 }, commit: "c" }),
        createdAt,
      },
    },
  }) as StoredAttestation;

test.each([
  [[att({ total: 10, passed: 10, failed: 0 })], undefined],
  [[att({ total: 10, passed: 8, failed: 2 })], "tests failed: 2 of 10"],
  [[att({ total: 0, passed: 0, failed: 0 })], "no test passed"],
  [[att({ total: 10, passed: 10, failed: 0 }, false)], "no test-result attestation"],
  [[], "no test-result attestation"],
  // The newest one counts: a later failing run of the same digest refuses it.
  [
    [
      att({ total: 3, passed: 3, failed: 0 }, true, "2026-01-01"),
      att({ total: 3, passed: 2, failed: 1 }, true, "2026-02-01"),
    ],
    "tests failed: 1 of 3",
  ],
])("requirePassedTests %#", (attestations, refusal) => {
  if (refusal) expect(() => requirePassedTests("img", attestations)).toThrow(refusal);
  else expect(describeTests(requirePassedTests("img", attestations))).toBe("tests 10/10 passed");
});

test.each([
  ["no policy anywhere", undefined, undefined, undefined, false],
  ["only the image's: not trusted", undefined, { key: "img.pub", require: ["tests"] }, undefined, true],
  [
    "deploy side alone, default signature",
    { key: "d.pub" },
    undefined,
    { key: "d.pub", require: ["signature"] },
    false,
  ],
  [
    "the image adds tests, its key is ignored",
    { key: "d.pub", require: ["signature"] },
    { key: "img.pub", require: ["tests"] },
    { key: "d.pub", require: ["signature", "tests"] },
    false,
  ],
] as const)("effectivePolicy: %s", (_name, deploySide, imageSide, expected, ignored) => {
  const r = effectivePolicy(deploySide as VerifyPolicy | undefined, imageSide as VerifyPolicy | undefined);
  expect(r.policy).toEqual(expected);
  expect(Boolean(r.ignored)).toBe(ignored);
});

test("expandKeyReference: ${NAME} from the environment, anything else as written", () => {
  expect(expandKeyReference("${KEY}", { KEY: "-----BEGIN PUBLIC KEY-----" })).toBe(
    "-----BEGIN PUBLIC KEY-----",
  );
  expect(expandKeyReference("keys/cosign.pub", {})).toBe("keys/cosign.pub");
  expect(() => expandKeyReference("${KEY}", {})).toThrow(/KEY is not set/);
});

test("deploy.verify resolves per environment; require defaults to [signature]; bad items are config errors", () => {
  const config = parseConfig(
    'name: a\ndeploy:\n  verify: { key: keys/cosign.pub }\nenvironments:\n  prod:\n    deploy:\n      verify: { key: "${PUB}", require: [signature, tests] }\n',
    "powertrain.yml",
  );
  expect(resolveEnvironment(config, undefined).deploy.verify).toEqual({
    key: "keys/cosign.pub",
    require: ["signature"],
  });
  expect(resolveEnvironment(config, "prod").deploy.verify).toEqual({
    key: "${PUB}",
    require: ["signature", "tests"],
  });
  expect(() =>
    parseConfig("name: a\ndeploy:\n  verify: { key: k, require: [provenance] }\n", "p.yml"),
  ).toThrow(/deploy.verify.require/);
});

test.each([
  ['{"total":3,"passed":2,"failed":1,"skipped":0}', { total: 3, failed: 1, failures: [], reports: [] }],
  ['{"total":3,"passed":3,"failed":0,"skipped":0,"testImage":"app:test"}', { testImage: "app:test" }],
  ["nope", /not JSON/],
  ['{"total":-1,"passed":0,"failed":0,"skipped":0}', /"total" must be a count/],
  ['{"passed":1}', /"total" must be a count/],
])("parseTestReport %#", (text, expected) => {
  if (expected instanceof RegExp) expect(() => parseTestReport(text, "input")).toThrow(expected);
  else expect(parseTestReport(text, "input")).toMatchObject(expected);
});
