/** Container labels and names: how powertrain finds its own containers again. */
import { randomBytes } from "node:crypto";
import { UsageError } from "../errors";

export const LABEL = {
  app: "dev.powertrain.app",
  environment: "dev.powertrain.environment",
  version: "dev.powertrain.version",
  digest: "dev.powertrain.digest",
  image: "dev.powertrain.image",
  deployId: "dev.powertrain.deploy-id",
  /** The host name the container was deployed through. */
  host: "dev.powertrain.host",
  /** host:port:app:version, for service discovery. */
  discovery: "dev.powertrain.discovery",
} as const;

/** `sha256:abcdef…` → `abcdef123456`. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** `<app>-<env>-<short digest>-<i>-<random>`: unique, sortable by eye, valid for docker. */
export function containerName(app: string, environment: string, digest: string, index: number): string {
  return `${app}-${environment}-${shortDigest(digest)}-${index}-${randomBytes(3).toString("hex")}`;
}

/** A deploy id: time-ordered and unique enough across runners. */
export function newDeployId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** The registry host of an image reference ("docker.io" when it names none). */
export function registryOf(image: string): string {
  const first = parseImageRef(image).repository.split("/")[0] ?? "";
  return image.includes("/") && (/[.:]/.test(first) || first === "localhost") ? first : "docker.io";
}

/** Digest and version out of an image reference `registry/repo[:tag]@sha256:…`. */
export function parseImageRef(ref: string): { repository: string; tag?: string; digest: string } {
  const m = /^(.+?)(?::([\w][\w.-]{0,127}))?@(sha256:[a-f0-9]{64})$/.exec(ref);
  if (!m) return { repository: ref, digest: "" };
  return { repository: m[1]!, tag: m[2], digest: m[3]! };
}

/** The version a deploy of `image` is labelled with when none is given: its tag, else its short digest. */
export function defaultVersion(image: string): string | undefined {
  const ref = parseImageRef(image);
  return ref.tag ?? (ref.digest ? ref.digest.slice(7, 19) : undefined);
}

/** The parts of a pinned reference; a tag alone is refused: only a digest is immutable. */
export function requirePinned(image: string): { repository: string; tag?: string; digest: string } {
  const ref = parseImageRef(image);
  if (!ref.digest) {
    throw new UsageError(
      `image "${image}" is not pinned: expected registry/repository[:tag]@sha256:<digest>`,
    );
  }
  return ref;
}
