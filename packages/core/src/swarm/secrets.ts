/**
 * Env values on their way into a Swarm service. A value holding a `${NAME}`
 * reference is declared secret (the config itself holds no secrets: it is
 * baked into the image). In `secret` mode such a value becomes a Swarm secret
 * (created from stdin), mounted at /run/secrets/<VAR> with <VAR>_FILE
 * pointing at it; it never appears in the service spec.
 *
 * Secret names are printed in the CI log, so they carry nothing derived from
 * the value: `<service>-<var>-<deploy id>`. Whether a value changed (a Swarm
 * secret is immutable, so a new value needs a new secret) is told by a keyed
 * digest — HMAC-SHA256 under a random key kept in a label of the service —
 * stored as a label of the secret, never by an unsalted hash anyone can test
 * guesses against.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { isPublicReference } from "../config/reference-policy";
import { findReferences } from "../config/references";
import { resolveEnvReferences } from "../deploy/env";
import type { Logger } from "../log";
import type { SecretMount } from "./spec";

export interface ClassifiedEnv {
  /** Values that go into the spec as env. */
  plain: Record<string, string>;
  /** Values declared secret (resolved), by variable name. */
  secret: Record<string, string>;
}

/**
 * Resolve `${NAME}` references from `source` (every missing name in one error) and split the
 * values into plain and secret. Without a source the values are taken as resolved and plain.
 */
export function classifyEnv(
  env: Record<string, string>,
  source: Record<string, string | undefined> | undefined,
  logger?: Logger,
): ClassifiedEnv {
  if (!source) return { plain: { ...env }, secret: {} };
  const resolved = resolveEnvReferences(env, source, logger);
  const out: ClassifiedEnv = { plain: {}, secret: {} };
  for (const [name, value] of Object.entries(resolved)) {
    const secret = findReferences(env[name]!).some((ref) => !isPublicReference(ref));
    if (secret) out.secret[name] = value;
    else out.plain[name] = value;
  }
  return out;
}

/** Label of the service: the random key (hex) its secrets' digests are keyed with. */
export const SECRET_KEY_LABEL = "dev.powertrain.secret-key";
/** Label of each secret: HMAC-SHA256(service key, variable NUL value), hex. */
export const SECRET_DIGEST_LABEL = "dev.powertrain.secret-digest";
/** Label of each secret: the env variable it holds. */
export const SECRET_VARIABLE_LABEL = "dev.powertrain.secret-variable";

/** A new per-service key for secretDigest: 32 random bytes, hex. */
export function newSecretKey(): string {
  return randomBytes(32).toString("hex");
}

/** The keyed digest of one variable's value: without the key it tells nothing about the value. */
export function secretDigest(key: string, variable: string, value: string): string {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError("a secret key is 32 bytes of hex (newSecretKey)");
  return createHmac("sha256", Buffer.from(key, "hex")).update(`${variable}\0${value}`).digest("hex");
}

/** `<service>-<var>-<deploy id>` (at most 64 characters, Swarm's limit): nothing of the value in it. */
export function secretName(service: string, variable: string, deployId: string): string {
  const id = deployId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 23);
  const base = `${service}-${variable.toLowerCase().replace(/_/g, "-")}`
    .slice(0, 63 - id.length - 1)
    .replace(/[^a-z0-9]+$/i, "");
  return `${base}-${id}`;
}

/** A secret of the service as `docker secret ls --format SECRET_LIST_FORMAT` lists it. */
export interface ExistingSecret {
  name: string;
  variable?: string;
  digest?: string;
}

/** The `--format` for `docker secret ls` that parseSecretList reads: name, variable and digest labels. */
export const SECRET_LIST_FORMAT = `{{.Name}}\t{{.Label "${SECRET_VARIABLE_LABEL}"}}\t{{.Label "${SECRET_DIGEST_LABEL}"}}`;

export function parseSecretList(stdout: string): ExistingSecret[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [name = "", variable, digest] = line.split("\t").map((f) => f.trim());
      return { name, ...(variable ? { variable } : {}), ...(digest ? { digest } : {}) };
    });
}

/** A mount with what creating its secret needs: `create` false when an existing secret holds the value. */
export interface PlannedSecret extends SecretMount {
  digest: string;
  create: boolean;
  /** `--label` values for `docker secret create` (with the app, environment and service labels). */
  labels: Record<string, string>;
}

export interface SecretNaming {
  /** The deploy's id: the suffix of every secret it creates. */
  deployId: string;
  /** The service's key (its SECRET_KEY_LABEL, else newSecretKey() — then set that label). */
  key: string;
  /** The service's secrets now (parseSecretList of `docker secret ls --filter label=dev.powertrain.service=<service>`). */
  existing?: readonly ExistingSecret[];
}

/**
 * The secrets of one deploy: an unchanged value (same variable, same keyed digest) keeps its
 * existing secret, so an unchanged deploy leaves the spec unchanged; any other gets a new secret
 * named by the deploy id.
 */
export function planSecretMounts(
  service: string,
  secret: Record<string, string>,
  naming: SecretNaming,
): PlannedSecret[] {
  return Object.keys(secret)
    .sort()
    .map((target) => {
      const digest = secretDigest(naming.key, target, secret[target]!);
      const same = naming.existing?.find((e) => e.variable === target && e.digest === digest);
      const labels = { [SECRET_VARIABLE_LABEL]: target, [SECRET_DIGEST_LABEL]: digest };
      if (same) return { name: same.name, target, digest, create: false, labels };
      return { name: secretName(service, target, naming.deployId), target, digest, create: true, labels };
    });
}

/**
 * @deprecated names secrets by an unsalted SHA-256 of the value, which the CI log shows and a
 * guess can be tested against; use planSecretMounts. Kept only until the engine passes a naming.
 */
export function secretMounts(service: string, secret: Record<string, string>): SecretMount[] {
  return Object.entries(secret).map(([target, value]) => {
    const hash = createHash("sha256").update(value).digest("hex").slice(0, 12);
    return {
      name: `${`${service}-${target.toLowerCase().replace(/_/g, "-")}`.slice(0, 50)}-${hash}`,
      target,
    };
  });
}
