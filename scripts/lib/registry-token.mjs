// What a token server after the distribution token spec (docs/spec/auth/token.md) signs and
// checks, shared by scripts/token-server.mjs (setup's token registry) and the tests' in-process
// issuer (test/registry/support/token-issuer.ts). Types: registry-token.d.mts.
import { createHash, sign } from "node:crypto";

/** The user for valid basic credentials, undefined without any, null for wrong ones. */
export function basicUser(header, passwordOf) {
  if (!header) return undefined;
  const m = header.match(/^Basic\s+(.+)$/i);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = decoded.slice(0, colon);
  const password = colon > 0 ? passwordOf(user) : undefined;
  return password !== undefined && password === decoded.slice(colon + 1) ? user : null;
}

/** A JWT of `claims`, ES256-signed by `key`, its header naming the key by `kid`. */
export function jwt(key, kid, claims) {
  const b64 = (v) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString("base64url");
  const input = `${b64({ typ: "JWT", alg: "ES256", kid })}.${b64(claims)}`;
  const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64(signature)}`;
}

/** libtrust's key id: base32 of the first 240 bits of sha256(DER SPKI), in 12 colon-separated groups of 4. */
export function libtrustKeyId(publicKey) {
  const der = publicKey.export({ type: "spki", format: "der" });
  const data = createHash("sha256").update(der).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g).join(":");
}
