/**
 * What the host-facing commands (deploy, rollback, ps, logs, stop, promote-canary, abort-canary)
 * share: the options that name the environment and its hosts, the environment they load, and
 * the engine request made of them.
 */

import { existsSync } from "node:fs";
import {
  type DeployEnvironment,
  type DeployEnvironments,
  deployReferenceSource,
  type EngineRequest,
  engineFor,
  loadDeployEnvironments,
  parseEnvFrom,
  parseHostSpec,
  pullCredentialsFor,
  type RegistryAuth,
  registryOf,
  type SshSessionOptions,
  type SshTarget,
  UsageError,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "./context";

export interface TargetFlags {
  env: string;
  config?: string;
  resolved?: string;
  hosts?: string;
  sshKey?: string;
  knownHosts?: string;
  insecureIgnoreHostKey?: boolean;
  envFrom?: string;
  json?: boolean;
}

/** The options every host-facing command takes. */
export function targetOptions(cmd: Command): Command {
  return cmd
    .requiredOption("-e, --env <name>", "environment to act on")
    .option("-c, --config <file>", "powertrain.yml to read the environment from", "powertrain.yml")
    .option(
      "--resolved <file>",
      "the image's resolved environment (extract-config --out): its run configuration, on the hosts of --config when that file exists",
    )
    .option("--hosts <list>", "comma-separated [user@]host[:port] instead of the environment's hosts")
    .option("--ssh-key <file>", "private key (ssh-agent is used too when SSH_AUTH_SOCK is set)")
    .option("--known-hosts <file>", "known_hosts to verify host keys against (default ~/.ssh/known_hosts)")
    .option("--insecure-ignore-host-key", "do not verify host keys (dangerous; warns)")
    .option(
      "--env-from <names>",
      "with --resolved: the variables the image's ${NAME} references may read (names or PREFIX_*, comma-separated)",
    )
    .option("--json", "print the result as JSON on stdout");
}

/** The environment named by the flags, validated, with --hosts applied. */
export async function loadTargetEnvironment(flags: TargetFlags): Promise<DeployEnvironment> {
  return (await loadTarget(flags)).environment;
}

/**
 * The environment and where it came from. With --resolved (the image's config), a powertrain.yml
 * at --config — the deploy side's own checkout, when there is one — decides the hosts, router,
 * engine and verify policy.
 */
export async function loadTarget(flags: TargetFlags): Promise<DeployEnvironments> {
  const configFile =
    flags.resolved === undefined || (flags.config !== undefined && existsSync(flags.config))
      ? flags.config
      : undefined;
  const loaded = await loadDeployEnvironments({
    environment: flags.env,
    resolved: flags.resolved,
    configFile,
  });
  const env = loaded.environment;
  const hosts = flags.hosts ? parseHosts(flags.hosts) : env.hosts;
  // A Swarm environment without hosts is driven through the local docker CLI.
  if (hosts.length === 0 && engineFor(env).name !== "swarm") {
    throw new UsageError(`environment "${flags.env}" has no hosts`, {
      hint: "list them under hosts: or pass --hosts",
    });
  }
  return { ...loaded, environment: { ...env, hosts } };
}

/**
 * The engine request of the flags. ${NAME} references resolve from this process's environment:
 * all those a --config (the deploy side's own file) names, only the --env-from ones for a
 * --resolved document (the image's config); runner secrets never.
 */
export function engineRequest(
  flags: TargetFlags,
  environment: DeployEnvironment,
  ctx: CliContext,
  extra: Partial<EngineRequest> = {},
): EngineRequest {
  const envSource = deployReferenceSource({
    env: environment.run.env,
    deploySideConfig: flags.resolved === undefined,
    envFrom: parseEnvFrom(flags.envFrom, "--env-from"),
    source: process.env,
    logger: ctx.logger,
  });
  return { environment, envSource, ssh: sshOptions(flags), logger: ctx.logger, ...extra };
}

export function parseHosts(list: string): SshTarget[] {
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(parseHostSpec);
}

export function sshOptions(flags: TargetFlags): SshSessionOptions {
  return {
    identityFile: flags.sshKey,
    knownHostsFile: flags.knownHosts,
    insecureIgnoreHostKey: flags.insecureIgnoreHostKey,
  };
}

/**
 * The hosts' pull credentials (POWERTRAIN_REGISTRY_AUTHS, POWERTRAIN_REGISTRY_USER/PASSWORD for the
 * configured registry): for the image's registry — or, for a rollback, the configured one — only.
 * The runner's own docker logins stay on the runner.
 */
export function registryAuthFor(
  environment: DeployEnvironment,
  image?: string,
): Promise<RegistryAuth | undefined> {
  const registry = image ? registryOf(image) : environment.image?.registry;
  if (!registry) return Promise.resolve(undefined);
  return pullCredentialsFor(registry, {
    configuredRegistry: environment.image?.registry,
    dockerConfig: false,
  });
}

export function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag}: expected a whole number ≥ 1, got "${value}"`);
  return Number(value);
}
