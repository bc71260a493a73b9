/**
 * Which image builder a build uses. buildx (BuildKit as a CLI plugin) when it
 * is installed — with the builder it names: the daemon's own BuildKit (the
 * `docker` driver, results land in the image store) or a builder of its own
 * (`docker-container`, `remote`, `kubernetes`: its own cache, base images only
 * from a registry, results must be `--load`ed), as setup-buildx makes on
 * hosted runners; BuildKit built into the client when DOCKER_BUILDKIT=1 asks
 * for it; the classic builder otherwise. DOCKER_BUILDKIT=0 always wins, as it
 * does for docker itself.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import { docker } from "./docker";

export type BuilderKind = "classic" | "buildkit" | "buildx";

export interface Builder {
  kind: BuilderKind;
  /** The buildx builder (`--builder`); undefined: buildx's current one. */
  name?: string;
  /** The buildx driver: `docker`, `docker-container`, `remote`, `kubernetes`… */
  driver?: string;
  /** Platforms the builder's nodes build for, as `docker buildx inspect` lists them. */
  platforms?: string[];
}

export const CLASSIC: Builder = { kind: "classic" };

/** True when the builder understands cache-from/cache-to, secrets and skips unused stages. */
export function isBuildKit(builder: Builder): boolean {
  return builder.kind !== "classic";
}

/**
 * True when the builder keeps its results to itself: they reach the image store only through
 * `--load`, and the base images it reads come from a registry, never from the image store.
 */
export function hasOwnStore(builder: Builder): boolean {
  return builder.kind === "buildx" && builder.driver !== undefined && builder.driver !== "docker";
}

/** True when the builder can export the build cache (`--cache-to`): the docker driver cannot. */
export function canExportCache(builder: Builder): boolean {
  return hasOwnStore(builder);
}

/** Pure choice from the environment and whether `docker buildx version` answered. */
export function chooseBuilder(dockerBuildkit: string | undefined, buildxAvailable: boolean): BuilderKind {
  const flag = dockerBuildkit?.trim().toLowerCase();
  if (flag === "0" || flag === "false") return "classic";
  if (buildxAvailable) return "buildx";
  if (flag === "1" || flag === "true") return "buildkit";
  return "classic";
}

export interface BuildxInspect {
  name?: string;
  driver?: string;
  /** Status of the first node (`running`, `inactive`…). */
  status?: string;
  buildkitVersion?: string;
  platforms: string[];
}

/** Reads `docker buildx inspect` output (the builder's and its nodes' `Key: value` lines). */
export function parseBuildxInspect(text: string): BuildxInspect {
  const out: BuildxInspect = { platforms: [] };
  for (const raw of text.split("\n")) {
    const m = /^([A-Za-z][A-Za-z ]*?):\s+(.*)$/.exec(raw.trim());
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === "Name" && out.name === undefined) out.name = value;
    else if (key === "Driver" && out.driver === undefined) out.driver = value;
    else if (key === "Status" && out.status === undefined) out.status = value;
    else if (key === "BuildKit version" || key === "Buildkit") out.buildkitVersion ??= value;
    else if (key === "Platforms" && out.platforms.length === 0)
      out.platforms = value
        .split(",")
        .map((p) => p.trim().replace(/\*$/, ""))
        .filter(Boolean);
  }
  return out;
}

export interface DetectOptions {
  /** The buildx builder to use (default: BUILDX_BUILDER, else buildx's current builder). */
  name?: string;
  /** Environment for the docker client (a DOCKER_CONFIG, BUILDX_CONFIG). */
  dockerEnv?: Record<string, string>;
}

/** Ask docker which builder is available and, for buildx, what the named or current one is. */
export async function detectBuilder(
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  options: DetectOptions = {},
): Promise<Builder> {
  const name = options.name || env.BUILDX_BUILDER || undefined;
  const buildx = await docker(["buildx", "version"], {
    allowFailure: true,
    logger,
    env: options.dockerEnv,
  });
  const kind = chooseBuilder(env.DOCKER_BUILDKIT, buildx.exitCode === 0);
  if (kind !== "buildx") {
    if (name) logger.warn(`builder ${name} needs docker buildx, which is not installed; building without it`);
    logger.debug(`image builder: ${kind}`);
    return { kind };
  }
  const inspect = await docker(["buildx", "inspect", ...(name ? [name] : []), "--bootstrap"], {
    allowFailure: true,
    logger,
    env: options.dockerEnv,
  });
  if (inspect.exitCode !== 0) {
    const why = inspect.stderr.trim().split("\n").pop() ?? "";
    throw new UsageError(`docker buildx cannot use builder ${name ?? "(its current one)"}: ${why}`, {
      hint: "list the builders with `docker buildx ls`",
    });
  }
  const info = parseBuildxInspect(inspect.stdout);
  const builder: Builder = { kind, name: name ?? info.name, driver: info.driver, platforms: info.platforms };
  logger.debug(`image builder: buildx ${builder.name ?? ""} (driver ${builder.driver ?? "?"})`);
  return builder;
}

/** A builder in a few words, for logs and outputs: `classic`, `buildx docker`, `buildx remote (name)`. */
export function describeBuilder(builder: Builder): string {
  if (builder.kind !== "buildx") return builder.kind;
  return `buildx ${builder.driver ?? ""}${builder.name ? ` (${builder.name})` : ""}`.trim();
}
