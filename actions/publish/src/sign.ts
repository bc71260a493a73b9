/**
 * Signing after the push: with `sign-key`, the published digest is signed in
 * cosign's format and — unless `attest: false` — the build's test report
 * (`test-report`, the build action's output) is attached as a signed
 * test-result attestation. Everything here is core; this file maps inputs.
 */
import {
  type CiMetadata,
  type Credentials,
  inspectImage,
  type Logger,
  loadSigningKey,
  type PublishResult,
  parseTestReport,
  registryClientFor,
  type SignPublishedResult,
  signPasswordFromEnv,
  signPublished,
} from "@powertrain/core";

export const signInputs = {
  "sign-key": { kind: "string", secret: true },
  "sign-key-password": { kind: "string", secret: true },
  attest: { kind: "boolean", default: true },
  "test-report": { kind: "string" },
} as const;

export interface SignInputs {
  "sign-key"?: string;
  "sign-key-password"?: string;
  attest: boolean;
  "test-report"?: string;
}

/** Sign (and attest) `result`; undefined when no key was given. */
export async function signAfterPush(
  input: SignInputs,
  result: PublishResult,
  meta: CiMetadata,
  logger: Logger,
  credentials?: Credentials,
): Promise<SignPublishedResult | undefined> {
  const keySource = input["sign-key"];
  if (!keySource) return undefined;
  const password = input["sign-key-password"] || signPasswordFromEnv();
  if (password) logger.mask(password);
  const key = await loadSigningKey(keySource, password);
  let tests: ReturnType<typeof parseTestReport> | undefined;
  if (input.attest) {
    if (input["test-report"]) tests = parseTestReport(input["test-report"], 'input "test-report"');
    if (tests?.testImage && !tests.testImageId) {
      // Build and publish share a job, so the test stage image is still in this engine.
      tests.testImageId = await inspectImage(tests.testImage, logger).then(
        (i) => i.id,
        () => undefined,
      );
    } else
      logger.warn(
        'attest: no "test-report" input (the build action\'s test-report output): no test attestation',
      );
  }
  const client = await registryClientFor(result.registry, logger, { credentials });
  try {
    return await signPublished({
      client,
      repository: result.repository,
      digest: result.digest,
      key,
      tests,
      meta,
      logger,
    });
  } finally {
    await client.close();
  }
}

/** Outputs of the signing step (empty strings when not signed, so workflows can test them). */
export function signOutputs(signed: SignPublishedResult | undefined): Record<string, string> {
  return {
    signature: signed?.signature.tag ?? "",
    attestation: signed?.attestation?.tag ?? "",
    "key-id": signed?.signature.keyId ?? "",
  };
}

/** Summary rows: what was signed and attested. */
export function signSummaryRows(signed: SignPublishedResult | undefined): string[][] {
  if (!signed) return [["Signed", "no (no sign-key)"]];
  return [
    ["Signed", `${signed.signature.tag} (key ${signed.signature.keyId.slice(0, 19)}…)`],
    ["Attested", signed.attestation ? signed.attestation.tag : "no test report"],
  ];
}
