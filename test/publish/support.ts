/**
 * Tiny real images and indexes pushed through the registry API (no docker): an image of one
 * platform, an attestation manifest as BuildKit writes one (platform unknown/unknown, in-toto
 * layer, annotations naming the image it attests), and indexes over them.
 */
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { sha256 } from "../../packages/core/src/registry/digest";
import { type Descriptor, MediaType, type Platform } from "../../packages/core/src/registry/manifest";

const CONFIG = "application/vnd.oci.image.config.v1+json";

/** An OCI image of `platform` whose one layer is `content`; returns its descriptor (with platform). */
export async function pushPlatformImage(
  client: RegistryClient,
  repository: string,
  content: string,
  platform: Platform,
): Promise<Descriptor> {
  const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: "layers", diff_ids: [] } }));
  return pushManifest(client, repository, config, [
    { mediaType: "application/vnd.oci.image.layer.v1.tar", data: Buffer.from(content) },
  ]).then((d) => ({ ...d, platform }));
}

/** An attestation manifest for `subject`, as BuildKit puts one in an index. */
export async function pushAttestation(
  client: RegistryClient,
  repository: string,
  subject: string,
): Promise<Descriptor> {
  const statement = Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v0.1",
      predicateType: "https://slsa.dev/provenance/v0.2",
      subject: [{ name: "app", digest: { sha256: subject.slice(7) } }],
      predicate: { builder: { id: "powertrain-test" } },
    }),
  );
  const config = Buffer.from(
    JSON.stringify({ architecture: "unknown", os: "unknown", rootfs: { type: "layers", diff_ids: [] } }),
  );
  const d = await pushManifest(client, repository, config, [
    { mediaType: "application/vnd.in-toto+json", data: statement },
  ]);
  return {
    ...d,
    platform: { os: "unknown", architecture: "unknown" },
    annotations: {
      "vnd.docker.reference.type": "attestation-manifest",
      "vnd.docker.reference.digest": subject,
    },
  };
}

/** An OCI index of `entries`, PUT under `tag`, else by digest. */
export async function pushIndex(
  client: RegistryClient,
  repository: string,
  entries: Descriptor[],
  tag?: string,
): Promise<Descriptor> {
  const raw = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries }),
  );
  const digest = await client.putManifest(repository, tag ?? sha256(raw), raw, MediaType.ociIndex);
  return { mediaType: MediaType.ociIndex, digest, size: raw.length };
}

async function pushManifest(
  client: RegistryClient,
  repository: string,
  config: Buffer,
  layers: { mediaType: string; data: Buffer }[],
): Promise<Descriptor> {
  const configDigest = await client.putBlob(repository, config);
  const layerDescriptors: Descriptor[] = [];
  for (const layer of layers) {
    const digest = await client.putBlob(repository, layer.data);
    layerDescriptors.push({ mediaType: layer.mediaType, digest, size: layer.data.length });
  }
  const raw = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: CONFIG, digest: configDigest, size: config.length },
      layers: layerDescriptors,
    }),
  );
  const digest = await client.putManifest(repository, sha256(raw), raw, MediaType.ociManifest);
  return { mediaType: MediaType.ociManifest, digest, size: raw.length };
}
