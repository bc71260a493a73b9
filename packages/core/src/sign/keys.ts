/**
 * Keys for signing and verifying: cosign's encrypted key files, plain PEM
 * private keys as openssl writes them (PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE
 * KEY`, password-protected `ENCRYPTED PRIVATE KEY`), and PEM SPKI public keys.
 * Only ECDSA P-256 — what cosign signs with by default and every verifier knows.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { COSIGN_KEY_PEM_TYPES, decryptCosignKey } from "./cosign-key";
import { KeyError } from "./errors";

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `sha256:<hex>` of the public key's SPKI DER: names the key in logs and summaries. */
  keyId: string;
}

export interface VerifyingKey {
  publicKey: KeyObject;
  keyId: string;
}

interface PemBlock {
  type: string;
  der: Buffer;
}

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block of `text`, in order. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM)].map((m) => ({
    type: m[1]!,
    // Headers (Proc-Type…) would sit before a blank line; cosign and openssl PKCS#8 write none.
    der: Buffer.from(m[2]!.replace(/\s+/g, ""), "base64"),
  }));
}

/**
 * The PEM text a key source names: PEM itself, `env://NAME` (as cosign spells
 * it), or a file path. `label` names the source in errors.
 */
export async function readKeySource(
  source: string,
  env: NodeJS.ProcessEnv = process.env,
  label = "key",
): Promise<string> {
  const trimmed = source.trim();
  if (trimmed.startsWith("-----BEGIN")) return trimmed;
  if (trimmed.startsWith("env://")) {
    const name = trimmed.slice("env://".length);
    const value = env[name];
    if (!value) throw new KeyError(`${label}: environment variable ${name} is not set`);
    return value;
  }
  try {
    return await readFile(trimmed, "utf8");
  } catch (err) {
    throw new KeyError(`${label}: cannot read ${trimmed}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** A private key from PEM text; `password` opens cosign keys and encrypted PKCS#8. */
export function parsePrivateKey(pem: string, password?: string): SigningKey {
  const block = pemBlocks(pem).find((b) => b.type.includes("PRIVATE KEY"));
  if (!block) throw new KeyError("no private key found (expected a PEM block ending in PRIVATE KEY)");
  let privateKey: KeyObject;
  if (COSIGN_KEY_PEM_TYPES.includes(block.type)) {
    if (password === undefined) {
      throw new KeyError("this cosign key is encrypted and no password was given", {
        hint: "set POWERTRAIN_SIGN_PASSWORD (or COSIGN_PASSWORD); an empty password is allowed",
      });
    }
    privateKey = createPrivateKey({
      key: decryptCosignKey(block.der, password),
      format: "der",
      type: "pkcs8",
    });
  } else {
    try {
      privateKey = createPrivateKey({ key: pem, format: "pem", passphrase: password });
    } catch (err) {
      throw new KeyError(`cannot read the ${block.type}: ${(err as Error).message}`);
    }
  }
  const publicKey = createPublicKey(privateKey);
  requireP256(publicKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A public key from PEM text: SPKI `PUBLIC KEY`; a private key is accepted and its public half used. */
export function parsePublicKey(pem: string, password?: string): VerifyingKey {
  const blocks = pemBlocks(pem);
  const pub = blocks.find((b) => b.type === "PUBLIC KEY");
  if (!pub) {
    if (blocks.some((b) => b.type.includes("PRIVATE KEY"))) {
      const { publicKey, keyId } = parsePrivateKey(pem, password);
      return { publicKey, keyId };
    }
    throw new KeyError("no public key found (expected a PEM block BEGIN PUBLIC KEY)");
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pub.der, format: "der", type: "spki" });
  } catch (err) {
    throw new KeyError(`cannot read the PUBLIC KEY: ${(err as Error).message}`);
  }
  requireP256(publicKey);
  return { publicKey, keyId: keyIdOf(publicKey) };
}

export async function loadSigningKey(
  source: string,
  password?: string,
  env?: NodeJS.ProcessEnv,
): Promise<SigningKey> {
  return parsePrivateKey(await readKeySource(source, env, "signing key"), password);
}

export async function loadVerifyingKey(source: string, env?: NodeJS.ProcessEnv): Promise<VerifyingKey> {
  return parsePublicKey(await readKeySource(source, env, "verification key"));
}

/** The signing password from the environment, as cosign reads it (empty is a valid password). */
export function signPasswordFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.POWERTRAIN_SIGN_PASSWORD ?? env.COSIGN_PASSWORD;
}

export function publicKeyPem(key: VerifyingKey): string {
  return key.publicKey.export({ format: "pem", type: "spki" }).toString();
}

function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ format: "der", type: "spki" });
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

function requireP256(key: KeyObject): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== "ec" || curve !== "prime256v1") {
    const what = key.asymmetricKeyType === "ec" ? `EC ${curve}` : key.asymmetricKeyType;
    throw new KeyError(`unsupported key type ${what}: only ECDSA P-256 keys are supported`, {
      hint: "make one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
    });
  }
}
