/**
 * A manifest and everything under it, from one repository into another of the same registry:
 * an index's children (nested indexes and attestation manifests included) depth first, each
 * image's blobs mounted (or streamed when the registry refuses the mount), each child PUT by
 * digest before its parent — a registry checks that what a manifest names is already there.
 * The bytes are PUT unchanged, so every digest in the tree stays the same.
 */
import type { ManifestResult, RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";

export interface CopyCounts {
  /** Blobs already present, mounted, or streamed (only when a mount was refused). */
  blobs: { exists: number; mounted: number; copied: number };
  /** Every manifest digest in the tree, the top one included, children before parents. */
  manifests: string[];
}

/**
 * Copies the tree under `top` (already read from `from`) into `to`; the top manifest's own
 * blobs and children are copied, and it is PUT by digest too. Nothing moves when `from` is `to`.
 */
export async function copyManifestTree(
  client: RegistryClient,
  from: string,
  to: string,
  top: ManifestResult,
  counts: CopyCounts = newCounts(),
): Promise<CopyCounts> {
  if (from === to) return counts;
  await copyNode(client, from, to, top, counts, new Set());
  return counts;
}

export function newCounts(): CopyCounts {
  return { blobs: { exists: 0, mounted: 0, copied: 0 }, manifests: [] };
}

async function copyNode(
  client: RegistryClient,
  from: string,
  to: string,
  node: ManifestResult,
  counts: CopyCounts,
  seen: Set<string>,
): Promise<void> {
  // Content addressing rules out cycles; `seen` keeps a child named twice from being copied twice.
  if (seen.has(node.digest)) return;
  seen.add(node.digest);
  if (node.manifest.kind === "index") {
    for (const child of node.manifest.manifests) {
      if (seen.has(child.digest)) continue;
      // By digest: the client checks that the bytes hash to what the parent names.
      const result = await client.getManifest(from, child.digest);
      await copyNode(client, from, to, result, counts, seen);
    }
  } else {
    const { config, layers } = node.manifest;
    const outcomes = await Promise.all(
      [config, ...layers].map((d) => client.copyBlob(from, to, d.digest, d.size)),
    );
    for (const o of outcomes) counts.blobs[o]++;
  }
  const put = await client.putManifest(to, node.digest, node.raw, node.mediaType);
  if (put !== node.digest) {
    throw new RegistryError(
      `copying ${from}@${node.digest} to ${to} gave the digest ${put}; the registry changed the manifest`,
      { kind: "protocol", registry: client.registry, repository: to },
    );
  }
  counts.manifests.push(node.digest);
}
