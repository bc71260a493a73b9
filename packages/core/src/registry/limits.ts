/**
 * How much a registry may make this process read and wait: every body is
 * read as a stream that stops at its cap, so a hostile or broken registry
 * cannot fill the runner's memory, and pagination has a page cap.
 */
import type { Readable } from "node:stream";

export interface RegistryLimits {
  /** A manifest or index (distribution and containerd refuse more than 4 MiB too). */
  manifestBytes: number;
  /** An image config blob read into memory. */
  configBytes: number;
  /** A token service answer. */
  tokenBytes: number;
  /** An error body, read only to quote its message. */
  errorBodyBytes: number;
  /** One page of a tag or repository list. */
  listBytes: number;
  /** Pages followed through `Link: rel="next"`. */
  pages: number;
}

export const DEFAULT_LIMITS: RegistryLimits = {
  manifestBytes: 4 << 20,
  configBytes: 8 << 20,
  tokenBytes: 1 << 20,
  errorBodyBytes: 64 << 10,
  listBytes: 16 << 20,
  pages: 1000,
};

export class BodyTooLarge extends Error {
  constructor(readonly cap: number) {
    super(`more than ${cap} bytes`);
  }
}

/**
 * The whole body, unless it is (or announces to be) larger than `cap`: then the
 * stream is destroyed at once and BodyTooLarge thrown. `onBytes` counts what arrived.
 */
export async function readCapped(
  body: Readable,
  cap: number,
  contentLength: string | undefined,
  onBytes: (n: number) => void,
): Promise<Buffer> {
  const declared = Number(contentLength);
  if (contentLength && Number.isFinite(declared) && declared > cap) {
    body.destroy();
    throw new BodyTooLarge(cap);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    onBytes(buf.length);
    if (total > cap) {
      body.destroy();
      throw new BodyTooLarge(cap);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
