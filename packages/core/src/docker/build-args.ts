/**
 * Build options → docker CLI arguments. Pure, so every combination is
 * table-tested; the options BuildKit alone understands are dropped with a
 * warning under the classic builder instead of failing the build.
 */
import { type Builder, canExportCache, isBuildKit } from "./builder";

export interface ImageBuildOptions {
  /** Build context directory. */
  context: string;
  /** Dockerfile path (default: Dockerfile in the context). */
  dockerfile?: string;
  /** Tags to give the image, e.g. `app:local`. */
  tags?: readonly string[];
  /** Stage to build. */
  target?: string;
  /** `--build-arg` values. */
  buildArgs?: Readonly<Record<string, string>>;
  /** Labels added to the image. */
  labels?: Readonly<Record<string, string>>;
  /** Cache sources (BuildKit only), e.g. `type=registry,ref=…`. */
  cacheFrom?: readonly string[];
  /** Cache exports (BuildKit only), e.g. `type=registry,ref=…,mode=max`. */
  cacheTo?: readonly string[];
  /**
   * Build secrets (BuildKit only), as `--secret` takes them: `id=npm,src=/path` or
   * `id=token,env=TOKEN` — names of files and variables, never the values.
   */
  secrets?: readonly string[];
  /** SSH agent sockets or keys forwarded to the build (BuildKit only): `default`, `id=path`. */
  ssh?: readonly string[];
  /** `--platform`: one for a loaded image, several for an index (pushed, never loaded). */
  platforms?: readonly string[];
  /** Push the result from the builder (`--push`) instead of loading it into the daemon. */
  push?: boolean;
  /** File buildx writes the result's digest to (`containerimage.digest`). */
  metadataFile?: string;
  /** Attestations for a pushed result: `--provenance=mode=…`, `--sbom=true`. */
  attestations?: { provenance?: "min" | "max" | "off"; sbom?: boolean };
  /** Ignore the build cache. */
  noCache?: boolean;
  /** File the image ID is written to. */
  iidFile?: string;
}

export interface DockerCommand {
  /** Arguments after `docker`. */
  args: string[];
  /** Environment for the docker client (selects the builder). */
  env: Record<string, string>;
  /** Options that were asked for but the builder cannot honour. */
  warnings: string[];
}

export function buildCommand(options: ImageBuildOptions, builder: Builder): DockerCommand {
  const warnings: string[] = [];
  const buildkit = isBuildKit(builder);
  const args =
    builder.kind === "buildx"
      ? [
          "buildx",
          "build",
          ...(builder.name ? ["--builder", builder.name] : []),
          options.push ? "--push" : "--load",
        ]
      : ["build"];
  if (options.platforms?.length) args.push("--platform", options.platforms.join(","));
  if (buildkit) args.push("--progress=plain");
  // The classic builder keeps the container of a failed step (a failing test stage) unless told not to.
  else args.push("--force-rm");
  if (options.dockerfile) args.push("--file", options.dockerfile);
  for (const tag of options.tags ?? []) args.push("--tag", tag);
  if (options.target) args.push("--target", options.target);
  for (const [name, value] of Object.entries(options.buildArgs ?? {}))
    args.push("--build-arg", `${name}=${value}`);
  for (const [name, value] of Object.entries(options.labels ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    args.push("--label", `${name}=${value}`);
  }
  const cacheTo = (options.cacheTo ?? []).filter((to) => {
    if (!buildkit || canExportCache(builder) || /^type=inline\b/.test(to)) return true;
    warnings.push(
      `--cache-to ${cacheType(to)}: the docker driver of buildx exports only inline cache; ` +
        "use a builder of its own (docker buildx create --driver docker-container); ignored",
    );
    return false;
  });
  const buildKitOnly: [string, readonly string[] | undefined, string][] = [
    ["--cache-from", options.cacheFrom, "the layer cache"],
    ["--cache-to", cacheTo, "cache export"],
    ["--secret", options.secrets, "build secrets"],
    ["--ssh", options.ssh, "SSH forwarding"],
  ];
  for (const [flag, values, what] of buildKitOnly) {
    if (!values?.length) continue;
    if (buildkit) for (const v of values) args.push(flag, v);
    else
      warnings.push(
        `${flag}: ${what} needs BuildKit (install docker buildx or set DOCKER_BUILDKIT=1); ignored`,
      );
  }
  if (options.push) {
    const { provenance = "off", sbom = false } = options.attestations ?? {};
    // Off unless asked: buildx would otherwise attach a provenance manifest to every push.
    args.push(provenance === "off" ? "--provenance=false" : `--provenance=mode=${provenance}`);
    args.push(`--sbom=${sbom}`);
  }
  if (options.noCache) args.push("--no-cache");
  if (options.iidFile) args.push("--iidfile", options.iidFile);
  if (options.metadataFile) args.push("--metadata-file", options.metadataFile);
  args.push(options.context);
  const env = { DOCKER_BUILDKIT: buildkit ? "1" : "0" };
  return { args, env, warnings };
}

/** `type=registry` out of `type=registry,ref=…`, for messages. */
function cacheType(spec: string): string {
  return /^type=[^,]+/.exec(spec)?.[0] ?? spec;
}

/** How many build steps were served from the cache, from the build log. */
export function countCachedSteps(log: string): number {
  // Classic builder: " ---> Using cache"; BuildKit: "#7 CACHED".
  return (log.match(/^\s*---> Using cache$|^#\d+ CACHED$/gm) ?? []).length;
}

/**
 * A one-step Dockerfile that adds `labels` to image `from`. The classic
 * builder turns every `--label` into a LABEL step of its own (one container
 * commit each, and a changing label such as the build time invalidates all
 * after it); building this from stdin adds them all in one step instead.
 */
export function labelDockerfile(from: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${dockerfileString(k)}=${dockerfileString(v)}`);
  if (pairs.length === 0) return `FROM ${from}\n`;
  return `FROM ${from}\nLABEL ${pairs.join(" \\\n      ")}\n`;
}

/** A double-quoted Dockerfile word: \, " and $ escaped; line breaks (which a label cannot hold here) become spaces. */
export function dockerfileString(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ")}"`;
}
