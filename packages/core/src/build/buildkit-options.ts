/**
 * build.cache, build.secrets and build.ssh (with the action's and the CLI's additions) turned
 * into what `docker buildx build` takes. Pure. Secret values never become arguments: a value
 * given directly (the action's `secrets` input) travels in a variable of the docker client's
 * own environment, named in `--secret id=…,env=…`; files and variables are named, not read.
 */
import { isAbsolute, resolve } from "node:path";
import type { BuildCache, BuildSecret, PowertrainConfig } from "../config/schema";
import { ConfigError, UsageError } from "../errors";

/** A secret as the action or CLI hands it over: by value, variable or file. */
export type SecretSource = BuildSecret | { id: string; value: string };

export interface BuildKitInputs {
  cacheFrom: string[];
  cacheTo: string[];
  /** `--secret` values. */
  secrets: string[];
  /** Variables for the docker client holding the values of by-value secrets (kept off the plan's command lines). */
  secretEnv: Record<string, string>;
  /** `--ssh` values. */
  ssh: string[];
  warnings: string[];
}

export interface BuildKitRequest {
  cacheFrom?: readonly string[];
  cacheTo?: readonly string[];
  secrets?: readonly SecretSource[];
  ssh?: readonly string[];
}

/** The shorthand's cache image: `<registry>/<repository>:buildcache`. */
export function registryCacheRef(config: PowertrainConfig, configFile: string, path: string): string {
  const registry = config.image?.registry;
  if (!registry) {
    throw new ConfigError(configFile, [
      { path, message: 'the "registry" cache needs image.registry (where the cache image is pushed)' },
    ]);
  }
  return `${registry}/${config.image?.repository ?? config.name}:buildcache`;
}

/** `registry` → the cache image; anything else is buildx syntax, passed on as it is. */
function expandCache(specs: readonly string[], ref: () => string, exportMode: boolean): string[] {
  return specs.map((s) =>
    s === "registry" ? `type=registry,ref=${ref()}${exportMode ? ",mode=max" : ""}` : s,
  );
}

function cacheLists(cache: BuildCache | undefined): { from: string[]; to: string[] } {
  if (cache === undefined) return { from: [], to: [] };
  if (cache === "registry") return { from: ["registry"], to: ["registry"] };
  return { from: cache.from ?? [], to: cache.to ?? [] };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function buildKitInputs(
  config: PowertrainConfig,
  configFile: string,
  configDir: string,
  request: BuildKitRequest,
  env: NodeJS.ProcessEnv,
): BuildKitInputs {
  const settings = config.build ?? {};
  const lists = cacheLists(settings.cache);
  const ref = () => registryCacheRef(config, configFile, "build.cache");
  const unique = (xs: string[]) => [...new Set(xs)];
  const warnings: string[] = [];
  const secretEnv: Record<string, string> = {};
  const secrets: string[] = [];
  const seen = new Set<string>();
  const all: [SecretSource, string][] = [
    ...(settings.secrets ?? []).map((s, i): [SecretSource, string] => [s, `build.secrets[${i}]`]),
    ...(request.secrets ?? []).map((s): [SecretSource, string] => [s, `secret ${s.id}`]),
  ];
  for (const [secret, where] of all) {
    if (!/^[A-Za-z0-9._-]+$/.test(secret.id))
      throw new UsageError(`${where}: "${secret.id}" is not a secret id`);
    // A later source of the same id (an action input) replaces the config's.
    if (seen.has(secret.id))
      secrets.splice(
        secrets.findIndex((s) => s.startsWith(`id=${secret.id},`)),
        1,
      );
    seen.add(secret.id);
    if ("value" in secret) {
      const name = `POWERTRAIN_SECRET_${Object.keys(secretEnv).length}`;
      secretEnv[name] = secret.value;
      secrets.push(`id=${secret.id},env=${name}`);
    } else if ("env" in secret) {
      if (!ENV_NAME.test(secret.env))
        throw new UsageError(`${where}: "${secret.env}" is not a variable name`);
      if (env[secret.env] === undefined)
        warnings.push(
          `${where}: variable ${secret.env} is not set; secret ${secret.id} is empty in the build`,
        );
      secrets.push(`id=${secret.id},env=${secret.env}`);
    } else {
      const file = isAbsolute(secret.file) ? secret.file : resolve(configDir, secret.file);
      if (file.includes(","))
        throw new UsageError(`${where}: the file path ${file} holds a comma, which buildx cannot take`);
      secrets.push(`id=${secret.id},src=${file}`);
    }
  }
  return {
    cacheFrom: unique(expandCache([...lists.from, ...(request.cacheFrom ?? [])], ref, false)),
    cacheTo: unique(expandCache([...lists.to, ...(request.cacheTo ?? [])], ref, true)),
    secrets,
    secretEnv,
    ssh: unique([...(settings.ssh ?? []), ...(request.ssh ?? [])]),
    warnings,
  };
}

/**
 * `id=value` lines (the action's `secrets`, `secret-envs`, `secret-files` inputs and the CLI's
 * flags) → secret sources. `kind` says what the part after `=` is.
 */
export function parseSecretLines(
  lines: readonly string[],
  kind: "value" | "env" | "file",
  what: string,
): SecretSource[] {
  return lines.map((line) => {
    const eq = line.indexOf("=");
    const id = line.slice(0, eq).trim();
    const rest = line.slice(eq + 1);
    if (eq <= 0 || !/^[A-Za-z0-9._-]+$/.test(id) || (kind !== "value" && !rest.trim())) {
      // Never echo the line: it may hold the value.
      throw new UsageError(
        `${what}: expected id=${kind === "value" ? "value" : kind === "env" ? "VARIABLE" : "path"} on each line`,
      );
    }
    if (kind === "value") return { id, value: rest };
    if (kind === "env") return { id, env: rest.trim() };
    return { id, file: rest.trim() };
  });
}
