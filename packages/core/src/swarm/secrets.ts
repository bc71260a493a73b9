/**
 * Env values on their way into a Swarm service. A value holding a `${NAME}`
 * reference is declared secret (the config itself holds no secrets: it is
 * baked into the image). In `secret` mode such a value becomes a Swarm secret
 * (content-addressed name, created from stdin), mounted at /run/secrets/<VAR>
 * with <VAR>_FILE pointing at it; it never appears in the service spec.
 */
import { createHash } from "node:crypto";
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

/** `<service>-<var>-<hash>`: a changed value is a new secret (Swarm secrets are immutable). */
export function secretName(service: string, variable: string, value: string): string {
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 12);
  const base = `${service}-${variable.toLowerCase().replace(/_/g, "-")}`.slice(0, 50);
  return `${base}-${hash}`;
}

export function secretMounts(service: string, secret: Record<string, string>): SecretMount[] {
  return Object.entries(secret).map(([target, value]) => ({
    name: secretName(service, target, value),
    target,
  }));
}
