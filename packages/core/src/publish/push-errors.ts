/**
 * Telling docker push failures apart by their message: a wrong password or a
 * missing repository must fail at once with a clear error, a refused
 * connection or a 5xx deserves another attempt.
 */

export type PushFailure = "auth" | "not-found" | "transient" | "other";

const AUTH = /unauthorized|authentication required|no basic auth credentials|denied|\b40[13]\b|forbidden/i;
const NOT_FOUND = /name unknown|repository .* not found|\b404\b/i;
const TRANSIENT =
  /connection refused|connection reset|broken pipe|i\/o timeout|timeout exceeded|tls handshake timeout|\bEOF\b|no such host|temporary failure|server misbehaving|\b50[0234]\b|internal server error|bad gateway|service unavailable|gateway timeout|net\/http/i;

export function classifyPushError(stderr: string): PushFailure {
  if (AUTH.test(stderr)) return "auth";
  if (NOT_FOUND.test(stderr)) return "not-found";
  if (TRANSIENT.test(stderr)) return "transient";
  return "other";
}

/** `latest: digest: sha256:… size: 527` → the digest docker reports for the pushed tag. */
export function pushedDigest(output: string): string | undefined {
  return output.match(/digest:\s*(sha256:[a-f0-9]{64})/)?.[1];
}
