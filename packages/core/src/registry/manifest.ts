/** OCI and Docker v2 manifest shapes, and picking one platform out of an index. */
import { PowertrainError } from "../errors";

export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
} as const;

/** Every manifest kind this client understands, for the Accept header. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
].join(", ");

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageManifest {
  kind: "image";
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface IndexManifest {
  kind: "index";
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | IndexManifest;

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

/** Classify a parsed manifest body; `contentType` is the response's Content-Type. */
export function parseManifest(body: Buffer, contentType: string | undefined): Manifest {
  const json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  const mediaType = (json.mediaType as string | undefined) ?? contentType?.split(";")[0]?.trim();
  if (Array.isArray(json.manifests) || isIndexMediaType(mediaType)) {
    return {
      kind: "index",
      schemaVersion: Number(json.schemaVersion),
      mediaType,
      manifests: (json.manifests ?? []) as Descriptor[],
    };
  }
  if (json.config && Array.isArray(json.layers)) {
    return {
      kind: "image",
      schemaVersion: Number(json.schemaVersion),
      mediaType,
      config: json.config as Descriptor,
      layers: json.layers as Descriptor[],
    };
  }
  throw new PowertrainError(
    `unsupported manifest type ${mediaType ?? "(none)"}: expected an OCI or Docker v2 manifest`,
  );
}

/** `linux/amd64`, `linux/arm64/v8` → Platform. */
export function parsePlatform(text: string): Platform {
  const [os = "", architecture = "", variant] = text.split("/");
  return variant ? { os, architecture, variant } : { os, architecture };
}

export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

/** The index entry for `wanted`; attestation entries (`unknown/unknown`) never match. */
export function pickPlatform(
  index: IndexManifest,
  wanted: Platform = DEFAULT_PLATFORM,
): Descriptor | undefined {
  const candidates = index.manifests.filter(
    (m) => m.platform?.os === wanted.os && m.platform?.architecture === wanted.architecture,
  );
  if (!wanted.variant) return candidates[0];
  return candidates.find((m) => m.platform?.variant === wanted.variant) ?? candidates[0];
}

/** Bytes an image occupies in the registry: config plus layers (compressed). */
export function imageSize(manifest: ImageManifest): number {
  return manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0);
}

/** The fields of an image config blob that powertrain reads. */
export interface ImageConfig {
  created?: string;
  os?: string;
  architecture?: string;
  /** CPU variant (`v7` of arm/v7, `v8` of arm64/v8); absent where the image names none. */
  variant?: string;
  labels: Record<string, string>;
}

export function parseImageConfig(body: Buffer): ImageConfig {
  const json = JSON.parse(body.toString("utf8")) as {
    created?: string;
    os?: string;
    architecture?: string;
    variant?: string;
    config?: { Labels?: Record<string, string> | null };
  };
  const config: ImageConfig = {
    created: json.created,
    os: json.os,
    architecture: json.architecture,
    labels: json.config?.Labels ?? {},
  };
  if (typeof json.variant === "string" && json.variant) config.variant = json.variant;
  return config;
}
