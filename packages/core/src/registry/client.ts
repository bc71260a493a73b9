/**
 * A client for the OCI distribution API over undici: anonymous, basic and
 * bearer-token auth (the challenge flow Docker Hub, GHCR, Harbor and
 * Artifactory use), tags with pagination, manifests, blobs, cross-repository
 * mounts. It never pulls a layer unless asked to copy one, and counts every
 * byte it receives so callers can prove that.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { Agent, type Dispatcher, interceptors, request } from "undici";
import { type Logger, silentLogger } from "../log";
import { parseLinkNext, parseWwwAuthenticate } from "./challenge";
import type { Credentials } from "./credentials";
import { RegistryError, type RegistryErrorKind } from "./errors";
import {
  type ImageConfig,
  type ImageManifest,
  MANIFEST_ACCEPT,
  type Manifest,
  type Platform,
  parseImageConfig,
  parseManifest,
  pickPlatform,
} from "./manifest";

export interface RegistryClientOptions {
  /** `host[:port]`; `docker.io` means Docker Hub. */
  registry: string;
  /** Without credentials the client is anonymous (tokens are still fetched when challenged). */
  credentials?: Credentials;
  /** Allow plain HTTP to a non-loopback registry. */
  insecure?: boolean;
  /** PEM file of the CA that signed a private registry's certificate. */
  caFile?: string;
  /** Attempts for network errors and 5xx answers (default 4); never for 4xx. */
  attempts?: number;
  /** First backoff delay in ms, doubled each retry (default 300). */
  retryDelayMs?: number;
  /** Per-request timeout for headers and idle bodies in ms (default 60 s). */
  timeoutMs?: number;
  logger?: Logger;
}

interface Call {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE" | "PATCH";
  /** A path below the registry root (`/v2/…`) or an absolute URL (upload locations). */
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

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData["body"];
}

export interface ManifestResult {
  digest: string;
  mediaType: string;
  /** The exact bytes: digests are over these, so re-PUTting them keeps the digest. */
  raw: Buffer;
  manifest: Manifest;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\]|::1)$/;
const NETWORK_CODES = new Set([
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

export function isLoopback(registry: string): boolean {
  // A port follows the host unless the host is a bare IPv6 address (more than one colon).
  const host =
    (registry.match(/:/g) ?? []).length > 1 && !registry.startsWith("[")
      ? registry
      : registry.replace(/:\d+$/, "");
  return LOOPBACK.test(host);
}

/** Where the API lives: plain HTTP only for loopback, or when `insecure` allows it; TLS otherwise. */
export function registryBaseUrl(registry: string, insecure = false): string {
  const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
  return `${isLoopback(host) || insecure ? "http" : "https"}://${host}`;
}

export class RegistryClient {
  /** Bytes of response bodies received, tokens and manifests included. */
  bytesReceived = 0;
  /** HTTP requests sent, token requests included. */
  requests = 0;

  readonly registry: string;
  private readonly base: string;
  private readonly dispatcher: Dispatcher;
  private readonly logger: Logger;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  /** Learnt from the first challenge: how this registry wants to be authenticated. */
  private scheme: "none" | "basic" | "bearer" = "none";
  private bearer?: { realm: string; service?: string };
  private readonly tokens = new Map<string, { token: string; expires: number }>();

  constructor(private readonly options: RegistryClientOptions) {
    this.registry = options.registry;
    this.base = registryBaseUrl(options.registry, options.insecure);
    const timeout = options.timeoutMs ?? 60_000;
    this.dispatcher = new Agent({
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: options.caFile ? { ca: readFileSync(options.caFile) } : undefined,
    }).compose(interceptors.redirect({ maxRedirections: 5 }));
    this.logger = options.logger ?? silentLogger;
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.retryDelayMs = options.retryDelayMs ?? 300;
    if (options.credentials) this.logger.mask(options.credentials.password);
  }

  /** Close the connection pool. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Every tag of `repository`, following `Link` pagination; `pageSize` sets `?n=`. */
  async listTags(repository: string, pageSize?: number): Promise<string[]> {
    const first = `/v2/${repository}/tags/list${pageSize ? `?n=${pageSize}` : ""}`;
    return this.paginate(first, "tags", repository, [scope(repository, "pull")]);
  }

  /** Every repository in the registry (`/v2/_catalog`), following `Link` pagination. */
  async listRepositories(pageSize?: number): Promise<string[]> {
    const first = `/v2/_catalog${pageSize ? `?n=${pageSize}` : ""}`;
    return this.paginate(first, "repositories", "", ["registry:catalog:*"]);
  }

  private async paginate(
    first: string,
    key: string,
    repository: string,
    scopes: string[],
  ): Promise<string[]> {
    const items: string[] = [];
    let path: string | undefined = first;
    while (path) {
      const res = await this.send({ method: "GET", path, repository, scopes, ok: [200] });
      const json = JSON.parse((await this.read(res)).toString("utf8")) as Record<string, string[] | null>;
      items.push(...(json[key] ?? []));
      const next = parseLinkNext(header(res, "link"));
      path = next ? new URL(next, this.base).toString() : undefined;
    }
    return items;
  }

  /** The manifest `reference` (tag or digest) points at, as stored (image or index). */
  async getManifest(repository: string, reference: string): Promise<ManifestResult> {
    const res = await this.send({
      method: "GET",
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scopes: [scope(repository, "pull")],
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200],
    });
    const raw = await this.read(res);
    const digest = sha256(raw);
    const announced = header(res, "docker-content-digest");
    if (announced && announced !== digest && announced.startsWith("sha256:")) {
      throw this.error(
        "protocol",
        `manifest ${repository}:${reference} does not match its digest ${announced}`,
        repository,
      );
    }
    const manifest = parseManifest(raw, header(res, "content-type"));
    const mediaType = manifest.mediaType ?? header(res, "content-type") ?? "";
    return { digest, mediaType, raw, manifest };
  }

  /** The digest `reference` points at, by HEAD (Docker-Content-Digest), else from the body's sha256. */
  async manifestDigest(repository: string, reference: string): Promise<string> {
    const res = await this.headManifest(repository, reference);
    return header(res, "docker-content-digest") ?? (await this.getManifest(repository, reference)).digest;
  }

  /** True when `reference` exists; other errors still throw. */
  async manifestExists(repository: string, reference: string): Promise<boolean> {
    return (await this.headManifest(repository, reference, [404])).status === 200;
  }

  private async headManifest(repository: string, reference: string, passThrough: number[] = []) {
    const res = await this.send({
      method: "HEAD",
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scopes: [scope(repository, "pull")],
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200],
      passThrough,
    });
    await this.read(res);
    return res;
  }

  /** The image manifest for `platform` (default linux/amd64), resolving an index if needed. */
  async getImageManifest(
    repository: string,
    reference: string,
    platform?: Platform,
  ): Promise<ManifestResult & { manifest: ImageManifest }> {
    const top = await this.getManifest(repository, reference);
    if (top.manifest.kind === "image") return top as ManifestResult & { manifest: ImageManifest };
    const entry = pickPlatform(top.manifest, platform);
    if (!entry) {
      const wanted = platform ? `${platform.os}/${platform.architecture}` : "linux/amd64";
      throw this.error("not-found", `${repository}:${reference} has no ${wanted} image`, repository);
    }
    const child = await this.getManifest(repository, entry.digest);
    if (child.manifest.kind !== "image") {
      throw this.error("protocol", `${repository}@${entry.digest} is a nested index`, repository);
    }
    return child as ManifestResult & { manifest: ImageManifest };
  }

  /** The config blob of an image manifest: labels, created time, platform. */
  async getConfig(repository: string, manifest: ImageManifest): Promise<ImageConfig> {
    return parseImageConfig(await this.getBlob(repository, manifest.config.digest));
  }

  /** A whole blob in memory; for configs, not layers. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.send({
      method: "GET",
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      scopes: [scope(repository, "pull")],
      ok: [200],
    });
    return this.read(res);
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.send({
      method: "HEAD",
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      scopes: [scope(repository, "pull")],
      ok: [200],
      passThrough: [404],
    });
    await this.read(res);
    return res.status === 200;
  }

  /**
   * Upload a small in-memory blob (a signature payload, a config) in one
   * monolithic POST + PUT `?digest=`; returns its digest. Skips the upload when it is already there.
   */
  async putBlob(repository: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    if (await this.blobExists(repository, digest)) return digest;
    const start = await this.send({
      method: "POST",
      path: `/v2/${repository}/blobs/uploads/`,
      repository,
      scopes: [scope(repository, "pull,push")],
      ok: [202],
    });
    await this.read(start);
    const location = header(start, "location");
    if (!location)
      throw this.error("protocol", `upload to ${repository} started without a Location`, repository);
    const url = new URL(location, this.base);
    url.searchParams.set("digest", digest);
    const res = await this.send({
      method: "PUT",
      path: url.toString(),
      repository,
      scopes: [scope(repository, "pull,push")],
      headers: { "content-type": "application/octet-stream" },
      body: data,
      ok: [201],
    });
    await this.read(res);
    return digest;
  }

  /** Store `raw` as a manifest under `reference`; returns the digest the registry computed. */
  async putManifest(repository: string, reference: string, raw: Buffer, mediaType: string): Promise<string> {
    const res = await this.send({
      method: "PUT",
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scopes: [scope(repository, "pull,push")],
      headers: { "content-type": mediaType },
      body: raw,
      ok: [201, 200],
    });
    await this.read(res);
    return header(res, "docker-content-digest") ?? sha256(raw);
  }

  /** Delete a manifest by digest (registries must allow deletes); for clean-up. */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    const res = await this.send({
      method: "DELETE",
      path: `/v2/${repository}/manifests/${digest}`,
      repository,
      scopes: [scope(repository, "*")],
      ok: [202, 200],
      passThrough: [404],
    });
    await this.read(res);
  }

  /**
   * Make blob `digest` of `from` available in `to`: already there, a
   * cross-repository mount (no bytes move), or — when the registry refuses
   * the mount — a streamed copy through this process.
   */
  async copyBlob(
    from: string,
    to: string,
    digest: string,
    size?: number,
  ): Promise<"exists" | "mounted" | "copied"> {
    // A mount of a blob the target already has also answers 201, so no existence check first.
    if (from === to) return "exists";
    const res = await this.send({
      method: "POST",
      path: `/v2/${to}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      repository: to,
      scopes: [scope(to, "pull,push"), scope(from, "pull")],
      ok: [201, 202],
    });
    await this.read(res);
    if (res.status === 201) return "mounted";
    this.logger.debug(`mount of ${digest} from ${from} refused by ${this.registry}; copying the blob`);
    const location = header(res, "location");
    if (!location) throw this.error("protocol", `upload to ${to} started without a Location`, to);
    await this.streamBlob(from, to, digest, location, size);
    return "copied";
  }

  private async streamBlob(
    from: string,
    to: string,
    digest: string,
    location: string,
    size?: number,
  ): Promise<void> {
    const source = await this.send({
      method: "GET",
      path: `/v2/${from}/blobs/${digest}`,
      repository: from,
      scopes: [scope(from, "pull")],
      ok: [200],
    });
    const length = size ?? Number(header(source, "content-length"));
    const url = new URL(location, this.base);
    url.searchParams.set("digest", digest);
    const counted = this.counting(source.body);
    const res = await this.send({
      method: "PUT",
      path: url.toString(),
      repository: to,
      scopes: [scope(to, "pull,push")],
      headers: {
        "content-type": "application/octet-stream",
        ...(Number.isFinite(length) ? { "content-length": String(length) } : {}),
      },
      body: Readable.from(counted),
      ok: [201],
    });
    await this.read(res);
  }

  // ——— transport ———

  private async send(call: Call): Promise<Response> {
    const replayable = !(call.body && !Buffer.isBuffer(call.body));
    let challenged = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.once(call);
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        const code = (err as { code?: string }).code ?? "";
        const detail = `${code ? `${code} ` : ""}${(err as Error).message}`;
        if (!NETWORK_CODES.has(code) && !(err instanceof Error && err.name === "SocketError")) {
          throw this.error(
            "network",
            `request to ${this.registry} failed: ${detail}`,
            call.repository,
            undefined,
            err,
          );
        }
        if (attempt >= this.attempts || !replayable) {
          throw this.error(
            "network",
            `cannot reach registry ${this.registry} (${detail}) after ${attempt} attempt${attempt === 1 ? "" : "s"}`,
            call.repository,
            undefined,
            err,
          );
        }
        await this.backoff(attempt, detail);
        continue;
      }

      if (res.status === 401 && !challenged && replayable) {
        const challenge = header(res, "www-authenticate");
        await res.body.dump();
        challenged = true;
        if (challenge && (await this.answer(challenge, call))) {
          attempt--;
          continue;
        }
        throw this.authError(call.repository, 401);
      }
      if (call.ok.includes(res.status) || call.passThrough?.includes(res.status)) return res;

      const text = await this.readText(res);
      if (res.status === 401 || res.status === 403) throw this.authError(call.repository, res.status);
      if (res.status === 404) {
        throw this.error(
          "not-found",
          `not found: ${this.registry}/${call.repository} (${describe(call)})`,
          call.repository,
          404,
        );
      }
      if (res.status >= 500 && attempt < this.attempts && replayable) {
        await this.backoff(attempt, `HTTP ${res.status}`);
        continue;
      }
      const kind: RegistryErrorKind = res.status >= 500 ? "server" : "protocol";
      throw this.error(
        kind,
        `registry ${this.registry} answered ${res.status} to ${describe(call)} in ${call.repository}${errorText(text)}`,
        call.repository,
        res.status,
      );
    }
  }

  private async once(call: Call): Promise<Response> {
    const headers: Record<string, string> = { "user-agent": "powertrain", ...call.headers };
    const auth = await this.authorization(call);
    if (auth) headers.authorization = auth;
    const url = /^https?:\/\//.test(call.path) ? call.path : this.base + call.path;
    this.requests++;
    this.logger.debug(`${call.method} ${url}`);
    const res = await request(url, {
      method: call.method,
      headers,
      body: call.body,
      dispatcher: this.dispatcher,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** The Authorization header for `call`, from what earlier challenges taught us. */
  private async authorization(call: Call): Promise<string | undefined> {
    const creds = this.options.credentials;
    if (this.scheme === "basic" && creds) return basic(creds);
    if (this.scheme === "bearer") {
      const cached = this.tokens.get(scopeKey(call.scopes));
      if (cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
      if (this.bearer) return `Bearer ${await this.fetchToken(call)}`;
    }
    return undefined;
  }

  /** Learn from a 401 challenge; true when a retry with credentials makes sense. */
  private async answer(challengeHeader: string, call: Call): Promise<boolean> {
    const challenge = parseWwwAuthenticate(challengeHeader);
    if (challenge?.scheme === "basic") {
      if (!this.options.credentials || this.scheme === "basic") return false;
      this.scheme = "basic";
      return true;
    }
    if (challenge?.scheme === "bearer" && challenge.params.realm) {
      this.scheme = "bearer";
      this.bearer = { realm: challenge.params.realm, service: challenge.params.service };
      this.tokens.delete(scopeKey(call.scopes));
      await this.fetchToken(call, challenge.params.scope);
      return true;
    }
    return false;
  }

  /** GET a token from the realm (basic credentials if we have them), cached per scope set. */
  private async fetchToken(call: Call, challengeScope?: string): Promise<string> {
    const bearer = this.bearer!;
    const url = new URL(bearer.realm);
    if (bearer.service) url.searchParams.set("service", bearer.service);
    const scopes = [...new Set([...call.scopes, ...(challengeScope ? challengeScope.split(" ") : [])])];
    for (const s of scopes) url.searchParams.append("scope", s);
    const headers: Record<string, string> = { "user-agent": "powertrain" };
    if (this.options.credentials) headers.authorization = basic(this.options.credentials);
    this.requests++;
    this.logger.debug(`GET ${url.origin}${url.pathname} (token for ${scopes.join(" ")})`);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: "GET", headers, dispatcher: this.dispatcher });
    } catch (err) {
      throw this.error(
        "network",
        `cannot reach the token service ${url.origin}: ${(err as Error).message}`,
        call.repository,
        undefined,
        err,
      );
    }
    const body = await this.read({ status: res.statusCode, headers: res.headers, body: res.body });
    if (res.statusCode === 401 || res.statusCode === 403)
      throw this.authError(call.repository, res.statusCode);
    if (res.statusCode !== 200) {
      throw this.error(
        "protocol",
        `token service ${url.origin} answered ${res.statusCode}`,
        call.repository,
        res.statusCode,
      );
    }
    const json = JSON.parse(body.toString("utf8")) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const token = json.token ?? json.access_token;
    if (!token)
      throw this.error("protocol", `token service ${url.origin} returned no token`, call.repository);
    this.logger.mask(token);
    // Renew a little early so a token never expires between check and use.
    const lifetime = Math.max(10, (json.expires_in ?? 60) - 10) * 1000;
    this.tokens.set(scopeKey(call.scopes), { token, expires: Date.now() + lifetime });
    return token;
  }

  private async read(res: Response): Promise<Buffer> {
    const buf = Buffer.from(await res.body.arrayBuffer());
    this.bytesReceived += buf.length;
    return buf;
  }

  private async readText(res: Response): Promise<string> {
    try {
      return (await this.read(res)).toString("utf8");
    } catch {
      return "";
    }
  }

  /** Pass a body through, counting its bytes (a listener would start the flow before the consumer reads). */
  private async *counting(body: Readable): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      this.bytesReceived += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }

  private async backoff(attempt: number, why: string): Promise<void> {
    const delay = this.retryDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
    this.logger.warn(
      `registry ${this.registry}: ${why}; retrying in ${Math.round(delay)} ms (attempt ${attempt + 1}/${this.attempts})`,
    );
    await new Promise((r) => setTimeout(r, delay));
  }

  private authError(repository: string, status: number): RegistryError {
    const user = this.options.credentials?.username;
    const who = user ? `for ${user}` : "(no credentials given)";
    const what = status === 403 ? "access denied" : "authentication failed";
    return new RegistryError(
      `${what} ${who} at ${this.registry}/${repository}`,
      { kind: "auth", registry: this.registry, repository, user, status },
      {
        hint: user
          ? "check the registry user and password (or token) and that the user may access this repository"
          : "give credentials (POWERTRAIN_REGISTRY_USER / POWERTRAIN_REGISTRY_PASSWORD, or docker login)",
      },
    );
  }

  private error(
    kind: RegistryErrorKind,
    message: string,
    repository?: string,
    status?: number,
    cause?: unknown,
  ): RegistryError {
    return new RegistryError(
      message,
      { kind, registry: this.registry, repository, user: this.options.credentials?.username, status },
      cause === undefined ? undefined : { cause },
    );
  }
}

function scope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(" ");
}

function basic(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
}

function header(res: Pick<Response, "headers">, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function describe(call: Call): string {
  const path = call.path.replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "");
  return `${call.method} ${path}`;
}

/** The first error message of a distribution error body, for context. */
function errorText(body: string): string {
  try {
    const json = JSON.parse(body) as { errors?: { message?: string }[] };
    const message = json.errors?.[0]?.message;
    return message ? `: ${message}` : "";
  } catch {
    return "";
  }
}
