/**
 * The cosign layout, as `cosign sign` and `cosign attest` write it and
 * `cosign verify` reads it:
 *
 * - a signature is a "simple signing" JSON payload naming the manifest digest,
 *   stored as a layer (`application/vnd.dev.cosign.simplesigning.v1+json`)
 *   whose annotation `dev.cosignproject.cosign/signature` is the base64
 *   ECDSA-SHA256 signature of the payload's exact bytes;
 * - an attestation is a DSSE envelope (`application/vnd.dsse.envelope.v1+json`)
 *   around an in-toto statement;
 * - both live in an OCI image manifest tagged `sha256-<hex>.sig` / `.att` in
 *   the image's repository (one layer per signature, appended), and — for
 *   registries with the OCI 1.1 referrers API — in a manifest whose `subject`
 *   is the image.
 */
import { sha256 } from "../registry/client";

export const SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
export const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
export const PREDICATE_TYPE_ANNOTATION = "predicateType";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
/** cosign's experimental OCI 1.1 artifact types (`ociexperimental.ArtifactType`). */
export const ARTIFACT_TYPE = {
  sig: "application/vnd.dev.cosign.artifact.sig.v1+json",
  att: "application/vnd.dev.cosign.artifact.att.v1+json",
} as const;

export type Kind = keyof typeof ARTIFACT_TYPE;

/** `sha256:abc…` → `sha256-abc….sig`: where cosign keeps what belongs to a digest. */
export function cosignTag(digest: string, kind: Kind): string {
  return `${digest.replace(":", "-")}.${kind}`;
}

export interface SimpleSigningPayload {
  critical: {
    identity: { "docker-reference": string };
    image: { "docker-manifest-digest": string };
    type: string;
  };
  optional: Record<string, unknown> | null;
}

export const SIMPLE_SIGNING_TYPE = "cosign container image signature";

/** The payload cosign signs for `dockerReference` (registry/repository, no tag) at `digest`. */
export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
  const payload: SimpleSigningPayload = {
    critical: {
      identity: { "docker-reference": dockerReference },
      image: { "docker-manifest-digest": digest },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional: null,
  };
  return Buffer.from(JSON.stringify(payload));
}

/** The digest a payload vouches for, or undefined when it is not a cosign simple-signing payload. */
export function payloadDigest(payload: Buffer): string | undefined {
  try {
    const p = JSON.parse(payload.toString("utf8")) as Partial<SimpleSigningPayload>;
    if (p.critical?.type !== SIMPLE_SIGNING_TYPE) return undefined;
    return p.critical.image?.["docker-manifest-digest"];
  } catch {
    return undefined;
  }
}

export interface CosignDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface SignatureManifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: CosignDescriptor;
  layers: CosignDescriptor[];
  subject?: CosignDescriptor;
  annotations?: Record<string, string>;
}

/**
 * The config blob go-containerregistry writes for cosign's signature images:
 * an empty image whose rootfs lists the layers (their digests double as diff ids).
 */
export function signatureConfig(layers: readonly CosignDescriptor[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: "",
      created: "0001-01-01T00:00:00Z",
      history: layers.map(() => ({ created: "0001-01-01T00:00:00Z" })),
      os: "",
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

export function descriptor(
  mediaType: string,
  data: Buffer,
  annotations?: Record<string, string>,
): CosignDescriptor {
  return { mediaType, size: data.length, digest: sha256(data), ...(annotations ? { annotations } : {}) };
}

/** The `.sig`/`.att` manifest over `layers`, and its config blob. */
export function signatureManifest(layers: CosignDescriptor[]): {
  manifest: SignatureManifest;
  config: Buffer;
} {
  const config = signatureConfig(layers);
  return {
    config,
    manifest: { schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor(OCI_CONFIG, config), layers },
  };
}

/** The same layers as an OCI 1.1 referrer of `subject`, the way cosign's oci-1-1 mode writes it. */
export function referrerManifest(
  kind: Kind,
  layers: CosignDescriptor[],
  subject: CosignDescriptor,
): SignatureManifest {
  const { manifest } = signatureManifest(layers);
  return {
    ...manifest,
    artifactType: ARTIFACT_TYPE[kind],
    config: { ...manifest.config, mediaType: ARTIFACT_TYPE[kind] },
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  };
}

// ——— DSSE ———

export interface DsseEnvelope {
  payloadType: string;
  /** base64 */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** DSSE's pre-authentication encoding: what is actually signed. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const prefix = `DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `;
  return Buffer.concat([Buffer.from(prefix), payload]);
}
