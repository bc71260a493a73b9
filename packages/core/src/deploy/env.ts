/**
 * Env values on their way to the containers. `${NAME}` references are
 * resolved by the config package's substituteReferences (missing names listed
 * in one error); values then travel on stdin, never on a command line.
 */
import { isPublicReference, RefusedReferenceError, refusedReason } from "../config/reference-policy";
import { listReferences, substituteReferences } from "../config/references";
import { ENV_NAME } from "../config/resolved";
import { UsageError } from "../errors";
import { shellQuote } from "../exec/quote";
import type { Logger } from "../log";

/**
 * `${NAME}` → the value in `source`; every missing name in one error. The
 * config itself holds no secrets (it is baked into the image), so secrets
 * arrive only through references: each referenced value is masked in every
 * log line from here on, except POWERTRAIN_VERSION, _IMAGE and _ENVIRONMENT.
 * `source` should already be narrowed to what the deploy side allows
 * (allowReferences of config/reference-policy); runner tokens, action inputs,
 * ssh settings and registry credentials are refused here whatever it holds.
 */
export function resolveEnvReferences(
  env: Record<string, string>,
  source: Record<string, string | undefined>,
  logger?: Logger,
): Record<string, string> {
  const names = listReferences(env);
  const never = names.flatMap((name) => {
    const why = refusedReason(name);
    return why ? [{ name, why: `never allowed: ${why}` }] : [];
  });
  if (never.length > 0) throw new RefusedReferenceError(never);
  const resolved = substituteReferences(env, source);
  for (const name of names) {
    const secret = Object.hasOwn(source, name) ? source[name] : undefined;
    if (secret && !isPublicReference(name)) logger?.mask(secret);
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

/** Names the docker client itself reads: never exported to it (see envPayload, swarm/manager.ts). */
export const CLIENT_VARIABLES = /^(PATH|HOME|DOCKER_\w*)$/;

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
    // The names become shell text here (`export NAME=…`, run by eval on the host): checked here,
    // whatever validated them before.
    if (!ENV_NAME.test(name)) throw new UsageError(`env: "${name}" is not a valid variable name`);
    if (needsClientEnv(value)) {
      // Exported to the docker client, these would change the client itself (where docker is, which daemon).
      if (CLIENT_VARIABLES.test(name)) {
        throw new UsageError(
          `env: ${name} cannot hold a line break: it would be set in the docker client's own environment`,
        );
      }
      exports.push(`export ${name}=${shellQuote(value)}`);
    } else fileLines.push(`${name}=${value}`);
  }
  const file = fileLines.map((l) => `${l}\n`).join("");
  return [`__pt_envfile=${shellQuote(file)}`, ...exports].join("\n") + "\n";
}
