/**
 * What a build will do, worked out before anything runs: paths, image names,
 * labels and the exact docker commands. `powertrain build --dry-run` prints
 * this plan; the pipeline executes it.
 */
import { dirname, relative, resolve } from "node:path";
import type { BuildSettings, PowertrainConfig } from "../config/schema";
import { parseSize } from "../config/units";
import { buildCommand, type DockerCommand, type ImageBuildOptions } from "../docker/build-args";
import { type Builder, hasOwnStore, isBuildKit } from "../docker/builder";
import { ConfigError, UsageError } from "../errors";
import type { CiMetadata } from "../version/ci";
import { type BuildKitRequest, buildKitInputs } from "./buildkit-options";
import { imageLabels } from "./labels";
import { DEFAULT_REPORTS_DIR } from "./test-stage";

export interface BuildRequest extends BuildKitRequest {
  /** powertrain.yml, already loaded. */
  configFile: string;
  config: PowertrainConfig;
  /** Overrides of powertrain.yml's build section; paths relative to `cwd`. */
  context?: string;
  dockerfile?: string;
  target?: string;
  /** The test stage; "" skips the tests even when powertrain.yml names one. */
  testTarget?: string;
  /** Extra build args, over those of powertrain.yml. */
  buildArgs?: Record<string, string>;
  /** Skip the test stage (`--no-tests`). */
  skipTests?: boolean;
  /** Local reference to tag the image with (default `<name>:local`, or `<name>:build-<N>` in CI). */
  image?: string;
  /** Build the first stage of this run without the cache (the stages after it still reuse its layers). */
  noCache?: boolean;
  /** The buildx builder to use (over build.builder). */
  builder?: string;
  /** Platforms of the published image (over build.platforms). */
  platforms?: string[];
  /** Where the builder pushes the multi-platform index (default `<registry>/<repository>:<image's tag>`). */
  push?: string;
  /** Directory paths are relative to, and docker runs in (the repository root). */
  cwd?: string;
}

export interface BuildPlan {
  builder: Builder;
  image: string;
  context: string;
  dockerfile?: string;
  labels: Record<string, string>;
  test?: { target: string; image: string; reportsDir: string; command: DockerCommand };
  final: DockerCommand;
  /**
   * Classic builder only: the final build leaves the labels out and this build
   * (`docker build -`, Dockerfile on stdin from `labelDockerfile`) adds them in
   * one step on top of the image whose ID the final build wrote to `baseIidFile`.
   */
  labelStep?: { command: DockerCommand; baseIidFile?: string };
  /**
   * With several platforms (or attestations): the index the builder pushes, after the test stage
   * and the local image (both of the runner's own platform, for the reports, checks and smoke test).
   */
  index?: { ref: string; platforms: string[]; command: DockerCommand; metadataFile?: string };
  settings: BuildSettings;
  /**
   * Variables the docker client gets on top of `env` for every build: the values of secrets
   * given by value. Never printed (a dry run shows the commands without them).
   */
  secretEnv: Record<string, string>;
  /** Bytes, from build.size-budget. */
  sizeBudget?: number;
  warnings: string[];
}

export function planBuild(
  request: BuildRequest,
  builder: Builder,
  ci: CiMetadata,
  created: Date,
  iidFile?: string,
  env: NodeJS.ProcessEnv = process.env,
): BuildPlan {
  const cwd = request.cwd ?? process.cwd();
  const settings = request.config.build ?? {};
  const configDir = dirname(resolve(cwd, request.configFile));
  const show = (abs: string) => relative(cwd, abs) || ".";
  const context = show(
    request.context ? resolve(cwd, request.context) : resolve(configDir, settings.context ?? "."),
  );
  const dockerfileAbs = request.dockerfile
    ? resolve(cwd, request.dockerfile)
    : settings.dockerfile
      ? resolve(configDir, settings.dockerfile)
      : undefined;
  const dockerfile = dockerfileAbs ? show(dockerfileAbs) : undefined;
  const image = request.image ?? defaultImage(request.config, ci);
  const buildArgs = { ...stringValues(settings.args ?? {}), ...(request.buildArgs ?? {}) };
  const labels = imageLabels({ config: request.config, ci, created });
  const kit = buildKitInputs(request.config, request.configFile, configDir, request, env);
  // One cache for both builds: the test stage's layers are the final image's lower layers.
  const common: ImageBuildOptions = {
    context,
    dockerfile,
    buildArgs,
    cacheFrom: kit.cacheFrom,
    cacheTo: kit.cacheTo,
    secrets: kit.secrets,
    ssh: kit.ssh,
  };
  const testTarget = request.skipTests
    ? undefined
    : (request.testTarget ?? settings["test-target"]) || undefined;
  const target = request.target ?? settings.target;
  // The test stage gets no labels: its layers must be exactly those the final stage reuses.
  const test = testTarget
    ? {
        target: testTarget,
        image: `${image}-test`,
        reportsDir: settings["test-reports"] ?? DEFAULT_REPORTS_DIR,
        command: buildCommand(
          { ...common, tags: [`${image}-test`], target: testTarget, noCache: request.noCache },
          builder,
        ),
      }
    : undefined;
  const noCache = request.noCache && !testTarget;
  const index = indexPlan(request, builder, image, { ...common, target, labels, noCache: false }, iidFile);
  // The runner's own platform for what is loaded, so that an index build does not change it.
  if (index) {
    common.platforms = [nativePlatform()];
    if (test)
      test.command = buildCommand(
        { ...common, tags: [`${image}-test`], target: testTarget, noCache: request.noCache },
        builder,
      );
  }
  const classic = !isBuildKit(builder);
  const final = classic
    ? buildCommand({ ...common, target, iidFile: iidFile && `${iidFile}.base`, noCache }, builder)
    : buildCommand({ ...common, tags: [image], target, labels, iidFile, noCache }, builder);
  const labelStep = classic
    ? {
        command: buildCommand({ context: "-", tags: [image], iidFile }, builder),
        baseIidFile: iidFile && `${iidFile}.base`,
      }
    : undefined;
  return {
    builder,
    image,
    context,
    dockerfile,
    labels,
    test,
    final,
    labelStep,
    index,
    settings,
    secretEnv: kit.secretEnv,
    sizeBudget: budget(request.configFile, settings),
    warnings: [
      ...new Set([
        ...kit.warnings,
        ...(test?.command.warnings ?? []),
        ...final.warnings,
        ...(index?.command.warnings ?? []),
      ]),
    ],
  };
}

/** The platform of this machine's docker daemon, as the runner is: `linux/amd64`, `linux/arm64`. */
export function nativePlatform(arch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "arm/v7",
    ia32: "386",
    ppc64: "ppc64le",
    s390x: "s390x",
  };
  return `linux/${names[arch] ?? arch}`;
}

/** The pushed index, when the platforms or attestations call for one; undefined otherwise. */
function indexPlan(
  request: BuildRequest,
  builder: Builder,
  image: string,
  options: ImageBuildOptions,
  iidFile: string | undefined,
): BuildPlan["index"] {
  const settings = request.config.build ?? {};
  const platforms = request.platforms?.length ? request.platforms : (settings.platforms ?? []);
  for (const p of request.platforms ?? []) {
    if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p))
      throw new UsageError(`platform "${p}": expected os/architecture[/variant], e.g. linux/arm64`);
  }
  const attestations = settings.attestations;
  const attest = attestations && (attestations.sbom || (attestations.provenance ?? "off") !== "off");
  const onlyNative = platforms.length === 0 || (platforms.length === 1 && platforms[0] === nativePlatform());
  // Platforms asked for by the request (an input, a flag) or a push target push even the runner's
  // own platform: a native runner's share of an index. build.platforms alone does not.
  if (onlyNative && !attest && !request.push && !request.platforms?.length) return undefined;
  if (!hasOwnStore(builder)) {
    throw new UsageError(
      `build.platforms ${platforms.join(",") || "(the runner's)"}${attest ? " with attestations" : ""}: ` +
        "an index is built and pushed by a buildx builder of its own, not by this one",
      { hint: "docker buildx create --driver docker-container --use (docker/setup-buildx-action on GitHub)" },
    );
  }
  const ref = request.push ?? pushRef(request, image);
  const metadataFile = iidFile && `${iidFile}.index.json`;
  const command = buildCommand(
    {
      ...options,
      platforms: platforms.length ? platforms : [nativePlatform()],
      tags: [ref],
      push: true,
      metadataFile,
      attestations,
      iidFile: undefined,
    },
    builder,
  );
  return { ref, platforms, command, metadataFile };
}

/** `<registry>/<repository>:<tag of the local image>`: where publish finds the index by digest. */
function pushRef(request: BuildRequest, image: string): string {
  const registry = request.config.image?.registry;
  if (!registry) {
    throw new ConfigError(request.configFile, [
      { path: "build.platforms", message: "an index is pushed from the builder: set image.registry" },
    ]);
  }
  const tag = image.slice(image.lastIndexOf(":") + 1);
  return `${registry}/${request.config.image?.repository ?? request.config.name}:${tag}`;
}

/** `<repository or name>:local` on a laptop, `…:build-<N>` in CI (publish gives the real tags). */
export function defaultImage(config: PowertrainConfig, ci: CiMetadata): string {
  const repo = config.image?.repository ?? config.name;
  return `${repo}:${ci.buildNumber > 0 ? `build-${ci.buildNumber}` : "local"}`;
}

function budget(file: string, settings: BuildSettings): number | undefined {
  const value = settings["size-budget"];
  if (value === undefined) return undefined;
  try {
    return parseSize(value);
  } catch (err) {
    throw new ConfigError(file, [{ path: "build.size-budget", message: (err as Error).message }]);
  }
}

function stringValues(args: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, String(v)]));
}
