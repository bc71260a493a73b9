/**
 * The publish action with signing on, run in-process as the runner runs it:
 * the pushed digest comes out signed and attested with the build's test
 * report, and the deploy-side gate (verifyForDeploy) admits it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../actions/publish/src/main";
import { encryptCosignKey } from "../../packages/core/src/sign/cosign-key";
import { loadSigningKey } from "../../packages/core/src/sign/keys";
import { verifyForDeploy } from "../../packages/core/src/sign/policy";
import { buildTestImage } from "../registry/support/images";
import { recordingLogger } from "../registry/support/logger";
import { readOutputs } from "../support/action-outputs";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";
import { env, newClient, pemKeyPair, registry } from "./support";

jest.setTimeout(180_000);

const repository = `${uniqueName("pt-test-sign-publish")}/app`;
const localImage = `${uniqueName("pt-test-sign-publish")}:1`;
const savedEnv = { ...process.env };
const dir = tempDir("pt-sign-publish-");

afterAll(async () => {
  process.env = { ...savedEnv };
  await dockerRmi([localImage, `${registry}/${repository}:9-abcdef1`]);
});

test("publish with sign-key and test-report: signed, attested, admitted by a deploy policy", async () => {
  await buildTestImage({ base: env.images.busybox, name: localImage });
  const pair = pemKeyPair(dir);
  const der = (await loadSigningKey(pair.privateKey)).privateKey.export({ format: "der", type: "pkcs8" });
  const keyPem = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${encryptCosignKey(der, "pw-publish").toString("base64")}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
  const files = { output: join(dir, "output"), state: join(dir, "state"), summary: join(dir, "summary") };
  for (const f of Object.values(files)) writeFileSync(f, "");
  mkdirSync(join(dir, "runner"));
  const report = {
    total: 12,
    passed: 11,
    failed: 0,
    skipped: 1,
    durationMs: 80,
    failures: [],
    reports: ["junit.xml"],
  };
  Object.assign(process.env, {
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: join(dir, "runner"),
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_NUMBER: "9",
    GITHUB_SHA: "abcdef1234567890abcdef1234567890abcdef12",
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_REPOSITORY: "team/app",
    GITHUB_RUN_ID: "77",
    GITHUB_REF_TYPE: "branch",
    GITHUB_REF_NAME: "main",
    INPUT_CONFIG: join(dir, "absent.yml"),
    INPUT_IMAGE: localImage,
    INPUT_REGISTRY: registry,
    INPUT_REPOSITORY: repository,
    INPUT_USERNAME: env.registry.user,
    INPUT_PASSWORD: env.registry.password,
    "INPUT_SIGN-KEY": keyPem,
    "INPUT_SIGN-KEY-PASSWORD": "pw-publish",
    INPUT_ATTEST: "true",
    "INPUT_TEST-REPORT": JSON.stringify(report),
  });
  const logger = recordingLogger();
  await main({ logger });

  const outputs = readOutputs(files.output);
  expect(outputs.signature).toBe(`${outputs.digest!.replace(":", "-")}.sig`);
  expect(outputs.attestation).toBe(`${outputs.digest!.replace(":", "-")}.att`);
  expect(outputs["key-id"]).toMatch(/^sha256:/);
  expect(readFileSync(files.summary, "utf8")).toContain(".att");
  expect(logger.raw.join("\n")).not.toContain("pw-publish");

  process.env = { ...savedEnv };
  const client = newClient();
  try {
    const verdict = await verifyForDeploy(
      { key: pair.publicKey, require: ["signature", "tests"] },
      outputs.image!,
      {
        client,
        logger: recordingLogger(),
      },
    );
    expect(verdict.verified).toBe(true);
    expect(verdict.tests).toMatchObject({
      tests: { passed: 11, total: 12, skipped: 1 },
      source: { commit: "abcdef1234567890abcdef1234567890abcdef12" },
      build: { number: 9 },
    });
    expect(verdict.summary).toContain("tests 11/12 passed, 1 skipped");
  } finally {
    await client.close();
  }
});
