/**
 * Verify what sign.ts (or `cosign sign --key` / `cosign attest --key`) wrote:
 * a signature counts only when it verifies with the key over the exact
 * payload bytes, those bytes match the layer's digest, and the payload names
 * the digest asked for. Refusals say which of those failed.
 */
import { verify } from "node:crypto";
import type { RegistryClient } from "../registry/client";
import { sha256 } from "../registry/client";
import { type RefusalReason, VerificationError } from "./errors";
import {
  DSSE_MEDIA_TYPE,
  type DsseEnvelope,
  IN_TOTO_PAYLOAD_TYPE,
  payloadDigest,
  preAuthEncoding,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from "./format";
import type { VerifyingKey } from "./keys";
import { type InTotoStatement, KEY_ID_ANNOTATION } from "./sign";
import { readCosignLayers, type StoredLayer } from "./store";

export interface VerifyTarget {
  client: RegistryClient;
  repository: string;
  digest: string;
  key: VerifyingKey;
}

export interface VerifiedSignature {
  keyId: string;
  /** The docker-reference the payload names (the repository it was signed in). */
  signedReference?: string;
}

/** Why one layer did not admit the digest; the most telling reason wins the refusal. */
type LayerVerdict = { ok: true; reference?: string } | { ok: false; reason: RefusalReason; detail: string };

/** The signature check alone; throws VerificationError when no signature admits `digest`. */
export async function verifySignature(target: VerifyTarget): Promise<VerifiedSignature> {
  const { client, repository, digest, key } = target;
  const where = `${client.registry}/${repository}@${digest}`;
  const layers = (await readCosignLayers(client, repository, digest, "sig")).filter(
    (l) => l.descriptor.mediaType === SIMPLE_SIGNING_MEDIA_TYPE,
  );
  if (layers.length === 0) {
    throw new VerificationError("no-signature", `${where}: no signature`, {
      hint: `sign it: powertrain sign ${where} --key <private key>`,
    });
  }
  const verdicts = layers.map((l) => judgeSignature(l, digest, key));
  const good = verdicts.find((v) => v.ok);
  if (good?.ok) return { keyId: key.keyId, signedReference: good.reference };
  throw refusal(where, verdicts, layers.length);
}

function judgeSignature(layer: StoredLayer, digest: string, key: VerifyingKey): LayerVerdict {
  const { descriptor, blob } = layer;
  if (sha256(blob) !== descriptor.digest) {
    return { ok: false, reason: "tampered", detail: "a signed payload does not match its digest" };
  }
  const sig = descriptor.annotations?.[SIGNATURE_ANNOTATION] ?? "";
  if (!verifies(blob, sig, key)) return notByThisKey(descriptor.annotations, key);
  const signed = payloadDigest(blob);
  if (signed !== digest) {
    return {
      ok: false,
      reason: "signature-of-another-digest",
      detail: `the signature is of ${signed ?? "something that is not an image digest"}`,
    };
  }
  const reference = (
    JSON.parse(blob.toString("utf8")) as { critical?: { identity?: Record<string, string> } }
  ).critical?.identity?.["docker-reference"];
  return { ok: true, reference };
}

/** A signature that does not verify: another key's, unless it claims to be ours (then it was altered). */
function notByThisKey(annotations: Record<string, string> | undefined, key: VerifyingKey): LayerVerdict {
  const claimed = annotations?.[KEY_ID_ANNOTATION];
  if (claimed === key.keyId) {
    return { ok: false, reason: "tampered", detail: "a signature made with this key no longer verifies" };
  }
  return {
    ok: false,
    reason: "signed-by-another-key",
    detail: claimed ? `signed by key ${short(claimed)}` : "its signatures do not verify with this key",
  };
}

const PRECEDENCE: RefusalReason[] = ["tampered", "signature-of-another-digest", "signed-by-another-key"];

function refusal(where: string, verdicts: LayerVerdict[], count: number): VerificationError {
  const failed = verdicts.filter((v): v is Extract<LayerVerdict, { ok: false }> => !v.ok);
  const worst = PRECEDENCE.map((r) => failed.find((v) => v.reason === r)).find(Boolean) ?? failed[0]!;
  const label: Record<string, string> = {
    tampered: "tampered",
    "signature-of-another-digest": "signature of another digest",
    "signed-by-another-key": "signed by another key",
  };
  const of = count === 1 ? "" : ` (${count} signatures, none valid)`;
  return new VerificationError(worst.reason, `${where}: ${label[worst.reason]}: ${worst.detail}${of}`);
}

function verifies(data: Buffer, base64Signature: string, key: VerifyingKey): boolean {
  if (!base64Signature) return false;
  try {
    return verify("sha256", data, key.publicKey, Buffer.from(base64Signature, "base64"));
  } catch {
    return false;
  }
}

// ——— attestations ———

export interface StoredAttestation {
  statement: InTotoStatement;
  /** True when a DSSE signature verifies with the key given and the statement's subject is the digest. */
  verified: boolean;
  /** Why not, when not verified (no key given, another key, another subject, damaged). */
  problem?: string;
}

/**
 * Every attestation stored for `digest`, each checked against `key` when one
 * is given. Damaged envelopes are listed with their problem rather than thrown.
 */
export async function readAttestations(
  target: Omit<VerifyTarget, "key"> & { key?: VerifyingKey },
): Promise<StoredAttestation[]> {
  const { client, repository, digest, key } = target;
  const layers = (await readCosignLayers(client, repository, digest, "att")).filter(
    (l) => l.descriptor.mediaType === DSSE_MEDIA_TYPE,
  );
  const out: StoredAttestation[] = [];
  for (const layer of layers) {
    const parsed = parseEnvelope(layer.blob);
    if (!parsed) continue;
    const { envelope, payload, statement } = parsed;
    let problem: string | undefined;
    if (sha256(layer.blob) !== layer.descriptor.digest) problem = "tampered: does not match its digest";
    else if (!key) problem = "not verified (no key given)";
    else if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) problem = `payload type ${envelope.payloadType}`;
    else if (
      !envelope.signatures.some((s) => verifies(preAuthEncoding(envelope.payloadType, payload), s.sig, key))
    )
      problem = "signature does not verify with this key";
    else if (!statement.subject?.some((s) => `sha256:${s.digest?.sha256}` === digest))
      problem = "its subject is another digest";
    out.push({ statement, verified: !problem, ...(problem ? { problem } : {}) });
  }
  return out;
}

function parseEnvelope(
  blob: Buffer,
): { envelope: DsseEnvelope; payload: Buffer; statement: InTotoStatement } | undefined {
  try {
    const envelope = JSON.parse(blob.toString("utf8")) as DsseEnvelope;
    const payload = Buffer.from(envelope.payload, "base64");
    const statement = JSON.parse(payload.toString("utf8")) as InTotoStatement;
    if (!Array.isArray(envelope.signatures)) return undefined;
    return { envelope, payload, statement };
  } catch {
    return undefined;
  }
}

function short(keyId: string): string {
  return `${keyId.slice(0, 19)}…`;
}
