/**
 * Every docker call goes through `docker()`: the core exec wrapper with the
 * docker binary, so arguments stay a list and secrets stay off argv.
 */
import { type ExecOptions, type ExecResult, exec } from "../exec/exec";

/** The docker client to run; POWERTRAIN_DOCKER overrides it (a wrapper script, another path). */
export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.POWERTRAIN_DOCKER || "docker";
}

/** Run `docker ...args`; throws ExecError on a non-zero exit unless `allowFailure`. */
export function docker(args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return exec(dockerBinary(), args, options);
}
