/**
 * Publish of a multi-platform build: the builder already pushed the OCI index (the build's
 * `index` output), and a classic image store cannot hold it, so there is nothing to
 * `docker push`. Instead every tag is PUT onto the index's exact bytes through the registry
 * API — no docker, no pull — and the published digest is the index's. An index pushed to
 * another repository of the same registry is copied over first, children and all.
 */
import { UsageError } from "../errors";
import { type ManifestResult, RegistryClient } from "../registry/client";
import { registryCredentialsFor } from "../registry/credentials";
import { RegistryError } from "../registry/errors";
import type { ImageManifest } from "../registry/manifest";
import { formatReference, type ImageReference, parseReference } from "../registry/reference";
import { copyManifestTree } from "./copy-manifests";
import type { PublishOptions, PublishResult } from "./publish";

/** The pinned index publish tags: `registry/repository[:tag]@sha256:…` on the target registry. */
export function parseIndexReference(index: string, registry: string): ImageReference & { digest: string } {
  const ref = parseReference(index, registry);
  if (!ref.digest) {
    throw new UsageError(
      `invalid index "${index}": pin it by digest (registry/repository@sha256:…, the build's index output)`,
    );
  }
  if (ref.registry !== registry) {
    throw new UsageError(
      `the index ${formatReference(ref)} is in ${ref.registry}, but publish goes to ${registry}; let the build push it there (its push input)`,
    );
  }
  return { ...ref, digest: ref.digest };
}

export async function publishIndex(
  input: PublishOptions & { index: string },
  tags: string[],
): Promise<PublishResult> {
  const { logger, registry, repository } = input;
  const source = parseIndexReference(input.index, registry);
  const version = tags[0] ?? "";
  const credentials =
    input.credentials ??
    (
      await registryCredentialsFor(registry, {
        registryAuths: input.registryAuths,
        configuredRegistry: registry,
        logger,
      })
    )?.credentials;
  const client =
    input.client ??
    new RegistryClient({ registry, credentials, insecure: input.insecure, caFile: input.caFile, logger });
  try {
    // By digest: the bytes must hash to the digest the build reported.
    const top = await client.getManifest(source.repository, source.digest);
    if (source.repository !== repository) {
      const copied = await copyManifestTree(client, source.repository, repository, top);
      logger.info(
        `copied ${copied.manifests.length} manifest(s) of ${formatReference(source)} into ${repository} (${copied.blobs.mounted} blob(s) mounted, ${copied.blobs.copied} streamed)`,
      );
    }
    // Read back from the target repository (by digest, verified): what the tags will point at.
    const { raw, mediaType } = await client.getManifest(repository, source.digest);
    for (const tag of tags) {
      const put = await client.putManifest(repository, tag, raw, mediaType);
      if (put !== source.digest) {
        throw new RegistryError(
          `${registry}/${repository}:${tag} got the digest ${put}, not the index's ${source.digest}`,
          { kind: "protocol", registry, repository },
        );
      }
      logger.info(`tagged ${registry}/${repository}:${tag} → ${source.digest}`);
    }
    const digest = await client.manifestDigest(repository, version);
    if (digest !== source.digest) {
      throw new RegistryError(
        `${registry}/${repository}:${version} has digest ${digest}, but publish tagged ${source.digest}; another push raced this one`,
        { kind: "protocol", registry, repository },
      );
    }
    const result: PublishResult = {
      version,
      tags,
      digest,
      image: `${registry}/${repository}@${digest}`,
      size: await treeSize(client, repository, top),
      registry,
      repository,
    };
    logger.info(`published ${result.image} (an index) as ${tags.join(", ")}`);
    return result;
  } finally {
    if (!input.client) await client.close();
  }
}

/** Config and layer bytes of every image under the index (each blob once); manifests only are read. */
async function treeSize(client: RegistryClient, repository: string, top: ManifestResult): Promise<number> {
  const blobs = new Map<string, number>();
  const seen = new Set<string>();
  const visit = async (node: ManifestResult): Promise<void> => {
    if (seen.has(node.digest)) return;
    seen.add(node.digest);
    if (node.manifest.kind === "image") {
      const image: ImageManifest = node.manifest;
      for (const b of [image.config, ...image.layers]) blobs.set(b.digest, b.size);
      return;
    }
    for (const child of node.manifest.manifests) {
      if (!seen.has(child.digest)) await visit(await client.getManifest(repository, child.digest));
    }
  };
  await visit(top);
  return [...blobs.values()].reduce((sum, size) => sum + size, 0);
}
