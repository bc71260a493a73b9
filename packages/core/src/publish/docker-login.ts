/**
 * A docker login of its own: credentials go into a temporary DOCKER_CONFIG
 * directory (never the user's), through `--password-stdin` (never argv), and
 * the directory is removed afterwards — by the caller's `dispose`, or by the
 * action's post step when the job is cancelled in between.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../exec/exec";
import type { Logger } from "../log";
import type { Credentials } from "../registry/credentials";
import { RegistryError } from "../registry/errors";
import { classifyPushError } from "./push-errors";

export interface DockerLogin {
  /** The DOCKER_CONFIG directory holding the login. */
  configDir: string;
  dispose(): Promise<void>;
}

export async function dockerLogin(
  registry: string,
  credentials: Credentials,
  logger: Logger,
  parentDir: string = tmpdir(),
): Promise<DockerLogin> {
  logger.mask(credentials.password);
  const configDir = await mkdtemp(join(parentDir, "powertrain-docker-config-"));
  const dispose = () => removeDockerConfig(configDir);
  const result = await exec(
    "docker",
    ["login", "--username", credentials.username, "--password-stdin", registry],
    {
      input: credentials.password,
      env: { DOCKER_CONFIG: configDir },
      secrets: [credentials.password],
      allowFailure: true,
      logger,
    },
  );
  if (result.exitCode !== 0) {
    await dispose();
    const auth = classifyPushError(result.stderr) === "auth";
    throw new RegistryError(
      auth
        ? `authentication failed for ${credentials.username} at ${registry}`
        : `docker login to ${registry} as ${credentials.username} failed: ${result.stderr.trim().split("\n").pop()}`,
      { kind: auth ? "auth" : "network", registry, user: credentials.username },
    );
  }
  logger.debug(`logged in to ${registry} as ${credentials.username} in a temporary docker config`);
  return { configDir, dispose };
}

/** Remove a temporary docker config; safe to call twice. */
export async function removeDockerConfig(configDir: string): Promise<void> {
  await rm(configDir, { recursive: true, force: true });
}
