/**
 * Which variables a baked run configuration may read through `${NAME}`. The
 * config travels inside the image, so the image must not choose which of the
 * deploy step's variables reach its containers: a reference resolves only
 * when the deploy side allowed its name (the DEPLOY_ENV keys and an explicit
 * `env-from` list) or when it is one of powertrain's public metadata
 * variables. Runner internals, action inputs, ssh settings and registry
 * credentials are refused even when a list names them.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { listReferences } from "./references";

/** Build metadata that is never secret: the only values left readable in logs. */
export const PUBLIC_REFERENCES = [
  "POWERTRAIN_VERSION",
  "POWERTRAIN_IMAGE",
  "POWERTRAIN_ENVIRONMENT",
] as const;

/** Why a name is never resolved, whatever an allowlist says. */
const ALWAYS_REFUSED: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /^ACTIONS_/, why: "the runner's own tokens" },
  { pattern: /^INPUT_/, why: "action inputs" },
  { pattern: /^RUNNER_/, why: "runner settings" },
  { pattern: /^SSH_/, why: "ssh settings" },
  { pattern: /^POWERTRAIN_REGISTRY_/, why: "registry credentials" },
  { pattern: /^(GITHUB_TOKEN|GH_TOKEN|DOCKER_AUTH_CONFIG)$/, why: "credentials" },
];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An allowlist entry: a name, or a prefix ending in `*` (`APP_*`). */
const ENTRY = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

/** True for the three metadata variables whose values stay unmasked. */
export function isPublicReference(name: string): boolean {
  return (PUBLIC_REFERENCES as readonly string[]).includes(name);
}

/** Why `name` can never be resolved, or undefined when an allowlist may allow it. */
export function refusedReason(name: string): string | undefined {
  return ALWAYS_REFUSED.find((r) => r.pattern.test(name))?.why;
}

/**
 * Names for the allowlist from text as a user writes it: comma-, space- or
 * newline-separated names, each possibly a prefix ending in `*`. Throws a
 * UsageError naming every malformed entry (`where` says which input).
 */
export function parseEnvFrom(text: string | readonly string[] | undefined, where = "env-from"): string[] {
  const items = (typeof text === "string" ? [text] : (text ?? []))
    .flatMap((t) => t.split(/[\s,]+/))
    .filter((t) => t.length > 0);
  const bad = items.filter((t) => !ENTRY.test(t));
  if (bad.length > 0) {
    throw new UsageError(
      `${where}: ${bad.map((b) => JSON.stringify(b)).join(", ")} ${bad.length === 1 ? "is not a variable name" : "are not variable names"}`,
      { hint: "list names such as API_TOKEN or a prefix such as APP_*, separated by commas or spaces" },
    );
  }
  return [...new Set(items)];
}

/** The keys of DEPLOY_ENV-style `KEY=value` lines (blank lines and `#` comments skipped). */
export function deployEnvNames(text: string | undefined): string[] {
  const names: string[] = [];
  const lines = (text ?? "").split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const key = line.slice(0, Math.max(0, line.indexOf("=")));
    if (!NAME.test(key)) {
      // The key only: a line without `=` may be a pasted value.
      const what = key ? `a line starting with "${key}"` : "a line without KEY=";
      throw new UsageError(`DEPLOY_ENV: expected KEY=value lines, got ${what} (line ${i + 1})`);
    }
    names.push(key);
  });
  return [...new Set(names)];
}

export interface ReferencePolicyInput {
  /** The `${NAME}` references of the environment's env (listReferences of the resolved environment). */
  references: readonly string[];
  /** Names the deploy side allows: the DEPLOY_ENV keys and the env-from list (`PREFIX*` entries allowed). */
  allowed: readonly string[];
  /** Where allowed values come from: the deploy step's environment. */
  source: Record<string, string | undefined>;
}

export interface AllowedReferences {
  /** Each allowed reference that the source sets, by name: the only source substitution may read. */
  values: Record<string, string>;
  /** Values to mask in every log line: all resolved values except the public metadata. */
  secrets: string[];
}

/** A refused reference and why, for the error and the approval summary. */
export interface RefusedReference {
  name: string;
  why: string;
}

/** The verdict for each reference, without throwing: what a summary lists before anything runs. */
export function judgeReferences(
  references: readonly string[],
  allowed: readonly string[],
): { allowed: string[]; refused: RefusedReference[] } {
  const ok: string[] = [];
  const refused: RefusedReference[] = [];
  for (const name of [...new Set(references)].sort()) {
    const never = refusedReason(name);
    if (never) refused.push({ name, why: `never allowed: ${never}` });
    else if (isPublicReference(name) || allowed.some((entry) => matches(entry, name))) ok.push(name);
    else refused.push({ name, why: "not in DEPLOY_ENV or env-from" });
  }
  return { allowed: ok, refused };
}

/**
 * The values the references may take, or one UsageError listing every
 * refused name. A name that is allowed but unset is left out of `values`, so
 * substituting from them reports it as missing (MissingReferenceError).
 */
export function allowReferences(input: ReferencePolicyInput): AllowedReferences {
  const verdict = judgeReferences(input.references, input.allowed);
  if (verdict.refused.length > 0) throw new RefusedReferenceError(verdict.refused);
  const values: Record<string, string> = {};
  const secrets: string[] = [];
  for (const name of verdict.allowed) {
    const value = Object.hasOwn(input.source, name) ? input.source[name] : undefined;
    if (value === undefined) continue;
    values[name] = value;
    if (!isPublicReference(name) && value !== "") secrets.push(value);
  }
  return { values, secrets };
}

/**
 * What an engine entry point passes as its reference source instead of the whole process
 * environment: the allowed values of the references `env` uses, each secret one masked in
 * `logger` at once. Throws RefusedReferenceError before anything runs.
 */
export function allowedSource(input: {
  /** The environment's run env, references unresolved. */
  env: Record<string, string>;
  /** The env-from names (parseEnvFrom of the input or flag), the DEPLOY_ENV keys among them. */
  allowed: readonly string[];
  source: Record<string, string | undefined>;
  logger?: Logger;
}): Record<string, string> {
  const { values, secrets } = allowReferences({
    references: listReferences(input.env),
    allowed: input.allowed,
    source: input.source,
  });
  for (const secret of secrets) input.logger?.mask(secret);
  return values;
}

/** References the deploy side did not allow (or never allows). */
export class RefusedReferenceError extends UsageError {
  constructor(readonly refused: RefusedReference[]) {
    const names = refused.map((r) => r.name);
    super(
      `env references ${names.length === 1 ? "a variable" : "variables"} this deploy may not read: ${refused
        .map((r) => `${r.name} (${r.why})`)
        .join(", ")}`,
      {
        hint: refused.some((r) => r.why.startsWith("not in"))
          ? "add the names to DEPLOY_ENV or to the deploy's env-from list (--env-from); runner, ssh and registry variables are never passed"
          : "runner tokens, action inputs, ssh settings and registry credentials never reach a container",
      },
    );
  }
}

function matches(entry: string, name: string): boolean {
  return entry.endsWith("*") ? name.startsWith(entry.slice(0, -1)) : entry === name;
}

/**
 * The reference source of a deploy-side command. A config the deploy side wrote itself (its
 * checkout's powertrain.yml) may read every variable it names; an image's own config (extract-config's
 * resolved document) only those the deploy side lists in `envFrom` (the DEPLOY_ENV keys, --env-from).
 * Names that are never allowed (runner tokens, registry credentials…) are refused either way.
 */
export function deployReferenceSource(input: {
  env: Record<string, string>;
  /** True when the environment comes from the deploy side's own powertrain.yml. */
  deploySideConfig: boolean;
  envFrom: readonly string[];
  source: Record<string, string | undefined>;
  logger?: Logger;
}): Record<string, string> {
  const allowed = input.deploySideConfig ? listReferences(input.env) : input.envFrom;
  return allowedSource({ env: input.env, allowed, source: input.source, logger: input.logger });
}
