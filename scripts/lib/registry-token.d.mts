import type { KeyObject } from "node:crypto";

export function basicUser(
  header: string | undefined,
  passwordOf: (user: string) => string | undefined,
): string | undefined | null;
export function jwt(key: KeyObject, kid: string, claims: object): string;
export function libtrustKeyId(publicKey: KeyObject): string;
