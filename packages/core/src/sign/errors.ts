/**
 * Why an image was refused. Every refusal is a VerificationError with a
 * `reason` a caller can branch on and a message that names what is missing;
 * it is a failure of the image (exit 1), not a usage mistake.
 */
import { PowertrainError } from "../errors";

export type RefusalReason =
  /** Nothing is stored under the digest's `.sig` tag (or no layer carries a signature). */
  | "no-signature"
  /** Signatures exist, none verifies with the key given. */
  | "signed-by-another-key"
  /** A signature verifies, but its payload names another manifest digest. */
  | "signature-of-another-digest"
  /** The stored payload or signature does not match what was signed (bytes changed). */
  | "tampered"
  /** No test-result attestation signed by the key for this digest. */
  | "no-test-attestation"
  /** The test-result attestation records failures (or no tests at all). */
  | "tests-failed";

export class VerificationError extends PowertrainError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A key file that cannot be used: wrong password, unknown format, not P-256. */
export class KeyError extends PowertrainError {
  override readonly userError = true;
}
