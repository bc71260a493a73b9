/**
 * What the signing tests share: a registry client for the setup's registry,
 * tiny real images pushed through the registry API (a config and one layer, no
 * docker needed), keys made the ways users make them, and the cosign binary
 * ./scripts/setup builds.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { RegistryClient } from "../../packages/core/src/registry/client";
import { testEnv } from "../support/env";
import { tempDir } from "../support/helpers";

export const env = testEnv();
export const registry = env.registry.host;
export const credentials = { username: env.registry.user, password: env.registry.password };

export function newClient(): RegistryClient {
  return new RegistryClient({ registry, credentials });
}

/** A small, distinct OCI image in `repository`; returns its manifest digest. */
export async function pushTinyImage(
  client: RegistryClient,
  repository: string,
  content: string,
): Promise<string> {
  const layer = Buffer.from(content);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [] },
      config: {},
    }),
  );
  const layerDigest = await client.putBlob(repository, layer);
  const configDigest = await client.putBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: configDigest,
        size: config.length,
      },
      layers: [
        { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.length },
      ],
    }),
  );
  return client.putManifest(repository, "latest", manifest, "application/vnd.oci.image.manifest.v1+json");
}

/** A plain PKCS#8 P-256 key pair as PEM (what `openssl genpkey` writes), in files. */
export function pemKeyPair(dir = tempDir("pt-sign-")): { privateKey: string; publicKey: string } {
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const privateKey = join(dir, `key-${Math.random().toString(36).slice(2)}.pem`);
  const publicKey = `${privateKey}.pub`;
  writeFileSync(privateKey, pair.privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  writeFileSync(publicKey, pair.publicKey.export({ format: "pem", type: "spki" }));
  return { privateKey, publicKey };
}

/** The cosign binary ./scripts/setup builds (v2.6.5); the tests fail, never skip, without it. */
export function cosignBinary(): string {
  const bin = resolve(__dirname, "../../.tmp/bin/cosign");
  if (!existsSync(bin)) throw new Error(`${bin} is missing — run ./scripts/setup (it builds cosign)`);
  return bin;
}

/**
 * Run cosign against the local plain-HTTP registry: credentials in a docker
 * config of its own (never on the command line), offline (no Rekor, no TUF).
 */
export async function cosign(args: string[], extraEnv: Record<string, string> = {}) {
  const home = tempDir("pt-cosign-");
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  writeFileSync(join(home, "config.json"), JSON.stringify({ auths: { [registry]: { auth } } }));
  return exec(cosignBinary(), args, {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      DOCKER_CONFIG: home,
      TUF_ROOT: join(home, "tuf"),
      SIGSTORE_NO_CACHE: "true",
      ...extraEnv,
    },
    allowFailure: true,
  });
}
