/**
 * The image's labels straight from the registry API: one manifest (two for a
 * multi-platform index) and the config blob — never a layer. The client
 * counts every byte it receives, so callers can show (and tests can prove)
 * how little was fetched.
 */
import type { Logger } from "../log";
import { RegistryClient } from "../registry/client";
import { type Credentials, resolveCredentials } from "../registry/credentials";
import { RegistryError } from "../registry/errors";
import { type ImageManifest, type Platform, pickPlatform } from "../registry/manifest";
import { formatReference, type ImageReference } from "../registry/reference";
import type { RegistryCredentialEntry } from "../registry/registry-auths";
import { ExtractError } from "./errors";

export interface RegistryImage {
  labels: Record<string, string>;
  /** `registry/repository@sha256:…` of what the reference points at (the index, for a multi-platform image). */
  pinned: string;
  /** Digest of the platform's own image manifest. */
  manifestDigest: string;
  /** Response body bytes received, tokens and manifests included. */
  bytesFetched: number;
  requests: number;
}

export interface RegistryReadOptions {
  platform: Platform;
  /** Explicit credentials, for `registry` (default the image's registry). */
  credentials?: Credentials;
  /**
   * The registry the explicit credentials and POWERTRAIN_REGISTRY_USER/PASSWORD belong to.
   * An image on another registry gets neither (docs/registry.md).
   */
  registry?: string;
  /** Per-registry credentials (`registry-auths`). */
  registryAuths?: readonly RegistryCredentialEntry[];
  insecure?: boolean;
  caFile?: string;
  logger: Logger;
}

export async function readFromRegistry(
  ref: ImageReference,
  options: RegistryReadOptions,
): Promise<RegistryImage> {
  const home = options.registry ?? ref.registry;
  const credentials = await resolveCredentials(ref.registry, {
    explicit: options.credentials ? { registry: home, credentials: options.credentials } : undefined,
    registryAuths: options.registryAuths,
    configuredRegistry: options.registry,
    logger: options.logger,
  });
  const client = new RegistryClient({
    registry: ref.registry,
    credentials,
    insecure: options.insecure,
    caFile: options.caFile,
    logger: options.logger,
  });
  const name = formatReference(ref);
  try {
    const top = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? "latest");
    let manifest: ImageManifest;
    let manifestDigest = top.digest;
    if (top.manifest.kind === "index") {
      const entry = pickPlatform(top.manifest, options.platform);
      if (!entry) {
        const offered = top.manifest.manifests
          .map((m) => m.platform && platformName(m.platform))
          .filter((p): p is string => Boolean(p) && p !== "unknown/unknown");
        throw new ExtractError(
          "not-found",
          `image ${name} has no ${platformName(options.platform)} variant (it has: ${offered.join(", ") || "none"})`,
        );
      }
      const child = await client.getManifest(ref.repository, entry.digest);
      if (child.manifest.kind !== "image") {
        throw new ExtractError("not-found", `image ${name}: ${entry.digest} is a nested index, not an image`);
      }
      manifest = child.manifest;
      manifestDigest = child.digest;
    } else {
      manifest = top.manifest;
    }
    const config = await client.getConfig(ref.repository, manifest);
    const actual = config.os && config.architecture ? `${config.os}/${config.architecture}` : undefined;
    if (
      top.manifest.kind === "image" &&
      actual &&
      actual !== platformName({ ...options.platform, variant: undefined })
    ) {
      options.logger.warn(`image ${name} is a single ${actual} image, not ${platformName(options.platform)}`);
    }
    options.logger.debug(
      `read ${name} from the registry: ${client.requests} requests, ${client.bytesReceived} bytes, no layers`,
    );
    return {
      labels: config.labels,
      pinned: `${ref.registry}/${ref.repository}@${top.digest}`,
      manifestDigest,
      bytesFetched: client.bytesReceived,
      requests: client.requests,
    };
  } catch (err) {
    throw translate(err, name, ref, credentials?.username);
  } finally {
    await client.close();
  }
}

/** Registry errors in the words of this feature: which image, which registry, which user. */
function translate(err: unknown, name: string, ref: ImageReference, user: string | undefined): unknown {
  if (!(err instanceof RegistryError)) return err;
  if (err.kind === "not-found") {
    return new ExtractError("not-found", `image ${name} not found in registry ${ref.registry}`, {
      cause: err,
    });
  }
  if (err.kind === "auth") {
    const who = user ? `user ${user}` : "anonymous access (no credentials given)";
    const what = err.status === 403 ? "access denied" : "authentication failed";
    return new ExtractError(
      "no-access",
      `no access to ${ref.registry}/${ref.repository} for ${who}: ${what}`,
      { cause: err, hint: err.hint },
    );
  }
  return err;
}

export function platformName(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}
