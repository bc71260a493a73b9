/** Small pieces of HTTP the registry transport and client share. */
import type { Credentials } from "./credentials";

export interface Headers {
  headers: Record<string, string | string[] | undefined>;
}

/** Error codes of a failed connection that are worth another attempt. */
export const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

export function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(" ");
}

export function basic(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
}

export function header(res: Headers, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function describe(call: { method: string; path: string }): string {
  const path = call.path.replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "");
  return `${call.method} ${path}`;
}

/** The first error message of a distribution error body, for context. */
export function errorText(body: string): string {
  try {
    const json = JSON.parse(body) as { errors?: { message?: string }[] };
    const message = json.errors?.[0]?.message;
    return message ? `: ${message}` : "";
  } catch {
    return "";
  }
}
