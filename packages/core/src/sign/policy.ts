/**
 * The deploy-side gate: given a verify policy (deploy.verify of the deploy
 * side's powertrain.yml or the workflow's inputs — never only the one baked
 * into the image being checked) and a pinned image, refuse unless the image
 * carries what the policy requires. Called before any host is touched.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { registryClientFor } from "../publish/settings";
import type { RegistryClient } from "../registry/client";
import { parseReference } from "../registry/reference";
import { loadVerifyingKey, type VerifyingKey } from "./keys";
import { describeTests, requirePassedTests, type TestResultsPredicate } from "./test-results";
import { readAttestations, verifySignature } from "./verify";

export const REQUIREMENTS = ["signature", "tests"] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

export interface VerifyPolicy {
  /** Public key: a path, PEM text, `env://NAME` or `${NAME}` (read from the deploy step's environment). */
  key: string;
  /** What must be present and valid; default `[signature]`. */
  require?: Requirement[];
}

export interface VerificationReport {
  /** `registry/repository@sha256:…` */
  image: string;
  /** False only when verification was skipped (no policy, or --insecure-skip-verify). */
  verified: boolean;
  skipped?: "no-policy" | "insecure-skip-verify";
  keyId?: string;
  require: Requirement[];
  tests?: TestResultsPredicate;
  /** One line for logs and job summaries: what was verified. */
  summary: string;
}

export interface VerifyImageOptions {
  client: RegistryClient;
  repository: string;
  digest: string;
  key: VerifyingKey;
  require?: Requirement[];
}

/** Check `require` for one digest; throws VerificationError naming the first thing missing. */
export async function verifyImage(options: VerifyImageOptions): Promise<VerificationReport> {
  const { client, repository, digest, key } = options;
  const require = options.require?.length ? [...new Set(options.require)] : ["signature" as const];
  const image = `${client.registry}/${repository}@${digest}`;
  const parts = [`key ${key.keyId.slice(0, 19)}…`];
  // One after the other: a fresh client learns the registry's auth scheme on its first request,
  // and concurrent first requests would both be challenged.
  if (require.includes("signature")) await verifySignature({ client, repository, digest, key });
  let tests: TestResultsPredicate | undefined;
  if (require.includes("tests")) {
    tests = requirePassedTests(image, await readAttestations({ client, repository, digest, key }));
    if (tests.source?.commit) parts.push(`commit ${tests.source.commit.slice(0, 12)}`);
    parts.push(describeTests(tests));
  }
  return {
    image,
    verified: true,
    keyId: key.keyId,
    require,
    ...(tests ? { tests } : {}),
    summary: `verified ${require.join(" + ")} of ${image} (${parts.join(", ")})`,
  };
}

export interface VerifyForDeployOptions {
  /** A client for the image's registry; without one, one is made from the usual credentials and closed after. */
  client?: RegistryClient;
  logger: Logger;
  /** Skip verification on purpose; warns loudly. Never the default. */
  insecureSkipVerify?: boolean;
  /** Where `${NAME}` and `env://NAME` keys are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Enforce `policy` on `image` (a pinned reference) before a deploy. No policy
 * means nothing to enforce (reported as skipped); `insecureSkipVerify` skips
 * an existing policy with a warning. Throws VerificationError on refusal.
 */
export async function verifyForDeploy(
  policy: VerifyPolicy | undefined,
  image: string,
  options: VerifyForDeployOptions,
): Promise<VerificationReport> {
  const ref = parseReference(image);
  if (!ref.digest) {
    throw new UsageError(
      `cannot verify ${image}: deploys are verified by digest (registry/repository@sha256:…)`,
    );
  }
  const pinned = `${ref.registry}/${ref.repository}@${ref.digest}`;
  if (options.insecureSkipVerify) {
    const what = policy
      ? `the verify policy (${(policy.require ?? ["signature"]).join(", ")})`
      : "verification";
    options.logger.warn(
      `INSECURE: --insecure-skip-verify: ${what} skipped for ${pinned}; this image is unverified`,
    );
    return {
      image: pinned,
      verified: false,
      skipped: "insecure-skip-verify",
      require: [],
      summary: `⚠ NOT VERIFIED (--insecure-skip-verify): ${pinned}`,
    };
  }
  if (!policy) {
    return {
      image: pinned,
      verified: false,
      skipped: "no-policy",
      require: [],
      summary: `no verify policy for ${pinned}`,
    };
  }
  const env = options.env ?? process.env;
  const key = await loadVerifyingKey(expandKeyReference(policy.key, env), env);
  const client = options.client ?? (await defaultClient(ref.registry, options.logger, env));
  try {
    const report = await verifyImage({
      client,
      repository: ref.repository,
      digest: ref.digest,
      key,
      require: policy.require,
    });
    options.logger.info(report.summary);
    return report;
  } finally {
    if (!options.client) await client.close();
  }
}

/** `${NAME}` → the variable's value (PEM or a path); anything else is left for readKeySource. */
export function expandKeyReference(key: string, env: NodeJS.ProcessEnv): string {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(key.trim());
  if (!m) return key;
  const value = env[m[1]!];
  if (!value) throw new UsageError(`deploy.verify.key: environment variable ${m[1]} is not set`);
  return value;
}

function defaultClient(registry: string, logger: Logger, env: NodeJS.ProcessEnv): Promise<RegistryClient> {
  return registryClientFor(registry, logger, { env });
}

/**
 * The policy a deploy enforces: the deploy side's (the workflow's inputs or
 * the deploy checkout's powertrain.yml), tightened — never loosened — by the
 * copy baked into the image: its `require` items are added, its key is never
 * used (an image must not choose who may sign it, nor switch its check off).
 * Without a deploy-side policy the image's own is not trusted and nothing is
 * enforced; `ignored` says so, for a warning.
 */
export function effectivePolicy(
  deploySide: VerifyPolicy | undefined,
  imageSide: VerifyPolicy | undefined,
): { policy?: VerifyPolicy; ignored?: string } {
  if (!deploySide) {
    return imageSide
      ? {
          ignored:
            "the image's own deploy.verify is not enforced: the key must come from the deploy side (the workflow or the deploy checkout's powertrain.yml)",
        }
      : {};
  }
  const require = [...new Set([...(deploySide.require ?? ["signature"]), ...(imageSide?.require ?? [])])];
  return { policy: { key: deploySide.key, require } };
}
