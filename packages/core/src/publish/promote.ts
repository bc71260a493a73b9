/**
 * Promotion: the same digest under a new tag, or copied into another
 * repository (snapshot → release), through the registry API alone — blobs
 * are mounted across repositories, the manifest bytes are PUT unchanged, so
 * nothing is pulled or rebuilt and the digest cannot change.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import type { ManifestResult, RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";
import type { Descriptor, ImageManifest } from "../registry/manifest";
import { parseReference } from "../registry/reference";
import { isValidTag } from "../version/tag";

export interface PromoteTarget {
  repository: string;
  tag: string;
}

/**
 * `--to` as the user wrote it: a tag (`release`), or a repository with an
 * optional tag (`team/app-release`, `team/app-release:1.0`, or prefixed with
 * the same registry). Without a tag the source version is kept.
 */
export function parsePromoteTarget(
  to: string,
  registry: string,
  repository: string,
  version: string,
): PromoteTarget {
  const text = to.trim();
  if (!text.includes("/")) {
    if (!isValidTag(text)) throw new UsageError(`invalid --to "${to}": not a valid tag or repository`);
    return { repository, tag: text };
  }
  const ref = parseReference(text, registry);
  if (ref.registry !== registry) {
    throw new UsageError(
      `invalid --to "${to}": promotion stays within ${registry}; copy across registries is not supported`,
    );
  }
  if (ref.digest) throw new UsageError(`invalid --to "${to}": the target is a tag, not a digest`);
  const tag = ref.tag ?? (version.startsWith("sha256:") ? undefined : version);
  if (!tag) throw new UsageError(`invalid --to "${to}": name the tag, e.g. ${ref.repository}:release`);
  return { repository: ref.repository, tag };
}

export interface PromoteOptions {
  client: RegistryClient;
  /** Source repository. */
  repository: string;
  /** Source tag or digest. */
  version: string;
  to: PromoteTarget;
  logger: Logger;
}

export interface PromoteResult {
  digest: string;
  from: string;
  to: string;
  /** Blobs already present, mounted, or streamed (only when a mount was refused). */
  blobs: { exists: number; mounted: number; copied: number };
}

export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const { client, repository, version, to, logger } = options;
  const registry = client.registry;
  const source = await client.getManifest(repository, version);
  const blobs = { exists: 0, mounted: 0, copied: 0 };

  if (to.repository !== repository) {
    const children =
      source.manifest.kind === "index"
        ? await Promise.all(source.manifest.manifests.map((m) => client.getManifest(repository, m.digest)))
        : [];
    for (const child of children) {
      await copyBlobs(client, repository, to.repository, child, blobs);
      await client.putManifest(to.repository, child.digest, child.raw, child.mediaType);
    }
    if (source.manifest.kind === "image") await copyBlobs(client, repository, to.repository, source, blobs);
  }

  const put = await client.putManifest(to.repository, to.tag, source.raw, source.mediaType);
  const after = await client.manifestDigest(to.repository, to.tag);
  if (put !== source.digest || after !== source.digest) {
    throw new RegistryError(
      `promotion changed the digest: ${repository}:${version} is ${source.digest}, ${to.repository}:${to.tag} is ${after}`,
      { kind: "protocol", registry, repository: to.repository },
    );
  }
  const result: PromoteResult = {
    digest: source.digest,
    from: `${registry}/${repository}:${version}`,
    to: `${registry}/${to.repository}:${to.tag}`,
    blobs,
  };
  logger.info(`promoted ${result.from} → ${result.to} (${source.digest})`);
  return result;
}

async function copyBlobs(
  client: RegistryClient,
  from: string,
  to: string,
  source: ManifestResult,
  counts: PromoteResult["blobs"],
): Promise<void> {
  const manifest = source.manifest as ImageManifest;
  const descriptors: Descriptor[] = [manifest.config, ...manifest.layers];
  const outcomes = await Promise.all(descriptors.map((d) => client.copyBlob(from, to, d.digest, d.size)));
  for (const o of outcomes) counts[o]++;
}
