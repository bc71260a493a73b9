/**
 * `powertrain sign`, `verify` and `attestations` as a user runs them, against
 * the real registry: exit codes, reasons, --json, and the password only ever
 * from the environment.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { encryptCosignKey } from "../../packages/core/src/sign/cosign-key";
import { loadSigningKey } from "../../packages/core/src/sign/keys";
import { runCli } from "../support/cli";
import { tempDir, uniqueName } from "../support/helpers";
import { credentials, newClient, pemKeyPair, pushTinyImage, registry } from "./support";

jest.setTimeout(120_000);

const savedEnv = { ...process.env };
const repository = `${uniqueName("pt-test-sign-cli")}/app`;
const dir = tempDir("pt-sign-cli-");
let client: RegistryClient;
let keyFile: string;
let pubFile: string;

beforeAll(async () => {
  client = newClient();
  process.env.POWERTRAIN_REGISTRY_USER = credentials.username;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = credentials.password;
  // A cosign-style encrypted key; the password reaches powertrain only through the environment.
  const pair = pemKeyPair(dir);
  const der = (await loadSigningKey(pair.privateKey)).privateKey.export({ format: "der", type: "pkcs8" });
  keyFile = join(dir, "cosign.key");
  const body = encryptCosignKey(der, "cli-secret").toString("base64");
  writeFileSync(
    keyFile,
    `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`,
  );
  pubFile = pair.publicKey;
});

afterAll(async () => {
  process.env = savedEnv;
  await client.close();
});

const run = runCli;

function report(file: string, tests: { total: number; passed: number; failed: number }): string {
  const path = join(dir, file);
  const failures = tests.failed ? [{ name: "renders the page", message: "expected 200, got 500" }] : [];
  writeFileSync(
    path,
    JSON.stringify({ ...tests, skipped: 0, durationMs: 40, failures, reports: ["junit.xml"] }),
  );
  return path;
}

test("sign then verify: exit 0; unsigned: exit 1 naming the reason; a tag is refused as a usage error", async () => {
  const digest = await pushTinyImage(client, repository, "cli signed");
  const unsigned = await pushTinyImage(client, repository, "cli unsigned");
  const image = `${registry}/${repository}@${digest}`;

  const noPassword = await run("sign", image, "--key", keyFile);
  expect(noPassword.code).toBe(2);
  expect(noPassword.stderr).toContain("no password was given");

  process.env.POWERTRAIN_SIGN_PASSWORD = "cli-secret";
  const signed = await run(
    "sign",
    image,
    "--key",
    keyFile,
    "--attest-tests",
    report("ok.json", { total: 10, passed: 10, failed: 0 }),
  );
  expect(signed.code).toBe(0);
  expect(signed.stdout).toContain(".sig");
  expect(signed.stderr).not.toContain("cli-secret");

  const ok = await run("verify", image, "--key", pubFile, "--require", "signature,tests");
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain("tests 10/10 passed");

  const refused = await run("verify", `${registry}/${repository}@${unsigned}`, "--key", pubFile, "--json");
  expect(refused.code).toBe(1);
  expect(JSON.parse(refused.stdout)).toMatchObject({ verified: false, reason: "no-signature" });
  expect(refused.stderr).toContain("no signature");

  const tag = await run("verify", `${registry}/${repository}:latest`, "--key", pubFile);
  expect(tag.code).toBe(2);
  expect(tag.stderr).toContain("is not pinned");
});

test("failed tests: signed and attested, but refused under --require tests; attestations shows why", async () => {
  const digest = await pushTinyImage(client, repository, "cli failed tests");
  const image = `${registry}/${repository}@${digest}`;
  process.env.POWERTRAIN_SIGN_PASSWORD = "cli-secret";
  const signed = await run(
    "sign",
    image,
    "--key",
    keyFile,
    "--attest-tests",
    report("bad.json", { total: 10, passed: 8, failed: 2 }),
  );
  expect(signed.code).toBe(0);

  expect((await run("verify", image, "--key", pubFile)).code).toBe(0);
  const refused = await run("verify", image, "--key", pubFile, "--require", "signature,tests");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("tests failed: 2 of 10 (renders the page)");

  const shown = await run("attestations", image, "--key", pubFile);
  expect(shown.stdout).toContain("test results: tests failed: 2 of 10");
  expect(shown.stdout).toContain("[verified]");
  const json = JSON.parse((await run("attestations", image, "--json")).stdout);
  expect(json[0]).toMatchObject({
    verified: false,
    statement: { predicate: { tests: { failed: 2, total: 10 } } },
  });

  const bad = await run("verify", image, "--key", pubFile, "--require", "provenance");
  expect(bad.code).toBe(2);
});
