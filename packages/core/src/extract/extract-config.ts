/**
 * extract-config: the run configuration of one environment, read out of an
 * image alone — no source checkout. From the registry (manifest and config
 * blob, no layer), from the local daemon, or `auto`: local when the daemon
 * has the image, else the registry.
 */
import { type ResolvedDocument, toResolvedDocument } from "../config/resolved";
import type { PowertrainConfig } from "../config/schema";
import { UsageError } from "../errors";
import type { Logger } from "../log";
import type { Credentials } from "../registry/credentials";
import { DEFAULT_PLATFORM, type Platform, parsePlatform } from "../registry/manifest";
import { parseReference } from "../registry/reference";
import type { RegistryCredentialEntry } from "../registry/registry-auths";
import { ExtractError } from "./errors";
import { LABEL_IMAGE_VERSION, LABEL_REVISION, readBakedConfig, resolveBaked } from "./labels";
import { readFromLocal } from "./local-source";
import { readFromRegistry } from "./registry-source";

export const EXTRACT_SOURCES = ["auto", "registry", "local"] as const;
export type ExtractSource = (typeof EXTRACT_SOURCES)[number];

export interface ExtractConfigOptions {
  /** Image reference, by tag or digest (for `local` also an image ID). */
  image: string;
  /** Environment to resolve; "default" is the top-level run configuration. */
  environment: string;
  /** Where to read the image from (default auto: local when present, else the registry). */
  source?: ExtractSource;
  /** Platform to pick from a multi-platform index: "linux/amd64" (default) or a Platform. */
  platform?: string | Platform;
  /** Registry credentials, for `registry` (default the image's registry); see docs/registry.md for the other sources. */
  credentials?: Credentials;
  /** The registry explicit credentials and POWERTRAIN_REGISTRY_USER/PASSWORD belong to. */
  registry?: string;
  /** Per-registry credentials (`registry-auths`). */
  registryAuths?: readonly RegistryCredentialEntry[];
  /** Allow plain HTTP to a non-loopback registry. */
  insecure?: boolean;
  /** PEM file of a private registry's CA. */
  caFile?: string;
  logger: Logger;
}

export interface ExtractConfigResult {
  /**
   * The environment's resolved run configuration as a document for the deploy side (plain JSON:
   * ssh-deploy's `config` input, `--resolved`), which every reader validates.
   */
  config: ResolvedDocument;
  /** Pinned reference `registry/repository@sha256:…`; the image ID for an image that exists only locally. */
  image: string;
  /** The image's version label, else the tag it was asked by, else "". */
  version: string;
  /** The commit the image was built from (its org.opencontainers.image.revision label), when it is a sha. */
  revision?: string;
  /** Environment names the config defines, in file order. */
  environments: string[];
  /** `${NAME}` references in the environment's env values: what the deploy step must provide. */
  references: string[];
  /** The powertrain.yml as baked into the image. */
  baked: PowertrainConfig;
  /** Schema version of the baked config and the powertrain version that wrote it. */
  schema: number;
  writtenBy?: string;
  /** Where the config was read from. */
  source: "registry" | "local";
  /** Bytes received from the registry (0 when read locally). */
  bytesFetched: number;
}

interface ImageLabels {
  labels: Record<string, string>;
  pinned: string;
  bytesFetched: number;
  source: "registry" | "local";
}

export async function extractConfig(options: ExtractConfigOptions): Promise<ExtractConfigResult> {
  const { image, logger } = options;
  const source = options.source ?? "auto";
  if (!EXTRACT_SOURCES.includes(source)) {
    throw new UsageError(`invalid source "${source}": expected one of ${EXTRACT_SOURCES.join(", ")}`);
  }
  const platform = toPlatform(options.platform);
  if (!options.environment) throw new UsageError("no environment given: name the environment to resolve");

  let read: ImageLabels | undefined;
  if (source !== "registry") {
    const local = await readLocal(image, logger, source === "local");
    if (local) read = { ...local, bytesFetched: 0, source: "local" };
    else if (source === "local") {
      throw new ExtractError("not-found", `image ${image} not found in the local docker daemon`, {
        hint: "pull it first, or read it from the registry with source registry (or auto)",
      });
    }
  }
  if (!read) {
    const remote = await readFromRegistry(parseReference(image), { ...options, platform, logger }).catch(
      (err: unknown) => {
        // In auto mode the daemon was asked first: say so when the registry does not have it either.
        if (source === "auto" && err instanceof ExtractError && err.kind === "not-found") {
          err.message = err.message.replace(/ not found in /, " not found locally nor in ");
        }
        throw err;
      },
    );
    read = { ...remote, source: "registry" };
  }

  const baked = readBakedConfig(read.labels, image);
  const resolved = resolveBaked(baked.config, options.environment, image);
  logger.info(
    `${image}: environment ${options.environment} read from the ${read.source === "local" ? "local daemon" : `registry (${read.bytesFetched} bytes)`}`,
  );
  const result: ExtractConfigResult = {
    ...resolved,
    config: toResolvedDocument(resolved.config),
    image: read.pinned,
    version: read.labels[LABEL_IMAGE_VERSION] || tagOf(image) || "",
    baked: baked.config,
    schema: baked.schema,
    source: read.source,
    bytesFetched: read.bytesFetched,
  };
  if (baked.writtenBy) result.writtenBy = baked.writtenBy;
  const revision = read.labels[LABEL_REVISION]?.trim().toLowerCase();
  if (revision && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(revision)) result.revision = revision;
  return result;
}

/** In auto mode a daemon that cannot be asked is no reason to fail: the registry may still answer. */
async function readLocal(image: string, logger: Logger, required: boolean) {
  try {
    return await readFromLocal(image, logger);
  } catch (err) {
    if (required) throw err;
    logger.debug(`local docker not usable (${(err as Error).message}); reading from the registry`);
    return undefined;
  }
}

export function toPlatform(platform: string | Platform | undefined): Platform {
  if (platform === undefined || platform === "") return DEFAULT_PLATFORM;
  if (typeof platform !== "string") return platform;
  if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)) {
    throw new UsageError(
      `invalid platform "${platform}": expected os/architecture[/variant], e.g. linux/amd64`,
    );
  }
  return parsePlatform(platform);
}

function tagOf(image: string): string | undefined {
  try {
    return parseReference(image).tag;
  } catch {
    return undefined;
  }
}
