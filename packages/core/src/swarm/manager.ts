/**
 * Where `docker service …` runs: on a manager node over SSH (the first of
 * the environment's hosts that answers: managers share the cluster state), or
 * through the local docker CLI — its default endpoint, or a named context.
 */

import { dockerConfigJson } from "../deploy/executor";
import type { RegistryAuth } from "../deploy/types";
import { type ExecResult, exec } from "../exec/exec";
import { shellQuote } from "../exec/quote";
import type { Logger } from "../log";
import { SshError } from "../ssh/errors";
import { type RemoteRunOptions, SshSession, type SshSessionOptions } from "../ssh/session";
import { describeTarget, type SshTarget } from "../ssh/target";
import { CLIENT_VARIABLES } from "./spec";

/** What the engine needs of a manager: run an argument list there. */
export interface SwarmManager {
  readonly name: string;
  run(args: readonly string[], options?: RemoteRunOptions): Promise<ExecResult>;
}

/** The local docker CLI, optionally pointed at a named context. */
export class LocalDocker implements SwarmManager {
  readonly name: string;

  constructor(
    private readonly context: string | undefined,
    private readonly logger: Logger,
  ) {
    this.name = context ? `docker context ${context}` : "local docker";
  }

  async run(args: readonly string[], options: RemoteRunOptions = {}): Promise<ExecResult> {
    const [file, ...rest] = args;
    if (!file) throw new TypeError("a command needs at least one argument");
    return exec(file, rest, {
      input: options.input,
      allowFailure: options.allowFailure,
      stream: options.stream,
      secrets: options.secrets,
      logger: this.logger,
      env: this.context ? { DOCKER_CONTEXT: this.context } : undefined,
    });
  }
}

export interface ManagerChoice {
  hosts: SshTarget[];
  context?: string;
  ssh: SshSessionOptions;
  logger: Logger;
}

/** Run `fn` against a manager: a named context or no hosts → local CLI; else the first host that answers. */
export async function withManager<T>(o: ManagerChoice, fn: (m: SwarmManager) => Promise<T>): Promise<T> {
  if (o.context || o.hosts.length === 0) return fn(new LocalDocker(o.context, o.logger));
  const session = await SshSession.create({ ...o.ssh, logger: o.logger });
  try {
    let lastError: unknown;
    for (const target of o.hosts) {
      try {
        const manager = await session.connect(target);
        return await fn(manager);
      } catch (err) {
        // Only an unreachable manager makes us try the next one; any other failure is the answer.
        if (!(err instanceof SshError)) throw err;
        o.logger.warn(`manager ${describeTarget(target)} is not reachable: ${err.message}`);
        lastError = err;
      }
    }
    throw lastError;
  } finally {
    await session.close();
  }
}

/**
 * Runs "$@" (a docker command) with the env values from stdin exported to the docker client,
 * which copies each `--env NAME` from its own environment; registry credentials, when given,
 * live in a private DOCKER_CONFIG for the one command (`--with-registry-auth` sends them on).
 * docker is found before the values are exported, so an app variable named PATH cannot hide it.
 */
export const DOCKER_WITH_ENV = `
__pt_docker=$(command -v "$1") || { echo "$1: not found" >&2; exit 127; }
shift
eval "$(cat)"
if [ -n "\${__pt_auth:-}" ]; then
  __pt_dir=$(mktemp -d) || exit 1
  trap 'rm -rf "$__pt_dir"' EXIT
  (umask 077 && printf '%s' "$__pt_auth" > "$__pt_dir/config.json") || exit 1
  export DOCKER_CONFIG="$__pt_dir"
fi
unset __pt_auth
"$__pt_docker" "$@"
`;

/** The text DOCKER_WITH_ENV reads from stdin. */
export function swarmEnvPayload(env: Record<string, string>, auth?: RegistryAuth): string {
  const lines = auth ? [`__pt_auth=${shellQuote(dockerConfigJson(auth))}`] : [];
  for (const name of Object.keys(env).sort()) {
    if (!CLIENT_VARIABLES.test(name)) lines.push(`export ${name}=${shellQuote(env[name]!)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `docker <args>` on the manager with env values and credentials on stdin. */
export function dockerWithEnv(
  manager: SwarmManager,
  args: readonly string[],
  env: Record<string, string>,
  auth?: RegistryAuth,
): Promise<ExecResult> {
  const secrets = [...Object.values(env), ...(auth ? [auth.password] : [])].filter((v) => v.length >= 4);
  return manager.run(["sh", "-c", DOCKER_WITH_ENV, "sh", "docker", ...args], {
    input: swarmEnvPayload(env, auth),
    allowFailure: true,
    secrets,
  });
}
