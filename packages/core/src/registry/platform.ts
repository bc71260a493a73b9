/**
 * Which image of a pinned reference a deploy host can run. A host reports its CPU as
 * `docker info`'s Architecture (uname -m: `x86_64`, `aarch64`, `armv7l`); images name it the
 * Go way (`amd64`, `arm64`, `arm/v7`). A deploy asks before touching a host, so an index
 * built without the host's platform fails with the platforms it does have, not with
 * `exec format error` in a container log.
 */
import { PowertrainError } from "../errors";
import type { RegistryClient } from "./client";
import { RegistryError } from "./errors";
import type { Descriptor, IndexManifest, Platform } from "./manifest";

/** uname -m (what `docker info` reports) → the OCI architecture and variant. */
const MACHINES: Record<string, Omit<Platform, "os">> = {
  x86_64: { architecture: "amd64" },
  amd64: { architecture: "amd64" },
  aarch64: { architecture: "arm64" },
  arm64: { architecture: "arm64" },
  armv7l: { architecture: "arm", variant: "v7" },
  armv7: { architecture: "arm", variant: "v7" },
  armhf: { architecture: "arm", variant: "v7" },
  armv6l: { architecture: "arm", variant: "v6" },
  armel: { architecture: "arm", variant: "v6" },
  armv5tel: { architecture: "arm", variant: "v5" },
  i386: { architecture: "386" },
  i686: { architecture: "386" },
  x86: { architecture: "386" },
  ppc64le: { architecture: "ppc64le" },
  s390x: { architecture: "s390x" },
  riscv64: { architecture: "riscv64" },
  loongarch64: { architecture: "loong64" },
  mips64: { architecture: "mips64le" },
};

/**
 * The platform of a host from `docker info`'s Architecture (and OSType, default linux). A name
 * not in the table is taken as an OCI architecture already (lower-cased).
 */
export function hostPlatform(dockerInfoArch: string, osType = "linux"): Platform {
  const machine = dockerInfoArch.trim().toLowerCase();
  if (!machine) throw new PowertrainError("docker info reported no architecture for the host");
  const known = MACHINES[machine] ?? { architecture: machine };
  return { os: osType.trim().toLowerCase() || "linux", ...known };
}

/** `linux/arm/v7`. */
function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

/** The runnable platforms an index offers, in its order: attestations (unknown/unknown) left out. */
export function indexPlatforms(index: IndexManifest): string[] {
  const names = index.manifests
    .filter((m) => m.platform && m.platform.os !== "unknown" && m.platform.architecture !== "unknown")
    .map((m) => platformName(m.platform as Platform));
  return [...new Set(names)];
}

/**
 * The index entry a host of `wanted` runs: the same os and architecture; with a variant, the
 * same variant, else one naming none, else (32-bit arm, whose CPUs run older variants) the
 * newest older one. Attestation entries never match.
 */
export function pickRunnable(index: IndexManifest, wanted: Platform): Descriptor | undefined {
  const same = index.manifests.filter(
    (m) => m.platform?.os === wanted.os && m.platform?.architecture === wanted.architecture,
  );
  if (!wanted.variant) return same[0];
  const exact = same.find((m) => m.platform?.variant === wanted.variant);
  if (exact) return exact;
  const plain = same.find((m) => !m.platform?.variant);
  if (plain || wanted.architecture !== "arm") return plain;
  const level = (v: string | undefined) => Number(/^v(\d+)$/.exec(v ?? "")?.[1] ?? Number.NaN);
  const older = same
    .filter((m) => level(m.platform?.variant) < level(wanted.variant))
    .sort((a, b) => level(b.platform?.variant) - level(a.platform?.variant));
  return older[0];
}

export interface PlatformImage {
  /** The image manifest the host will run: the index entry's, or `digest` itself for an image. */
  digest: string;
  platform: Platform;
}

/**
 * The image of `repository@digest` for `platform`, or a RegistryError naming what the reference
 * has instead: "…@sha256:… has no linux/arm64 image (it has linux/amd64)". A single image is
 * checked against its config's platform.
 */
export async function requirePlatform(
  client: RegistryClient,
  repository: string,
  digest: string,
  platform: Platform,
): Promise<PlatformImage> {
  const top = await client.getManifest(repository, digest);
  const where = `${client.registry}/${repository}@${digest}`;
  const missing = (has: string[]) =>
    new RegistryError(
      `${where} has no ${platformName(platform)} image (it has ${has.join(", ") || "no platform named"})`,
      { kind: "not-found", registry: client.registry, repository },
      {
        hint: `build it for ${platformName(platform)} too (build.platforms), or deploy it to a host of ${has[0] ?? "its platform"}`,
      },
    );
  if (top.manifest.kind === "index") {
    const entry = pickRunnable(top.manifest, platform);
    if (!entry?.platform) throw missing(indexPlatforms(top.manifest));
    return { digest: entry.digest, platform: entry.platform };
  }
  const config = await client.getConfig(repository, top.manifest);
  const own: Platform = {
    os: config.os ?? "",
    architecture: config.architecture ?? "",
    ...(config.variant ? { variant: config.variant } : {}),
  };
  if (own.os !== platform.os || own.architecture !== platform.architecture) {
    throw missing(own.os && own.architecture ? [platformName(own)] : []);
  }
  return { digest: top.digest, platform: own };
}
