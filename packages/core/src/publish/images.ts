/**
 * What is in the registry: one entry per digest (all its tags together),
 * newest first, with the commit, build number and version read from the
 * image's OCI labels — only manifests and config blobs are fetched.
 */
import { UsageError } from "../errors";
import type { RegistryClient } from "../registry/client";
import { imageSize, type Platform } from "../registry/manifest";

export const Labels = {
  revision: "org.opencontainers.image.revision",
  version: "org.opencontainers.image.version",
  created: "org.opencontainers.image.created",
  buildNumber: "dev.powertrain.build-number",
} as const;

export interface PublishedImage {
  digest: string;
  tags: string[];
  /** ISO time: the created label, else the config's created field. */
  created?: string;
  commit?: string;
  version?: string;
  buildNumber?: number;
  size: number;
}

export interface ListImagesOptions {
  client: RegistryClient;
  repository: string;
  platform?: Platform;
  /** Manifests read in parallel (default 8). */
  concurrency?: number;
}

export async function listImages(options: ListImagesOptions): Promise<PublishedImage[]> {
  const { client, repository } = options;
  const tags = await client.listTags(repository);
  const digests = await mapLimit(tags, options.concurrency ?? 8, (tag) =>
    client.manifestDigest(repository, tag),
  );
  const byDigest = new Map<string, string[]>();
  tags.forEach((tag, i) => {
    const digest = digests[i]!;
    byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
  });
  const entries = [...byDigest.entries()];
  const images = await mapLimit(entries, options.concurrency ?? 8, async ([digest, tagList]) => {
    const { manifest } = await client.getImageManifest(repository, digest, options.platform);
    const config = await client.getConfig(repository, manifest);
    const labels = config.labels;
    const build = Number(labels[Labels.buildNumber]);
    const info: PublishedImage = {
      digest,
      tags: tagList.sort(),
      created: labels[Labels.created] || config.created,
      commit: labels[Labels.revision] || undefined,
      version: labels[Labels.version] || undefined,
      buildNumber: labels[Labels.buildNumber] && Number.isInteger(build) ? build : undefined,
      size: imageSize(manifest),
    };
    return info;
  });
  return images.sort(newestFirst);
}

/** Newest created first; then the higher build number; undated images last. */
export function newestFirst(a: PublishedImage, b: PublishedImage): number {
  const ta = a.created ? Date.parse(a.created) : Number.NEGATIVE_INFINITY;
  const tb = b.created ? Date.parse(b.created) : Number.NEGATIVE_INFINITY;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return (b.buildNumber ?? -1) - (a.buildNumber ?? -1);
}

/** Images whose commit starts with `sha` (at least 4 hex characters), newest first. */
export function findByCommit(images: readonly PublishedImage[], sha: string): PublishedImage[] {
  const prefix = sha.trim().toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(prefix)) {
    throw new UsageError(`invalid commit "${sha}": expected at least 4 hexadecimal characters of a sha`);
  }
  return images.filter((i) => i.commit?.toLowerCase().startsWith(prefix)).sort(newestFirst);
}

/** `fn` over `items`, at most `limit` at once, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
