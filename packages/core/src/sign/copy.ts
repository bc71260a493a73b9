/**
 * Trust travels with a promoted digest: copy its cosign `.sig` and `.att`
 * manifests (and their blobs, mounted where the registry allows) into another
 * repository of the same registry, and write the matching OCI 1.1 referrers
 * there. The digest is unchanged, so the signatures verify in the target as
 * they did in the source. For promote (publish/promote.ts) to call.
 */
import type { Logger } from "../log";
import type { RegistryClient } from "../registry/client";
import { sha256 } from "../registry/client";
import { RegistryError } from "../registry/errors";
import {
  cosignTag,
  type Kind,
  OCI_MANIFEST,
  referrerManifest,
  type SignatureManifest,
  signatureManifest,
} from "./format";

export interface CopyTrustOptions {
  client: RegistryClient;
  from: string;
  to: string;
  /** The promoted image's digest (it must already exist in `to`). */
  digest: string;
  /** Also write referrers in `to` (default true). */
  referrer?: boolean;
  logger?: Logger;
}

/** Copies what exists; returns the tags copied (none when the image was never signed). */
export async function copyTrust(options: CopyTrustOptions): Promise<string[]> {
  const { client, from, to, digest } = options;
  const copied: string[] = [];
  if (from === to) return copied;
  for (const kind of ["sig", "att"] as Kind[]) {
    const tag = cosignTag(digest, kind);
    const source = await client.getManifest(from, tag).catch((err: unknown) => {
      if (err instanceof RegistryError && err.kind === "not-found") return undefined;
      throw err;
    });
    if (!source) continue;
    const manifest = JSON.parse(source.raw.toString("utf8")) as SignatureManifest;
    for (const blob of [manifest.config, ...manifest.layers]) {
      await client.copyBlob(from, to, blob.digest, blob.size);
    }
    // The exact bytes: the copy has the same manifest digest as the original.
    await client.putManifest(to, tag, source.raw, source.mediaType || OCI_MANIFEST);
    copied.push(tag);
    if (options.referrer !== false) await writeReferrers(client, to, digest, kind, manifest);
  }
  if (copied.length) options.logger?.info(`copied ${copied.join(", ")} from ${from} to ${to}`);
  return copied;
}

async function writeReferrers(
  client: RegistryClient,
  repository: string,
  digest: string,
  kind: Kind,
  manifest: SignatureManifest,
): Promise<void> {
  const image = await client.getManifest(repository, digest);
  const subject = { mediaType: image.mediaType, digest, size: image.raw.length };
  for (const layer of manifest.layers) {
    await client.putBlob(repository, signatureManifest([layer]).config);
    const raw = Buffer.from(JSON.stringify(referrerManifest(kind, [layer], subject)));
    await client.putManifest(repository, sha256(raw), raw, OCI_MANIFEST);
  }
}
