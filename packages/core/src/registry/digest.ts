/**
 * Content addressing: the bytes a registry returns for a digest must hash to
 * that digest, whatever the registry's headers say. sha256 and sha512 are the
 * algorithms the OCI image spec registers.
 */
import { createHash } from "node:crypto";

const ALGORITHMS: Record<string, string> = { sha256: "sha256", sha512: "sha512" };

export function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The digest of `data` with the algorithm `like` names (`sha256:…`, `sha512:…`); undefined for an unknown algorithm. */
export function digestLike(like: string, data: Buffer): string | undefined {
  const algorithm = ALGORITHMS[like.split(":")[0] ?? ""];
  return algorithm ? `${algorithm}:${createHash(algorithm).update(data).digest("hex")}` : undefined;
}

/** True for a reference that is a digest rather than a tag. */
export function isDigest(reference: string): boolean {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(reference) && reference.includes(":");
}
