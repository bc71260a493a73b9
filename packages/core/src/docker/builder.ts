/**
 * Which image builder `docker build` will use. buildx (BuildKit as a CLI
 * plugin) when it is installed; BuildKit built into the client when
 * DOCKER_BUILDKIT=1 asks for it; the classic builder otherwise.
 * DOCKER_BUILDKIT=0 always wins, as it does for docker itself.
 */
import type { Logger } from "../log";
import { docker } from "./docker";

export type Builder = "classic" | "buildkit" | "buildx";

/** True when the builder understands cache-from/cache-to, secrets and skips unused stages. */
export function isBuildKit(builder: Builder): boolean {
  return builder !== "classic";
}

/** Pure choice from the environment and whether `docker buildx version` answered. */
export function chooseBuilder(dockerBuildkit: string | undefined, buildxAvailable: boolean): Builder {
  const flag = dockerBuildkit?.trim().toLowerCase();
  if (flag === "0" || flag === "false") return "classic";
  if (buildxAvailable) return "buildx";
  if (flag === "1" || flag === "true") return "buildkit";
  return "classic";
}

/** Ask docker which builder is available. */
export async function detectBuilder(logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Builder> {
  const buildx = await docker(["buildx", "version"], { allowFailure: true, logger });
  const builder = chooseBuilder(env.DOCKER_BUILDKIT, buildx.exitCode === 0);
  logger.debug(`image builder: ${builder}`);
  return builder;
}
