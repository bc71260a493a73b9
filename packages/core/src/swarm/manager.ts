/**
 * Where `docker service …` runs: on a manager node over SSH (the first of
 * the environment's hosts that answers: managers share the cluster state), or
 * through the local docker CLI — its default endpoint, or a named context.
 */

import { CLIENT_VARIABLES } from "../deploy/env";
import { dockerConfigJson } from "../deploy/pull";
import type { RegistryAuth } from "../deploy/types";
import { type ExecResult, exec } from "../exec/exec";
import { shellQuote } from "../exec/quote";
import type { Logger } from "../log";
import { runScript } from "../remote";
import { SshError } from "../ssh/errors";
import {
  COMMAND_TIMEOUT_MS,
  type RemoteRunOptions,
  SshSession,
  type SshSessionOptions,
} from "../ssh/session";
import { describeTarget, type SshTarget } from "../ssh/target";

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
    private readonly commandTimeoutMs = COMMAND_TIMEOUT_MS,
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
      onLine: options.onLine,
      timeoutMs: options.timeoutMs ?? this.commandTimeoutMs,
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
  if (o.context || o.hosts.length === 0)
    return fn(new LocalDocker(o.context, o.logger, o.ssh.commandTimeoutMs));
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

/** The text docker-with-env.sh reads from stdin. */
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
  return runScript(manager, "docker-with-env", ["docker", ...args], {
    input: swarmEnvPayload(env, auth),
    allowFailure: true,
    secrets,
  });
}
