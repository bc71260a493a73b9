/**
 * The native-runner pattern: each architecture is built on a runner of its own and pushed by
 * digest; this merges those digests into one OCI image index under a tag, through the registry
 * API only (no pull, no rebuild). A source may be an image manifest (its platform is read from
 * its config) or an index (its entries are taken as they are, attestation manifests included).
 * Sources in another repository of the same registry are mounted (or copied) into the target.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import type { RegistryClient } from "../registry/client";
import {
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
  MediaType,
  type Platform,
} from "../registry/manifest";
import { formatReference, type ImageReference } from "../registry/reference";
import { copyManifestTree } from "./copy-manifests";

export interface MergeOptions {
  client: RegistryClient;
  /** Pinned references (`repository@sha256:…`, tags allowed) on the client's registry. */
  sources: ImageReference[];
  /** Where the index goes: `repository:tag`. */
  target: ImageReference;
  logger: Logger;
}

export interface MergeResult {
  /** The index, `registry/repository:tag`. */
  ref: string;
  digest: string;
  /** Its entries: platforms (`linux/arm64`), and `attestation` for attestation manifests. */
  entries: { digest: string; platform: string }[];
}

/** The platform of an index entry as `os/arch[/variant]`; attestation manifests say so. */
export function entryPlatform(d: Pick<Descriptor, "platform" | "annotations">): string {
  if (d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") return "attestation";
  const p = d.platform;
  if (!p) return "unknown";
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** The index bytes for `entries`; fails when two images claim one platform. */
export function indexManifest(entries: readonly Descriptor[]): Buffer {
  const seen = new Map<string, string>();
  for (const e of entries) {
    const name = entryPlatform(e);
    if (name === "attestation" || name === "unknown") continue;
    const other = seen.get(name);
    if (other && other !== e.digest)
      throw new UsageError(`two images for ${name}: ${other} and ${e.digest}; merge one per platform`);
    seen.set(name, e.digest);
  }
  const unique = entries.filter((e, i) => entries.findIndex((o) => o.digest === e.digest) === i);
  const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: unique };
  return Buffer.from(`${JSON.stringify(index, null, 2)}\n`);
}

export async function mergeIndex(options: MergeOptions): Promise<MergeResult> {
  const { client, target, logger } = options;
  if (!target.tag) throw new UsageError(`merge target ${formatReference(target)} needs a tag`);
  if (options.sources.length === 0) throw new UsageError("merge needs at least one image");
  const entries: Descriptor[] = [];
  for (const source of options.sources) {
    if (source.registry !== client.registry) {
      throw new UsageError(
        `${formatReference(source)} is in another registry than ${client.registry}; merge within one registry`,
      );
    }
    const reference = source.digest ?? source.tag;
    if (!reference) throw new UsageError(`${formatReference(source)} needs a digest or a tag`);
    const top = await client.getManifest(source.repository, reference);
    if (top.manifest.kind === "image") {
      const platform = await platformOf(client, source.repository, top.manifest);
      await copyManifestTree(client, source.repository, target.repository, top);
      entries.push({ mediaType: top.mediaType, digest: top.digest, size: top.raw.length, platform });
    } else {
      for (const child of top.manifest.manifests) {
        const m = await client.getManifest(source.repository, child.digest);
        if (m.manifest.kind !== "image")
          throw new UsageError(`${formatReference(source)} holds a nested index ${child.digest}; not merged`);
        await copyManifestTree(client, source.repository, target.repository, m);
        entries.push(child);
      }
    }
    logger.debug(`merge: ${formatReference(source)} → ${entries.map(entryPlatform).join(", ")}`);
  }
  const raw = indexManifest(entries);
  const digest = await client.putManifest(target.repository, target.tag, raw, MediaType.ociIndex);
  const ref = formatReference({ registry: target.registry, repository: target.repository, tag: target.tag });
  return { ref, digest, entries: entries.map((e) => ({ digest: e.digest, platform: entryPlatform(e) })) };
}

async function platformOf(
  client: RegistryClient,
  repository: string,
  manifest: ImageManifest,
): Promise<Platform> {
  const config = await client.getConfig(repository, manifest);
  const platform = configPlatform(config);
  if (!platform) {
    throw new UsageError(`${repository}@${manifest.config.digest}: the image config names no platform`);
  }
  return platform;
}

/** The index entry's platform from an image config: os, architecture and (arm/v7) the variant. */
export function configPlatform(
  config: Pick<ImageConfig, "os" | "architecture" | "variant">,
): Platform | undefined {
  if (!config.os || !config.architecture) return undefined;
  const platform: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant) platform.variant = config.variant;
  return platform;
}
