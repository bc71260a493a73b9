/**
 * The HTTP side of the registry client: retries with backoff (network errors,
 * 5xx, 429 with its Retry-After), the 401 challenge flow (basic, bearer tokens
 * from the realm the registry names, OAuth2 refresh tokens), capped body reads
 * and a total deadline per request. Credentials are bound to the registry's
 * origin: an Authorization header goes to that origin and to its token realm
 * only — never to an upload Location or a redirect on another origin.
 */

import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { rootCertificates } from "node:tls";
import { Agent, type Dispatcher, interceptors, request } from "undici";
import type { Logger } from "../log";
import { parseWwwAuthenticate } from "./challenge";
import type { Credentials } from "./credentials";
import { RegistryError, type RegistryErrorKind } from "./errors";
import { basic, describe, errorText, header, NETWORK_CODES, scopeKey } from "./http-util";
import { BodyTooLarge, DEFAULT_LIMITS, type RegistryLimits, readCapped } from "./limits";
import { parseRetryAfter } from "./retry-after";
import { fetchToken, type TokenRealm } from "./token";

export interface TransportOptions {
  registry: string;
  /** `http(s)://host[:port]` of the API. */
  base: string;
  credentials?: Credentials;
  insecure: boolean;
  caFile?: string;
  attempts: number;
  retryDelayMs: number;
  timeoutMs: number;
  /** Total time one request may take with its retries, waits and token fetches. */
  deadlineMs: number;
  /** The longest Retry-After this client waits out; a longer one ends the request. */
  maxRetryAfterMs: number;
  limits: RegistryLimits;
  logger: Logger;
}

export interface Call {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE" | "PATCH";
  /** A path below the registry root (`/v2/…`) or an absolute URL (upload locations, next pages). */
  path: string;
  repository: string;
  /** Token scopes needed: `repository:NAME:ACTIONS`. */
  scopes: string[];
  headers?: Record<string, string>;
  /** A Buffer can be re-sent on retry and after an auth challenge; a stream cannot. */
  body?: Buffer | Readable;
  /** Status codes that are success for this call (others become RegistryError). */
  ok: number[];
  /** Status codes handed back to the caller instead of thrown (e.g. 404 for an existence check). */
  passThrough?: number[];
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData["body"];
  /** The absolute URL that was asked. */
  url: string;
}

export class RegistryTransport {
  bytesReceived = 0;
  requests = 0;
  readonly origin: string;
  readonly dispatcher: Dispatcher;
  /** Learnt from the first challenge: how this registry wants to be authenticated. */
  private scheme: "none" | "basic" | "bearer" = "none";
  private realm?: TokenRealm;
  private readonly tokens = new Map<string, { token: string; expires: number }>();

  readonly registry: string;
  readonly limits: RegistryLimits;

  constructor(private readonly o: TransportOptions) {
    this.origin = new URL(o.base).origin;
    this.registry = o.registry;
    this.limits = o.limits;
    this.dispatcher = new Agent({
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      // A private CA is added to the public roots: a registry redirecting blobs to a CDN still works.
      connect: o.caFile ? { ca: trustedCas(o.caFile) } : undefined,
    }).compose(interceptors.redirect({ maxRedirections: 5 }));
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : this.o.base + path;
  }

  async send(call: Call): Promise<Response> {
    const deadline = Date.now() + this.o.deadlineMs;
    const replayable = !(call.body && !Buffer.isBuffer(call.body));
    let challenged = false;
    let rateLimited = 0;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      // What this request is sent with: a 401 to a request sent before a concurrent one learnt
      // the scheme is not an answer about the credentials.
      const sentWith = this.scheme;
      try {
        res = await this.once(call, deadline);
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        if (Date.now() >= deadline) throw this.deadlineError(call);
        const code = (err as { code?: string }).code ?? "";
        const detail = `${code ? `${code} ` : ""}${(err as Error).message}`;
        if (!NETWORK_CODES.has(code) && !(err instanceof Error && err.name === "SocketError")) {
          throw this.error("network", `request to ${this.o.registry} failed: ${detail}`, call.repository, {
            cause: err,
          });
        }
        if (attempt >= this.o.attempts || !replayable) {
          throw this.error(
            "network",
            `cannot reach registry ${this.o.registry} (${detail}) after ${attempt} attempt${attempt === 1 ? "" : "s"}`,
            call.repository,
            { cause: err },
          );
        }
        await this.wait(this.backoffDelay(attempt), deadline, call, `${detail}; retrying`);
        continue;
      }

      if (res.status === 401 && !challenged && replayable && res.url.startsWith(this.origin)) {
        const challenge = header(res, "www-authenticate");
        await res.body.dump();
        challenged = true;
        if (challenge && (await this.answer(challenge, call, deadline, sentWith))) {
          attempt--;
          continue;
        }
        throw this.authError(call.repository, 401);
      }
      if (call.ok.includes(res.status) || call.passThrough?.includes(res.status)) return res;

      const text = await this.readError(res);
      if (res.status === 429 && replayable) {
        rateLimited++;
        const asked = parseRetryAfter(header(res, "retry-after"));
        if (rateLimited < this.o.attempts * 2 && (asked ?? 0) <= this.o.maxRetryAfterMs) {
          const delay = asked ?? this.backoffDelay(rateLimited);
          await this.wait(delay, deadline, call, "rate limited (429); waiting");
          attempt--;
          continue;
        }
        throw this.error(
          "rate-limited",
          `registry ${this.o.registry} kept answering 429 Too Many Requests to ${describe(call)}` +
            (asked !== undefined ? ` (it asks to wait ${Math.round(asked / 1000)} s)` : "") +
            `; gave up after ${rateLimited} answer${rateLimited === 1 ? "" : "s"}`,
          call.repository,
          { status: 429 },
        );
      }
      if (res.status === 401 || res.status === 403) {
        throw this.authError(call.repository, res.status, header(res, "www-authenticate"));
      }
      if (res.status === 404) {
        throw this.error(
          "not-found",
          `not found: ${this.o.registry}/${call.repository} (${describe(call)})`,
          call.repository,
          { status: 404 },
        );
      }
      if (res.status >= 500 && attempt < this.o.attempts && replayable) {
        await this.wait(this.backoffDelay(attempt), deadline, call, `HTTP ${res.status}; retrying`);
        continue;
      }
      const kind: RegistryErrorKind = res.status >= 500 ? "server" : "protocol";
      throw this.error(
        kind,
        `registry ${this.o.registry} answered ${res.status} to ${describe(call)} in ${call.repository}${errorText(text)}`,
        call.repository,
        { status: res.status },
      );
    }
  }

  private async once(call: Call, deadline: number): Promise<Response> {
    const url = this.url(call.path);
    const headers: Record<string, string> = { "user-agent": "powertrain", ...call.headers };
    // Credentials belong to the registry's origin: an upload Location or page elsewhere gets none.
    if (new URL(url).origin === this.origin) {
      const auth = await this.authorization(call, deadline);
      if (auth) headers.authorization = auth;
    }
    this.requests++;
    this.o.logger.debug(`${call.method} ${url}`);
    const res = await request(url, {
      method: call.method,
      headers,
      body: call.body,
      dispatcher: this.dispatcher,
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body, url };
  }

  /** The Authorization header for `call`, from what earlier challenges taught us. */
  private async authorization(call: Call, deadline: number): Promise<string | undefined> {
    const creds = this.o.credentials;
    if (this.scheme === "basic" && creds && !creds.identityToken) return basic(creds);
    if (this.scheme === "bearer") {
      const cached = this.tokens.get(scopeKey(call.scopes));
      if (cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
      if (this.realm) return `Bearer ${await this.token(call, deadline)}`;
    }
    return undefined;
  }

  /** Learn from a 401 challenge; true when a retry with credentials makes sense. */
  private async answer(
    challengeHeader: string,
    call: Call,
    deadline: number,
    sentWith: RegistryTransport["scheme"],
  ): Promise<boolean> {
    const challenge = parseWwwAuthenticate(challengeHeader);
    if (challenge?.scheme === "basic") {
      const creds = this.o.credentials;
      if (!creds || creds.identityToken || sentWith === "basic") return false;
      this.scheme = "basic";
      return true;
    }
    if (challenge?.scheme === "bearer" && challenge.params.realm) {
      this.realm = this.checkRealm(challenge.params.realm, challenge.params.service, call);
      this.scheme = "bearer";
      this.tokens.delete(scopeKey(call.scopes));
      await this.token(call, deadline, challenge.params.scope);
      return true;
    }
    return false;
  }

  /** The realm must be http(s), and https unless it is loopback or the registry is explicitly insecure. */
  private checkRealm(realm: string, service: string | undefined, call: Call): TokenRealm {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw this.error(
        "protocol",
        `registry ${this.o.registry} names an invalid token realm "${realm}"`,
        call.repository,
      );
    }
    const loopback = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/.test(url.hostname);
    const allowed = url.protocol === "https:" || (url.protocol === "http:" && (loopback || this.o.insecure));
    if (!allowed) {
      throw this.error(
        "protocol",
        `registry ${this.o.registry} names the token realm ${url.origin} over ${url.protocol.replace(":", "")}; ` +
          "credentials are sent to a realm over https only (or to loopback, or with insecure)",
        call.repository,
      );
    }
    return { url, service };
  }

  /** A token for `call`'s scopes, cached per scope set; token fetches are retried like requests. */
  private async token(call: Call, deadline: number, challengeScope?: string): Promise<string> {
    const realm = this.realm!;
    const scopes = [...new Set([...call.scopes, ...(challengeScope ? challengeScope.split(" ") : [])])];
    for (let attempt = 1; ; attempt++) {
      this.requests++;
      const result = await fetchToken({
        realm,
        scopes,
        credentials: this.o.credentials,
        dispatcher: this.dispatcher,
        cap: this.o.limits.tokenBytes,
        deadline,
        logger: this.o.logger,
        onBytes: (n) => {
          this.bytesReceived += n;
        },
      });
      if (result.kind === "token") {
        this.o.logger.mask(result.token);
        // Renew a little early so a token never expires between check and use.
        const lifetime = Math.max(10, result.expiresIn - 10) * 1000;
        this.tokens.set(scopeKey(call.scopes), { token: result.token, expires: Date.now() + lifetime });
        return result.token;
      }
      if (result.kind === "denied") throw this.authError(call.repository, result.status);
      if (result.kind === "fatal" || attempt >= this.o.attempts) {
        throw this.error("network", `token service ${realm.url.origin}: ${result.message}`, call.repository, {
          status: result.status,
          cause: result.cause,
        });
      }
      const delay = result.retryAfterMs ?? this.backoffDelay(attempt);
      await this.wait(
        Math.min(delay, this.o.maxRetryAfterMs),
        deadline,
        call,
        `token service ${result.message}; retrying`,
      );
    }
  }

  /** A body read whole, up to `cap` bytes; more is a clear error naming what was being read. */
  async read(res: Response, cap: number, what: string, repository?: string): Promise<Buffer> {
    try {
      return await readCapped(res.body, cap, header(res, "content-length"), (n) => {
        this.bytesReceived += n;
      });
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        throw this.error(
          "protocol",
          `registry ${this.o.registry} sent ${what} of more than ${err.cap} bytes; refusing to read it`,
          repository,
        );
      }
      if ((err as Error).name === "TimeoutError" || (err as Error).name === "AbortError") {
        throw this.error(
          "network",
          `reading ${what} from ${this.o.registry} ran past the deadline`,
          repository,
        );
      }
      throw err;
    }
  }

  private async readError(res: Response): Promise<string> {
    try {
      return (await this.read(res, this.o.limits.errorBodyBytes, "an error body")).toString("utf8");
    } catch {
      return "";
    }
  }

  private backoffDelay(attempt: number): number {
    return this.o.retryDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
  }

  /** Sleep `delay` ms unless that would pass the deadline. */
  private async wait(delay: number, deadline: number, call: Call, why: string): Promise<void> {
    if (Date.now() + delay > deadline) throw this.deadlineError(call);
    this.o.logger.warn(`registry ${this.o.registry}: ${why} in ${Math.round(delay)} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }

  private deadlineError(call: Call): RegistryError {
    return this.error(
      "network",
      `${describe(call)} at ${this.o.registry} did not finish within ${Math.round(this.o.deadlineMs / 1000)} s`,
      call.repository,
    );
  }

  /**
   * A 401 whose challenge says `insufficient_scope` (a valid token without the rights) is
   * "access denied", naming the scope the registry wanted — not a wrong password.
   */
  authError(repository: string, status: number, challenge?: string): RegistryError {
    const user = this.o.credentials?.username;
    const who = user ? `for ${user}` : "(no credentials given)";
    const parsed = challenge ? parseWwwAuthenticate(challenge) : undefined;
    const insufficient = parsed?.params.error === "insufficient_scope";
    const what = status === 403 || insufficient ? "access denied" : "authentication failed";
    const wanted = insufficient && parsed?.params.scope ? ` (it needs ${parsed.params.scope})` : "";
    return new RegistryError(
      `${what} ${who} at ${this.o.registry}/${repository}${wanted}`,
      { kind: "auth", registry: this.o.registry, repository, user, status },
      {
        hint: user
          ? "check the registry user and password (or token) and that the user may access this repository"
          : "give credentials for this registry (see docs/registry.md: inputs, registry-auths, POWERTRAIN_REGISTRY_USER/PASSWORD, docker login)",
      },
    );
  }

  error(
    kind: RegistryErrorKind,
    message: string,
    repository?: string,
    extra: { status?: number; cause?: unknown } = {},
  ): RegistryError {
    return new RegistryError(
      message,
      {
        kind,
        registry: this.o.registry,
        repository,
        user: this.o.credentials?.username,
        status: extra.status,
      },
      extra.cause === undefined ? undefined : { cause: extra.cause },
    );
  }
}

/** The public roots plus a private CA file: added, never replacing them (a blob redirect to a CDN must still verify). */
export function trustedCas(caFile: string): string[] {
  return [...rootCertificates, readFileSync(caFile, "utf8")];
}

export const DEFAULT_TRANSPORT = {
  attempts: 4,
  retryDelayMs: 300,
  timeoutMs: 60_000,
  deadlineMs: 5 * 60_000,
  maxRetryAfterMs: 60_000,
  limits: DEFAULT_LIMITS,
};

export { header } from "./http-util";
