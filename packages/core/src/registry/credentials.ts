/**
 * Which credential goes to which registry. Every credential belongs to one
 * registry host and is only ever handed out for that host. Looked up in
 * order, the first that has one for the host wins:
 *
 * 1. explicit — an input or flag, for the registry it was given with;
 * 2. the per-registry list — `registry-auths` (input, `--registry-auths`
 *    file) and POWERTRAIN_REGISTRY_AUTHS;
 * 3. the environment — POWERTRAIN_REGISTRY_USER / POWERTRAIN_REGISTRY_PASSWORD,
 *    only for the configured registry (POWERTRAIN_REGISTRY, else the config's
 *    image.registry or an explicit registry) — never for a registry an image names;
 * 4. docker's config.json `auths` (password or identity token);
 * 5. its `credHelpers` / `credsStore` (docker-credential-* helpers).
 *
 * Nothing found means anonymous.
 */
import { type Logger, silentLogger } from "../log";
import { defaultDockerConfigDir, dockerConfigCredentials } from "./docker-config";
import { parseRegistryAuths, type RegistryCredentialEntry } from "./registry-auths";
import { normalizeRegistryHost, sameRegistry } from "./registry-host";

export interface Credentials {
  username: string;
  /** The password, token — or, with `identityToken`, the OAuth2 refresh token. */
  password: string;
  /** `password` is an identity token (docker's `identitytoken`): traded at the realm with the refresh-token grant. */
  identityToken?: boolean;
}

export interface CredentialSources {
  /** Credentials given explicitly (an input, a flag) and the registry they were given for. */
  explicit?: { registry: string; credentials: Credentials };
  /** A per-registry list (`registry-auths`); POWERTRAIN_REGISTRY_AUTHS from `env` is added after it. */
  registryAuths?: readonly RegistryCredentialEntry[];
  /**
   * The registry POWERTRAIN_REGISTRY_USER/PASSWORD belong to when POWERTRAIN_REGISTRY
   * does not say: the config's image.registry or an explicit registry input.
   */
  configuredRegistry?: string;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Docker config directory (default $DOCKER_CONFIG, else ~/.docker); `false` skips docker's logins. */
  dockerConfig?: string | false;
  logger?: Logger;
}

export interface ResolvedCredentials {
  credentials: Credentials;
  /** Where they came from, for logs: "explicit", "registry-auths", "POWERTRAIN_REGISTRY_USER", a file, a helper. */
  source: string;
}

/**
 * The credential for `registry` from `sources`, and where it came from;
 * undefined (anonymous) when no source has one *for this host*.
 */
export async function registryCredentialsFor(
  registry: string,
  sources: CredentialSources = {},
): Promise<ResolvedCredentials | undefined> {
  const env = sources.env ?? process.env;
  const logger = sources.logger ?? silentLogger;
  const host = normalizeRegistryHost(registry);
  if (sources.explicit && sameRegistry(sources.explicit.registry, host)) {
    return { credentials: sources.explicit.credentials, source: "explicit" };
  }
  const listed = [...(sources.registryAuths ?? []), ...envRegistryAuths(env)].find(
    (a) => a.registry === host,
  );
  if (listed) return { credentials: listed.credentials, source: "registry-auths" };
  const fromEnv = credentialsFromEnv(env);
  const home = env.POWERTRAIN_REGISTRY || sources.configuredRegistry;
  if (fromEnv && home && sameRegistry(home, host)) {
    return { credentials: fromEnv, source: "POWERTRAIN_REGISTRY_USER/PASSWORD" };
  }
  if (fromEnv && home) {
    logger.debug(`POWERTRAIN_REGISTRY_USER belongs to ${home}, not to ${host}: not used for ${host}`);
  }
  if (sources.dockerConfig === false) return undefined;
  return dockerConfigCredentials(host, sources.dockerConfig ?? defaultDockerConfigDir(env), logger);
}

/** POWERTRAIN_REGISTRY_AUTHS: the per-registry list as a variable (a secret holding YAML or JSON). */
function envRegistryAuths(env: NodeJS.ProcessEnv): RegistryCredentialEntry[] {
  const text = env.POWERTRAIN_REGISTRY_AUTHS;
  return text ? parseRegistryAuths(text, "POWERTRAIN_REGISTRY_AUTHS") : [];
}

/** POWERTRAIN_REGISTRY_USER / POWERTRAIN_REGISTRY_PASSWORD, when both are set (not bound to a host yet). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const username = env.POWERTRAIN_REGISTRY_USER;
  const password = env.POWERTRAIN_REGISTRY_PASSWORD;
  return username && password ? { username, password } : undefined;
}

/** The docker login for `registry` from a docker config directory (auths, then helpers). */
export async function credentialsFromDockerConfig(
  registry: string,
  configDir?: string,
  logger?: Logger,
): Promise<Credentials | undefined> {
  return (await dockerConfigCredentials(registry, configDir, logger))?.credentials;
}

/** Just the credentials of {@link registryCredentialsFor}; undefined means anonymous. */
export async function resolveCredentials(
  registry: string,
  sources: CredentialSources = {},
): Promise<Credentials | undefined> {
  const found = await registryCredentialsFor(registry, sources);
  if (found) sources.logger?.debug(`credentials for ${normalizeRegistryHost(registry)} from ${found.source}`);
  return found?.credentials;
}

/**
 * The credential a deploy host should pull `image` with: the same lookup, for
 * the image's own registry — so a host never receives a password that belongs
 * to another registry. An identity token cannot be handed to a host's
 * `docker pull`, so it yields nothing (the host then pulls with its own login).
 */
export async function pullCredentialsFor(
  registry: string,
  sources: CredentialSources = {},
): Promise<{ registry: string; username: string; password: string } | undefined> {
  const found = await registryCredentialsFor(registry, sources);
  if (!found || found.credentials.identityToken) return undefined;
  const { username, password } = found.credentials;
  return { registry: normalizeRegistryHost(registry), username, password };
}
