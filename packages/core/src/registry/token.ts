/**
 * One token request to the realm a registry named, after the distribution
 * token spec: `GET realm?service=…&scope=…` with basic credentials (or none),
 * or — for an identity token from `docker login` (docker's `identitytoken`) —
 * the OAuth2 refresh-token grant `POST realm` as docker does it. The caller
 * decides about retries from the result's kind.
 */
import type { Dispatcher } from "undici";
import { request } from "undici";
import type { Logger } from "../log";
import type { Credentials } from "./credentials";
import { BodyTooLarge, readCapped } from "./limits";
import { parseRetryAfter } from "./retry-after";

export interface TokenRealm {
  url: URL;
  service?: string;
}

export interface TokenRequest {
  realm: TokenRealm;
  scopes: string[];
  credentials?: Credentials;
  dispatcher: Dispatcher;
  /** Largest answer read. */
  cap: number;
  /** Epoch ms after which the request is abandoned. */
  deadline: number;
  logger: Logger;
  onBytes(n: number): void;
}

export type TokenResult =
  | { kind: "token"; token: string; expiresIn: number }
  /** 401/403: the credentials are wrong or lack access; retrying does not help. */
  | { kind: "denied"; status: number }
  /** Worth another attempt: unreachable, 5xx, 429. */
  | { kind: "retry"; message: string; status?: number; retryAfterMs?: number; cause?: unknown }
  | { kind: "fatal"; message: string; status?: number; cause?: unknown };

/** The client id docker sends with OAuth2 requests is its own name; ours is ours. */
const CLIENT_ID = "powertrain";

export async function fetchToken(req: TokenRequest): Promise<TokenResult> {
  const { realm, scopes, credentials } = req;
  const url = new URL(realm.url);
  const headers: Record<string, string> = { "user-agent": "powertrain" };
  let method: "GET" | "POST" = "GET";
  let body: string | undefined;
  if (credentials?.identityToken) {
    method = "POST";
    headers["content-type"] = "application/x-www-form-urlencoded";
    const form = new URLSearchParams({ grant_type: "refresh_token", client_id: CLIENT_ID });
    if (realm.service) form.set("service", realm.service);
    if (scopes.length) form.set("scope", scopes.join(" "));
    form.set("refresh_token", credentials.password);
    body = form.toString();
  } else {
    if (realm.service) url.searchParams.set("service", realm.service);
    for (const s of scopes) url.searchParams.append("scope", s);
    if (credentials) {
      headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    }
  }
  req.logger.debug(`${method} ${url.origin}${url.pathname} (token for ${scopes.join(" ")})`);

  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method,
      headers,
      body,
      dispatcher: req.dispatcher,
      signal: AbortSignal.timeout(Math.max(1, req.deadline - Date.now())),
    });
  } catch (err) {
    return { kind: "retry", message: `unreachable (${(err as Error).message})`, cause: err };
  }
  let text: string;
  try {
    text = (await readCapped(res.body, req.cap, first(res.headers["content-length"]), req.onBytes)).toString(
      "utf8",
    );
  } catch (err) {
    if (err instanceof BodyTooLarge) return { kind: "fatal", message: `answered more than ${err.cap} bytes` };
    return { kind: "retry", message: `answer cut off (${(err as Error).message})`, cause: err };
  }
  const status = res.statusCode;
  if (status === 401 || status === 403) return { kind: "denied", status };
  if (status === 429 || status >= 500) {
    return {
      kind: "retry",
      message: `answered ${status}`,
      status,
      retryAfterMs: parseRetryAfter(first(res.headers["retry-after"])),
    };
  }
  if (status !== 200) return { kind: "fatal", message: `answered ${status}`, status };
  let json: { token?: string; access_token?: string; expires_in?: number };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return { kind: "fatal", message: "answered something that is not JSON" };
  }
  const token = json.token ?? json.access_token;
  if (!token || typeof token !== "string") return { kind: "fatal", message: "returned no token" };
  return { kind: "token", token, expiresIn: typeof json.expires_in === "number" ? json.expires_in : 60 };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
