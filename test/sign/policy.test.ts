/**
 * verifyForDeploy, the gate the deploy entry points call before touching any
 * host, against the real registry: a policy refuses an unsigned image, admits
 * a signed and tested one, reads a `${NAME}` key from the deploy step's
 * environment, and --insecure-skip-verify passes with a loud warning.
 */
import { readFileSync } from "node:fs";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { loadSigningKey } from "../../packages/core/src/sign/keys";
import { verifyForDeploy } from "../../packages/core/src/sign/policy";
import { signPublished } from "../../packages/core/src/sign/publish";
import { recordingLogger } from "../registry/support/logger";
import { uniqueName } from "../support/helpers";
import { credentials, newClient, pemKeyPair, pushTinyImage, registry } from "./support";

jest.setTimeout(120_000);

const repository = `${uniqueName("pt-test-sign-policy")}/app`;
const pair = pemKeyPair();
let client: RegistryClient;
let signed: string;
let unsigned: string;

beforeAll(async () => {
  client = newClient();
  const a = await pushTinyImage(client, repository, "policy signed");
  const b = await pushTinyImage(client, repository, "policy unsigned");
  await signPublished({
    client,
    repository,
    digest: a,
    key: await loadSigningKey(pair.privateKey),
    tests: { total: 3, passed: 3, failed: 0, skipped: 0, durationMs: 1, failures: [], reports: [] },
    meta: { sha: "c0ffee12", buildNumber: 3 },
    logger: recordingLogger(),
  });
  signed = `${registry}/${repository}@${a}`;
  unsigned = `${registry}/${repository}@${b}`;
});

afterAll(async () => {
  await client.close();
});

test("a policy refuses an unsigned image, naming what is missing", async () => {
  const policy = { key: pair.publicKey, require: ["signature" as const] };
  await expect(
    verifyForDeploy(policy, unsigned, { client, logger: recordingLogger() }),
  ).rejects.toMatchObject({
    reason: "no-signature",
  });
});

test("signed and tested: admitted; the key may be ${NAME} from the deploy environment; the summary says what", async () => {
  const logger = recordingLogger();
  const report = await verifyForDeploy({ key: "${DEPLOY_PUB}", require: ["signature", "tests"] }, signed, {
    client,
    logger,
    env: { DEPLOY_PUB: readFileSync(pair.publicKey, "utf8") },
  });
  expect(report.verified).toBe(true);
  expect(report.summary).toMatch(/commit c0ffee12, tests 3\/3 passed/);
  expect(logger.raw.join("\n")).toContain(report.summary);
});

test("no policy: nothing enforced, said so; --insecure-skip-verify warns loudly; a tag is refused", async () => {
  expect((await verifyForDeploy(undefined, unsigned, { client, logger: recordingLogger() })).skipped).toBe(
    "no-policy",
  );
  const logger = recordingLogger();
  const skipped = await verifyForDeploy({ key: pair.publicKey }, unsigned, {
    client,
    logger,
    insecureSkipVerify: true,
  });
  expect(skipped).toMatchObject({ verified: false, skipped: "insecure-skip-verify" });
  expect(logger.raw.join("\n")).toMatch(/INSECURE.*skipped/);
  await expect(
    verifyForDeploy({ key: pair.publicKey }, `${registry}/${repository}:latest`, { client, logger }),
  ).rejects.toThrow(/verified by digest/);
});

test("without a client one is made from the usual credentials (POWERTRAIN_REGISTRY_USER/PASSWORD)", async () => {
  const env = {
    POWERTRAIN_REGISTRY_USER: credentials.username,
    POWERTRAIN_REGISTRY_PASSWORD: credentials.password,
  };
  const report = await verifyForDeploy({ key: pair.publicKey }, signed, { logger: recordingLogger(), env });
  expect(report.verified).toBe(true);
});
