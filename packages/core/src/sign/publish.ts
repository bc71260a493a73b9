/**
 * Signing right after a push: the signature of the published digest and,
 * with a test report, the signed test-result attestation — what the publish
 * action and `powertrain sign --attest-tests` do.
 */
import type { Logger } from "../log";
import type { RegistryClient } from "../registry/client";
import type { CiMetadata } from "../version/ci";
import type { SigningKey } from "./keys";
import { attestImage, type SignResult, signImage } from "./sign";
import { TEST_RESULTS_PREDICATE, type TestReport, testResultsPredicate } from "./test-results";

export interface SignPublishedOptions {
  client: RegistryClient;
  repository: string;
  digest: string;
  key: SigningKey;
  /** Attach the test results as a signed attestation. */
  tests?: TestReport;
  /** Commit, build number and run URL recorded in the attestation. */
  meta?: Pick<CiMetadata, "sha" | "buildNumber" | "runUrl">;
  referrer?: boolean;
  logger: Logger;
}

export interface SignPublishedResult {
  signature: SignResult;
  attestation?: SignResult;
}

export async function signPublished(options: SignPublishedOptions): Promise<SignPublishedResult> {
  const { client, repository, digest, key, logger } = options;
  const signature = await signImage({ client, repository, digest, key, referrer: options.referrer, logger });
  if (!options.tests) return { signature };
  const report = options.tests;
  const predicate = testResultsPredicate({
    summary: report,
    testStageImageId: report.testImageId ?? report.testImage,
    commit: options.meta?.sha,
    buildNumber: options.meta?.buildNumber,
    runUrl: options.meta?.runUrl,
  });
  const attestation = await attestImage({
    client,
    repository,
    digest,
    key,
    referrer: options.referrer,
    predicateType: TEST_RESULTS_PREDICATE,
    predicate,
    logger,
  });
  return { signature, attestation };
}
