/**
 * The logins `docker login` leaves behind, read the way docker reads them:
 * `auths` entries in `$DOCKER_CONFIG/config.json` (base64 `user:password`, or an
 * `identitytoken` — an OAuth2 refresh token the client trades at the realm),
 * then the registry's `credHelpers` entry, then `credsStore` — both through the
 * docker-credential-* protocol (`docker-credential-NAME get`, the server URL
 * on stdin, `{"Username","Secret"}` on stdout).
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { exec } from "../exec/exec";
import { type Logger, silentLogger } from "../log";
import type { Credentials } from "./credentials";
import { dockerServerUrl, normalizeRegistryHost } from "./registry-host";

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Username a credential helper answers when the secret is an identity token (docker's convention). */
const TOKEN_USERNAME = "<token>";

export function defaultDockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), ".docker");
}

/** The docker login for `registry`, with where it came from; undefined when docker has none. */
export async function dockerConfigCredentials(
  registry: string,
  configDir: string = defaultDockerConfigDir(),
  logger: Logger = silentLogger,
): Promise<{ credentials: Credentials; source: string } | undefined> {
  let config: DockerConfigFile;
  try {
    config = JSON.parse(await readFile(join(configDir, "config.json"), "utf8")) as DockerConfigFile;
  } catch {
    return undefined;
  }
  const host = normalizeRegistryHost(registry);
  const file = join(configDir, "config.json");
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (normalizeRegistryHost(key) !== host) continue;
    const credentials = fromAuthEntry(entry);
    if (credentials) return { credentials, source: `${file} auths` };
  }
  const helper =
    Object.entries(config.credHelpers ?? {}).find(([key]) => normalizeRegistryHost(key) === host)?.[1] ??
    config.credsStore;
  if (!helper) return undefined;
  const credentials = await fromHelper(helper, dockerServerUrl(registry), logger);
  return credentials ? { credentials, source: `docker-credential-${helper}` } : undefined;
}

function fromAuthEntry(entry: AuthEntry): Credentials | undefined {
  if (entry.identitytoken) {
    return { username: TOKEN_USERNAME, password: entry.identitytoken, identityToken: true };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}

/** `docker-credential-NAME get`; a helper that has nothing (or is missing) means no credentials, with a warning. */
async function fromHelper(name: string, serverUrl: string, logger: Logger): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    logger.warn(`docker config names the credential helper "${name}", which is not a valid helper name`);
    return undefined;
  }
  const program = `docker-credential-${name}`;
  let result: Awaited<ReturnType<typeof exec>>;
  try {
    result = await exec(program, ["get"], { input: serverUrl, allowFailure: true, logger });
  } catch (err) {
    logger.warn(`credential helper ${program}: ${(err as Error).message}`);
    return undefined;
  }
  if (result.exitCode !== 0) {
    // "credentials not found in native keychain" is the protocol's way of saying "none".
    if (!/not found/i.test(result.stdout + result.stderr)) {
      logger.warn(
        `credential helper ${program} failed for ${serverUrl}: ${(result.stderr || result.stdout).trim()}`,
      );
    }
    return undefined;
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    logger.warn(`credential helper ${program} answered something that is not JSON`);
    return undefined;
  }
  if (!answer.Secret) return undefined;
  logger.mask(answer.Secret);
  if (answer.Username === TOKEN_USERNAME || !answer.Username) {
    return { username: TOKEN_USERNAME, password: answer.Secret, identityToken: true };
  }
  return { username: answer.Username, password: answer.Secret };
}
