/**
 * Reading the powertrain.yml that `build` baked into an image's labels, and
 * resolving one environment of it. Pure: the labels come from the registry's
 * config blob or from `docker image inspect`, both as a plain map.
 */
import { LABEL_CONFIG, LABEL_SCHEMA } from "../build/labels";
import { checkConfig } from "../config/checks";
import { didYouMean, formatPath, issueToProblems, type PathProblem } from "../config/describe";
import { listReferences } from "../config/references";
import {
  DEFAULT_ENVIRONMENT,
  listEnvironments,
  type ResolvedEnvironment,
  resolveEnvironment,
} from "../config/resolve";
import { PowertrainConfig, SCHEMA_VERSION } from "../config/schema";
import { ConfigError } from "../errors";
import { POWERTRAIN_VERSION } from "../version/powertrain";
import { ExtractError } from "./errors";

export { LABEL_CONFIG, LABEL_SCHEMA };
/** The powertrain version that built the image (written by build/labels.ts). */
export const LABEL_POWERTRAIN_VERSION = "dev.powertrain.version";
/** The application version the image was built as (OCI standard label). */
export const LABEL_IMAGE_VERSION = "org.opencontainers.image.version";
/** The commit the image was built from (OCI standard label); promote checks it is on the default branch. */
export const LABEL_REVISION = "org.opencontainers.image.revision";

/** The config baked into an image, validated, with who wrote it. */
export interface BakedConfig {
  config: PowertrainConfig;
  /** Schema version from the schema label (the config's own `schema:` when the label is missing). */
  schema: number;
  /** The powertrain version that built the image, when the label says. */
  writtenBy?: string;
}

/** Validate the config label of `image` (named in errors) under the current schema. */
export function readBakedConfig(labels: Record<string, string>, image: string): BakedConfig {
  const raw = labels[LABEL_CONFIG];
  if (raw === undefined) {
    throw new ExtractError(
      "no-config",
      `image ${image} has no ${LABEL_CONFIG} label: it was not built by powertrain build (built by something else?)`,
    );
  }
  const writtenBy = labels[LABEL_POWERTRAIN_VERSION] || undefined;
  const by = writtenBy ? `powertrain ${writtenBy}` : "an unknown powertrain version";
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    throw new ExtractError(
      "invalid-config",
      `the ${LABEL_CONFIG} label of image ${image} (written by ${by}) is not valid JSON: ${(err as Error).message}`,
    );
  }
  const labelSchema = Number(labels[LABEL_SCHEMA]);
  const ownSchema = (data as { schema?: unknown } | null)?.schema;
  const schema = Number.isInteger(labelSchema) && labelSchema > 0 ? labelSchema : Number(ownSchema ?? 1);
  if (schema > SCHEMA_VERSION) {
    throw new ExtractError(
      "invalid-config",
      `image ${image} holds a config of schema ${schema} (written by ${by}); powertrain ${POWERTRAIN_VERSION} reads schema ${SCHEMA_VERSION} and older`,
      { hint: "use a newer powertrain to read this image" },
    );
  }
  const { config, problems } = validate(data);
  if (problems.length > 0 || !config) {
    const first = problems[0]!;
    const where = first.path.length > 0 ? `${formatPath(first.path)}: ` : "";
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`
        : "";
    throw new ExtractError(
      "invalid-config",
      `the config in image ${image} (schema ${schema}, written by ${by}) no longer validates under schema ${SCHEMA_VERSION} of powertrain ${POWERTRAIN_VERSION}: ${where}${first.message}${more}`,
      { hint: "rebuild the image with this powertrain version, or extract with the version that built it" },
    );
  }
  // The parsed result, never the raw JSON: what the schema does not know (a dropped key) goes no further.
  const result: BakedConfig = { config, schema };
  if (writtenBy) result.writtenBy = writtenBy;
  return result;
}

/** Keys JSON.parse keeps as own properties but that name an object's prototype machinery. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function validate(data: unknown): { config?: PowertrainConfig; problems: PathProblem[] } {
  const reserved = reservedKeys(data, []);
  if (reserved.length > 0) return { problems: reserved };
  const parsed = PowertrainConfig.safeParse(data);
  if (!parsed.success)
    return { problems: parsed.error.issues.flatMap((i) => issueToProblems(i, PowertrainConfig, data)) };
  return { config: parsed.data, problems: checkConfig(parsed.data) };
}

/** Every `__proto__`, `constructor` or `prototype` key, at any depth: refused, not silently dropped. */
function reservedKeys(value: unknown, path: (string | number)[]): PathProblem[] {
  if (typeof value !== "object" || value === null) return [];
  const problems: PathProblem[] = [];
  for (const key of Object.keys(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (RESERVED_KEYS.has(key))
      problems.push({ path: at, message: `"${key}" is a reserved name`, atKey: true });
    else problems.push(...reservedKeys((value as Record<string, unknown>)[key], at));
  }
  return problems;
}

/** One environment of a baked config, with the `${NAME}` references it needs. */
export interface ResolvedBaked {
  config: ResolvedEnvironment;
  environments: string[];
  references: string[];
}

/** Resolve `environment` ("default" is the top-level run configuration) of the config in `image`. */
export function resolveBaked(config: PowertrainConfig, environment: string, image: string): ResolvedBaked {
  const environments = listEnvironments(config);
  if (environment !== DEFAULT_ENVIRONMENT && !environments.includes(environment)) {
    const suggestion = didYouMean(environment, environments);
    const known = environments.length > 0 ? `known: ${environments.join(", ")}` : "it defines none";
    throw new ExtractError(
      "unknown-environment",
      `image ${image} has no environment "${environment}" (${known})${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
    );
  }
  let resolved: ResolvedEnvironment;
  try {
    resolved = resolveEnvironment(config, environment, `config of ${image}`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const first = err.problems[0];
    throw new ExtractError(
      "invalid-config",
      `environment "${environment}" of image ${image} cannot be resolved: ${first?.path ? `${first.path}: ` : ""}${first?.message ?? err.message}`,
      { cause: err },
    );
  }
  let references: string[];
  try {
    references = listReferences(resolved);
  } catch (err) {
    throw new ExtractError(
      "invalid-config",
      `environment "${environment}" of image ${image}: ${(err as Error).message}`,
    );
  }
  return { config: resolved, environments, references };
}
