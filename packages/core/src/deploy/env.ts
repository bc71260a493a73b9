/**
 * Env values on their way to the containers. `${NAME}` references are
 * resolved by the config package's substituteReferences (missing names listed
 * in one error); values then travel on stdin, never on a command line.
 */
import { substituteReferences } from "../config/references";
import { shellQuote } from "../exec/quote";

/** `${NAME}` → the deploy step's environment value; every missing name in one error. */
export function resolveEnvReferences(
  env: Record<string, string>,
  source: Record<string, string | undefined>,
): Record<string, string> {
  return substituteReferences(env, source);
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
