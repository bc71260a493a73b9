/**
 * The one place that knows what an image reference says: which registry, which repository, which
 * tag, which digest, and which version a deploy of it is labelled with. Parsing itself is
 * registry/reference.ts (docker's grammar, strict); everything else builds on it here.
 */
import { UsageError } from "../errors";
import { DIGEST_PATTERN, type ImageReference, parseReference } from "../registry/reference";

export { DIGEST_PATTERN, DOCKER_HUB, formatReference, type ImageReference } from "../registry/reference";

/** A reference that names its digest: the only kind a deploy accepts (a tag can move). */
export interface PinnedReference extends ImageReference {
  digest: string;
}

/** `sha256:abcdef…` → `abcdef123456` (the first 12 hex digits, as docker prints image IDs). */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** The parts of `image`; UsageError for anything docker would refuse (an option such as `-oX` included). */
export function parseImage(image: string): ImageReference {
  return parseReference(image);
}

/** The parts of a pinned reference; a tag alone is refused: only a digest is immutable. */
export function requirePinned(image: string): PinnedReference {
  const ref = parseImage(image);
  if (!ref.digest) {
    throw new UsageError(
      `image "${image}" is not pinned: expected registry/repository[:tag]@sha256:<digest>`,
    );
  }
  return ref as PinnedReference;
}

/** The registry host of an image reference ("docker.io" when it names none). */
export function registryOf(image: string): string {
  return parseImage(image).registry;
}

/** The digest a reference pins, or "" (lenient: for labels read back from a host). */
export function digestOf(image: string): string {
  const at = image.lastIndexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : "";
  return DIGEST_PATTERN.test(digest) ? digest : "";
}

/**
 * The version a deploy of `image` is labelled with when none is given: the image's own
 * `org.opencontainers.image.version` label when known, else its tag, else its short digest.
 */
export function defaultVersion(image: string, imageVersionLabel?: string): string | undefined {
  if (imageVersionLabel) return imageVersionLabel;
  let ref: ImageReference;
  try {
    ref = parseImage(image);
  } catch {
    return undefined;
  }
  return ref.tag ?? (ref.digest ? shortDigest(ref.digest) : undefined);
}

/** A version label goes into container labels, history lines and nginx comments: one safe word. */
const VERSION = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;

/** The version as given, or UsageError when it could break a line or start an option. */
export function checkVersion(version: string): string {
  if (!VERSION.test(version)) {
    throw new UsageError(
      `version "${version}": expected letters, digits, ".", "_", "+" and "-" (at most 128, not starting with "-" or ".")`,
    );
  }
  return version;
}
