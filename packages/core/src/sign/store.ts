/**
 * Reading and writing cosign's `.sig` / `.att` manifests through the
 * registry client: one layer per signature, appended to what is there (as
 * cosign does, so a second signer does not erase the first), plus one OCI 1.1
 * referrer per signature whose `subject` is the image.
 */
import type { RegistryClient } from "../registry/client";
import { sha256 } from "../registry/client";
import { RegistryError } from "../registry/errors";
import {
  type CosignDescriptor,
  cosignTag,
  type Kind,
  OCI_MANIFEST,
  referrerManifest,
  type SignatureManifest,
  signatureManifest,
} from "./format";

export interface StoredLayer {
  descriptor: CosignDescriptor;
  /** The blob as the registry returned it (its digest is checked by the reader, not here). */
  blob: Buffer;
}

/** The layers under `sha256-<hex>.<kind>`; empty when the tag does not exist. */
export async function readCosignLayers(
  client: RegistryClient,
  repository: string,
  digest: string,
  kind: Kind,
): Promise<StoredLayer[]> {
  const manifest = await readCosignManifest(client, repository, digest, kind);
  if (!manifest) return [];
  return Promise.all(
    manifest.layers.map(async (descriptor) => ({
      descriptor,
      blob: await client.getBlob(repository, descriptor.digest),
    })),
  );
}

async function readCosignManifest(
  client: RegistryClient,
  repository: string,
  digest: string,
  kind: Kind,
): Promise<SignatureManifest | undefined> {
  const tag = cosignTag(digest, kind);
  // One GET, not HEAD + GET: this is on every verified deploy's path.
  const raw = await client.getManifest(repository, tag).then(
    (m) => m.raw,
    (err: unknown) => {
      if (err instanceof RegistryError && err.kind === "not-found") return undefined;
      throw err;
    },
  );
  if (!raw) return undefined;
  const manifest = JSON.parse(raw.toString("utf8")) as SignatureManifest;
  return Array.isArray(manifest.layers) ? manifest : undefined;
}

export interface AppendResult {
  /** `sha256-<hex>.<kind>` */
  tag: string;
  /** Digest of the tagged manifest after the append. */
  manifestDigest: string;
  /** Digest of the referrer manifest, when one was written. */
  referrer?: string;
  /** False when an identical layer was already there (signing twice is idempotent). */
  added: boolean;
}

/**
 * Append `blob` (described by `layer`) to the `.sig`/`.att` manifest of
 * `digest`, and write it as a referrer of the image unless `referrer` is false.
 */
export async function appendCosignLayer(
  client: RegistryClient,
  repository: string,
  digest: string,
  kind: Kind,
  layer: CosignDescriptor,
  blob: Buffer,
  options: {
    referrer?: boolean;
    /** True when an existing layer already says what `layer` says (e.g. a valid signature by the same key). */
    equivalent?: (existing: CosignDescriptor, blob: Buffer) => boolean;
  } = {},
): Promise<AppendResult> {
  const tag = cosignTag(digest, kind);
  const existing = (await readCosignManifest(client, repository, digest, kind))?.layers ?? [];
  const same = existing.some(
    (l) =>
      l.digest === layer.digest &&
      (sameAnnotations(l.annotations, layer.annotations) || options.equivalent?.(l, blob) === true),
  );
  const layers = same ? existing : [...existing, layer];
  const { manifest, config } = signatureManifest(layers);
  const raw = Buffer.from(JSON.stringify(manifest));
  if (same) return { tag, manifestDigest: sha256(raw), added: false };
  await client.putBlob(repository, blob);
  await client.putBlob(repository, config);
  const manifestDigest = await client.putManifest(repository, tag, raw, OCI_MANIFEST);

  let referrer: string | undefined;
  if (options.referrer !== false) {
    const image = await client.getManifest(repository, digest);
    const subject = { mediaType: image.mediaType, digest, size: image.raw.length };
    const ref = referrerManifest(kind, [layer], subject);
    await client.putBlob(repository, signatureManifest([layer]).config);
    const refRaw = Buffer.from(JSON.stringify(ref));
    // Pushed by digest: a registry with the referrers API lists it under the image; one without
    // keeps an untagged manifest, and the `.sig`/`.att` tag above is what readers use there.
    referrer = await client.putManifest(repository, sha256(refRaw), refRaw, OCI_MANIFEST);
  }
  return { tag, manifestDigest, referrer, added: true };
}

function sameAnnotations(a: Record<string, string> = {}, b: Record<string, string> = {}): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
