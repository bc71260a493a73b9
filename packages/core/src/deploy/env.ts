/**
 * Env values on their way to the containers. `${NAME}` references are
 * resolved by the config package's substituteReferences (missing names listed
 * in one error); values then travel on stdin, never on a command line.
 */
import { findReferences, substituteReferences } from "../config/references";
import { shellQuote } from "../exec/quote";
import type { Logger } from "../log";

/** Variables that carry public build metadata, never secrets: their values stay readable in logs. */
const PUBLIC_VARIABLES = /^(POWERTRAIN|GITHUB|RUNNER|CI)_/;

/**
 * `${NAME}` → the deploy step's environment value; every missing name in one
 * error. The config itself holds no secrets (it is baked into the image), so
 * secrets arrive only through references: each referenced value is masked
 * in every log line from here on, except powertrain's and the CI's own metadata.
 */
export function resolveEnvReferences(
  env: Record<string, string>,
  source: Record<string, string | undefined>,
  logger?: Logger,
): Record<string, string> {
  const resolved = substituteReferences(env, source);
  for (const value of Object.values(env)) {
    for (const name of findReferences(value)) {
      const secret = source[name];
      if (secret && !PUBLIC_VARIABLES.test(name)) logger?.mask(secret);
    }
  }
  return resolved;
}

/**
 * The run configuration for starting `version`: references resolved now, with
 * ${POWERTRAIN_VERSION} = that version unless the source sets it; unchanged
 * when the request carries no reference source (already resolved).
 */
export function runFor<R extends { env: Record<string, string> }>(
  run: R,
  version: string,
  req: { referenceSource?: Record<string, string | undefined>; logger?: Logger },
): R {
  if (!req.referenceSource) return run;
  const source = { POWERTRAIN_VERSION: version, ...req.referenceSource };
  return { ...run, env: resolveEnvReferences(run.env, source, req.logger) };
}

/** Values docker's env-file format cannot carry (it splits lines and drops a trailing \\r). */
export function needsClientEnv(value: string): boolean {
  return /[\r\n]/.test(value);
}

/**
 * The shell text sent on stdin to the start script: it sets $__pt_envfile (the
 * env-file lines) and exports the values an env file cannot hold, which
 * `docker run -e NAME` then reads from the docker client's environment.
 */
export function envPayload(env: Record<string, string>): string {
  const fileLines: string[] = [];
  const exports: string[] = [];
  for (const name of Object.keys(env).sort()) {
    const value = env[name]!;
    if (needsClientEnv(value)) exports.push(`export ${name}=${shellQuote(value)}`);
    else fileLines.push(`${name}=${value}`);
  }
  const file = fileLines.map((l) => `${l}\n`).join("");
  return [`__pt_envfile=${shellQuote(file)}`, ...exports].join("\n") + "\n";
}
