/**
 * Sign a pinned image digest, and attach a signed in-toto statement to it,
 * both in cosign's layout so that `cosign verify` / `cosign verify-attestation`
 * accept what powertrain writes.
 */
import { type KeyObject, sign, verify } from "node:crypto";
import { PowertrainError } from "../errors";
import type { Logger } from "../log";
import type { RegistryClient } from "../registry/client";
import {
  type CosignDescriptor,
  DSSE_MEDIA_TYPE,
  type DsseEnvelope,
  descriptor,
  IN_TOTO_PAYLOAD_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  preAuthEncoding,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  simpleSigningPayload,
} from "./format";
import type { SigningKey } from "./keys";
import { type AppendResult, appendCosignLayer } from "./store";

/**
 * Names the key a layer claims to be signed with (`sha256:` of its SPKI).
 * Unauthenticated and ignored by cosign; it only lets a refusal tell
 * "signed by another key" from "tampered". Acceptance is always the signature check.
 */
export const KEY_ID_ANNOTATION = "dev.powertrain.sign/key-id";

export interface SignTarget {
  client: RegistryClient;
  repository: string;
  /** `sha256:…` — only pinned digests are signed, never a tag. */
  digest: string;
  key: SigningKey;
  /** Also write an OCI 1.1 referrer (default true). */
  referrer?: boolean;
  logger?: Logger;
}

export interface SignResult extends AppendResult {
  keyId: string;
  /** `registry/repository@digest` that was signed. */
  image: string;
}

export async function signImage(target: SignTarget): Promise<SignResult> {
  const { client, repository, digest, key } = target;
  await requireManifest(client, repository, digest);
  const image = `${client.registry}/${repository}`;
  const payload = simpleSigningPayload(image, digest);
  const signature = sign("sha256", payload, key.privateKey).toString("base64");
  const layer = descriptor(SIMPLE_SIGNING_MEDIA_TYPE, payload, {
    [SIGNATURE_ANNOTATION]: signature,
    [KEY_ID_ANNOTATION]: key.keyId,
  });
  // ECDSA signatures differ each time: a valid signature by this key over the same payload is "already signed".
  const equivalent = (l: CosignDescriptor, blob: Buffer) =>
    l.annotations?.[KEY_ID_ANNOTATION] === key.keyId &&
    verifyData(blob, l.annotations?.[SIGNATURE_ANNOTATION] ?? "", key.publicKey);
  const result = await appendCosignLayer(client, repository, digest, "sig", layer, payload, {
    referrer: target.referrer,
    equivalent,
  });
  target.logger?.info(
    `signed ${image}@${digest} with key ${key.keyId.slice(0, 19)}… (${result.tag}${result.added ? "" : ", already signed"})`,
  );
  return { ...result, keyId: key.keyId, image: `${image}@${digest}` };
}

export interface InTotoStatement<P = unknown> {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: P;
}

/** The statement type `cosign attest` writes (and every verifier reads). */
export const IN_TOTO_STATEMENT_V01 = "https://in-toto.io/Statement/v0.1";

export function statementFor<P>(
  image: string,
  digest: string,
  predicateType: string,
  predicate: P,
): InTotoStatement<P> {
  return {
    _type: IN_TOTO_STATEMENT_V01,
    subject: [{ name: image, digest: { sha256: digest.replace(/^sha256:/, "") } }],
    predicateType,
    predicate,
  };
}

/** DSSE-sign `statement` with `key`. */
export function signEnvelope(statement: unknown, key: SigningKey): DsseEnvelope {
  const payload = Buffer.from(JSON.stringify(statement));
  const sig = sign("sha256", preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), key.privateKey);
  return {
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: payload.toString("base64"),
    // cosign writes an empty keyid for key-based attestations; verifiers match by key, not by id.
    signatures: [{ keyid: "", sig: sig.toString("base64") }],
  };
}

export async function attestImage(
  target: SignTarget & { predicateType: string; predicate: unknown },
): Promise<SignResult> {
  const { client, repository, digest, key } = target;
  await requireManifest(client, repository, digest);
  const image = `${client.registry}/${repository}`;
  const envelope = Buffer.from(
    JSON.stringify(signEnvelope(statementFor(image, digest, target.predicateType, target.predicate), key)),
  );
  const layer = descriptor(DSSE_MEDIA_TYPE, envelope, {
    [SIGNATURE_ANNOTATION]: "",
    [PREDICATE_TYPE_ANNOTATION]: target.predicateType,
    [KEY_ID_ANNOTATION]: key.keyId,
  });
  const result = await appendCosignLayer(client, repository, digest, "att", layer, envelope, target);
  target.logger?.info(`attached ${target.predicateType} to ${image}@${digest} (${result.tag})`);
  return { ...result, keyId: key.keyId, image: `${image}@${digest}` };
}

async function requireManifest(client: RegistryClient, repository: string, digest: string): Promise<void> {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new PowertrainError(`only a pinned sha256 digest can be signed, not "${digest}"`);
  }
  if (!(await client.manifestExists(repository, digest))) {
    throw new PowertrainError(`${client.registry}/${repository}@${digest} does not exist; push it first`);
  }
}

function verifyData(data: Buffer, base64Signature: string, publicKey: KeyObject): boolean {
  try {
    return (
      base64Signature !== "" && verify("sha256", data, publicKey, Buffer.from(base64Signature, "base64"))
    );
  } catch {
    return false;
  }
}
