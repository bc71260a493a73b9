/**
 * Registry credentials: given explicitly, from POWERTRAIN_REGISTRY_USER /
 * POWERTRAIN_REGISTRY_PASSWORD, or from the user's docker login
 * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, `auths` entries
 * holding base64 `user:password`). Credential helpers are not consulted.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Credentials {
  username: string;
  password: string;
}

/** Credentials from the environment, when both variables are set. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const username = env.POWERTRAIN_REGISTRY_USER;
  const password = env.POWERTRAIN_REGISTRY_PASSWORD;
  return username && password ? { username, password } : undefined;
}

/** The docker login for `registry` from a docker config directory, if there is one. */
export async function credentialsFromDockerConfig(
  registry: string,
  configDir: string = process.env.DOCKER_CONFIG || join(homedir(), ".docker"),
): Promise<Credentials | undefined> {
  let auths: Record<string, { auth?: string; username?: string; password?: string }>;
  try {
    const json = JSON.parse(await readFile(join(configDir, "config.json"), "utf8")) as {
      auths?: typeof auths;
    };
    auths = json.auths ?? {};
  } catch {
    return undefined;
  }
  const keys =
    registry === "docker.io" ? ["https://index.docker.io/v1/", "docker.io", "index.docker.io"] : [registry];
  for (const [key, entry] of Object.entries(auths)) {
    const host = key.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    if (!keys.includes(key) && !keys.includes(host)) continue;
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    if (!entry.auth) continue;
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** Explicit credentials, else the environment, else the docker login; undefined means anonymous. */
export async function resolveCredentials(
  registry: string,
  explicit?: Credentials,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credentials | undefined> {
  return (
    explicit ??
    credentialsFromEnv(env) ??
    (await credentialsFromDockerConfig(registry, env.DOCKER_CONFIG || undefined))
  );
}
