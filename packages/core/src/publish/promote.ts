/**
 * Promotion: the same digest under a new tag, or copied into another
 * repository (snapshot → release), through the registry API alone — blobs
 * are mounted across repositories, the manifest bytes are PUT unchanged, so
 * nothing is pulled or rebuilt and the digest cannot change. An index comes
 * with every child (copy-manifests.ts), and signatures follow each digest.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import type { RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";
import { parseReference } from "../registry/reference";
import { copyTrust } from "../sign/copy";
import { isValidTag } from "../version/tag";
import { copyManifestTree } from "./copy-manifests";

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
  /** Manifests PUT by digest into another repository: an index's children (nested too), then it. */
  manifests: number;
  /** cosign `.sig`/`.att` tags carried into another repository (with their referrers). */
  trust: string[];
}

export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const { client, repository, version, to, logger } = options;
  const registry = client.registry;
  const source = await client.getManifest(repository, version);
  const copied = await copyManifestTree(client, repository, to.repository, source);

  const put = await client.putManifest(to.repository, to.tag, source.raw, source.mediaType);
  const after = await client.manifestDigest(to.repository, to.tag);
  if (put !== source.digest || after !== source.digest) {
    throw new RegistryError(
      `promotion changed the digest: ${repository}:${version} is ${source.digest}, ${to.repository}:${to.tag} is ${after}`,
      { kind: "protocol", registry, repository: to.repository },
    );
  }
  // Signatures are by digest: the index's and each child's follow them into the new repository.
  const trust: string[] = [];
  for (const digest of copied.manifests) {
    trust.push(...(await copyTrust({ client, from: repository, to: to.repository, digest, logger })));
  }
  const result: PromoteResult = {
    digest: source.digest,
    from: `${registry}/${repository}:${version}`,
    to: `${registry}/${to.repository}:${to.tag}`,
    blobs: copied.blobs,
    manifests: copied.manifests.length,
    trust,
  };
  logger.info(`promoted ${result.from} → ${result.to} (${source.digest})`);
  return result;
}
