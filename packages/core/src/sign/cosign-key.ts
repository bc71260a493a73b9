/**
 * cosign's own private key files (`cosign generate-key-pair`): a PEM block
 * `ENCRYPTED SIGSTORE PRIVATE KEY` (or the older `ENCRYPTED COSIGN PRIVATE
 * KEY`) holding go-securesystemslib's `encrypted` JSON — scrypt derives a
 * 32-byte key from the password, nacl secretbox seals the PKCS#8 DER.
 */
import { randomBytes, scryptSync } from "node:crypto";
import nacl from "tweetnacl";
import { KeyError } from "./errors";

export const COSIGN_KEY_PEM_TYPES = ["ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"];

interface EncryptedKey {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

/** cosign's (and securesystemslib's) defaults. */
const SCRYPT = { N: 32768, r: 8, p: 1 };

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Uint8Array {
  // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly too small for N=32768, r=8.
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return scryptSync(password, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem });
}

/** The PKCS#8 DER inside an encrypted cosign key (the PEM block's bytes). */
export function decryptCosignKey(sealed: Buffer, password: string): Buffer {
  let doc: EncryptedKey;
  try {
    doc = JSON.parse(sealed.toString("utf8")) as EncryptedKey;
  } catch {
    throw new KeyError("the cosign key file is damaged: its encrypted block is not JSON");
  }
  if (doc.kdf?.name !== "scrypt" || doc.cipher?.name !== "nacl/secretbox") {
    throw new KeyError(
      `unsupported cosign key encryption (${doc.kdf?.name ?? "?"} + ${doc.cipher?.name ?? "?"}); expected scrypt + nacl/secretbox`,
    );
  }
  const key = derive(password, Buffer.from(doc.kdf.salt, "base64"), doc.kdf.params);
  const opened = nacl.secretbox.open(
    Buffer.from(doc.ciphertext, "base64"),
    Buffer.from(doc.cipher.nonce, "base64"),
    key,
  );
  if (!opened) {
    throw new KeyError("cannot decrypt the cosign key: wrong password", {
      hint: "set POWERTRAIN_SIGN_PASSWORD (or COSIGN_PASSWORD) to the key's password",
    });
  }
  return Buffer.from(opened);
}

/** Seal PKCS#8 DER the way cosign does, for keys powertrain writes and for tests. */
export function encryptCosignKey(pkcs8: Buffer, password: string): Buffer {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const sealed = nacl.secretbox(pkcs8, nonce, derive(password, salt, SCRYPT));
  const doc: EncryptedKey = {
    kdf: { name: "scrypt", params: SCRYPT, salt: salt.toString("base64") },
    cipher: { name: "nacl/secretbox", nonce: nonce.toString("base64") },
    ciphertext: Buffer.from(sealed).toString("base64"),
  };
  return Buffer.from(JSON.stringify(doc));
}
