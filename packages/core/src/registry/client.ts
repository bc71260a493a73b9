/**
 * A client for the OCI distribution API over undici: anonymous, basic and
 * bearer-token auth (the challenge flow Docker Hub, GHCR, Harbor and
 * Artifactory use), tags with pagination, manifests, blobs, cross-repository
 * mounts. It never pulls a layer unless asked to copy one, and counts every
 * byte it receives so callers can prove that.
 */
import { Readable } from "node:stream";
import { type Logger, silentLogger } from "../log";
import type { Credentials } from "./credentials";
import { digestLike, isDigest, sha256 } from "./digest";
import { DEFAULT_LIMITS, type RegistryLimits } from "./limits";
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
import { paginate } from "./pages";
import { DEFAULT_TRANSPORT, header, RegistryTransport, type Response } from "./transport";

export interface RegistryClientOptions {
  /** `host[:port]`; `docker.io` means Docker Hub. */
  registry: string;
  /** Without credentials the client is anonymous (tokens are still fetched when challenged). */
  credentials?: Credentials;
  /** Allow plain HTTP to a non-loopback registry (and to its token realm). */
  insecure?: boolean;
  /** PEM file of the CA that signed a private registry's certificate; added to the public roots. */
  caFile?: string;
  /** Attempts for network errors, 5xx answers and token fetches (default 4); never for 4xx. */
  attempts?: number;
  /** First backoff delay in ms, doubled each retry (default 300). */
  retryDelayMs?: number;
  /** Per-request timeout for headers and idle bodies in ms (default 60 s). */
  timeoutMs?: number;
  /** Total time one request may take with its retries, Retry-After waits and tokens (default 5 min). */
  deadlineMs?: number;
  /** The longest Retry-After waited out (default 60 s); a registry asking for more ends the request. */
  maxRetryAfterMs?: number;
  /** Size caps for bodies read into memory and the page cap of listings. */
  limits?: Partial<RegistryLimits>;
  logger?: Logger;
}

export interface ManifestResult {
  digest: string;
  mediaType: string;
  /** The exact bytes: digests are over these, so re-PUTting them keeps the digest. */
  raw: Buffer;
  manifest: Manifest;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\]|::1)$/;

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
  readonly registry: string;
  private readonly base: string;
  private readonly logger: Logger;
  private readonly limits: RegistryLimits;
  private readonly http: RegistryTransport;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.base = registryBaseUrl(options.registry, options.insecure);
    this.logger = options.logger ?? silentLogger;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    if (options.credentials) this.logger.mask(options.credentials.password);
    this.http = new RegistryTransport({
      registry: options.registry,
      base: this.base,
      credentials: options.credentials,
      insecure: options.insecure ?? false,
      caFile: options.caFile,
      attempts: Math.max(1, options.attempts ?? DEFAULT_TRANSPORT.attempts),
      retryDelayMs: options.retryDelayMs ?? DEFAULT_TRANSPORT.retryDelayMs,
      timeoutMs: options.timeoutMs ?? DEFAULT_TRANSPORT.timeoutMs,
      deadlineMs: options.deadlineMs ?? DEFAULT_TRANSPORT.deadlineMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_TRANSPORT.maxRetryAfterMs,
      limits: this.limits,
      logger: this.logger,
    });
  }

  /** Bytes of response bodies received, tokens and manifests included. */
  get bytesReceived(): number {
    return this.http.bytesReceived;
  }

  /** HTTP requests sent, token requests included. */
  get requests(): number {
    return this.http.requests;
  }

  /** Close the connection pool. */
  async close(): Promise<void> {
    await this.http.close();
  }

  /** Every tag of `repository`, following `Link` pagination; `pageSize` sets `?n=`. */
  async listTags(repository: string, pageSize?: number): Promise<string[]> {
    const first = `/v2/${repository}/tags/list${pageSize ? `?n=${pageSize}` : ""}`;
    return paginate(this.http, this.limits.pages, {
      first,
      key: "tags",
      repository,
      scopes: [scope(repository, "pull")],
    });
  }

  /** Every repository in the registry (`/v2/_catalog`), following `Link` pagination. */
  async listRepositories(pageSize?: number): Promise<string[]> {
    const first = `/v2/_catalog${pageSize ? `?n=${pageSize}` : ""}`;
    return paginate(this.http, this.limits.pages, {
      first,
      key: "repositories",
      repository: "",
      scopes: ["registry:catalog:*"],
    });
  }

  /**
   * The manifest `reference` (tag or digest) points at, as stored (image or index).
   * By digest, the bytes must hash to that digest; by tag, to the Docker-Content-Digest
   * the registry announces (when it does). `expected` pins a tag read to a digest
   * known from elsewhere (e.g. the parent index's descriptor).
   */
  async getManifest(repository: string, reference: string, expected?: string): Promise<ManifestResult> {
    const res = await this.http.send({
      method: "GET",
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scopes: [scope(repository, "pull")],
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200],
    });
    const raw = await this.http.read(
      res,
      this.limits.manifestBytes,
      `the manifest ${repository}:${reference}`,
      repository,
    );
    const wanted = expected ?? (isDigest(reference) ? reference : undefined);
    const digest = wanted
      ? this.verify(raw, wanted, `manifest ${repository}@${wanted}`, repository, true)
      : this.verify(
          raw,
          header(res, "docker-content-digest"),
          `manifest ${repository}:${reference}`,
          repository,
          false,
        );
    let manifest: Manifest;
    try {
      manifest = parseManifest(raw, header(res, "content-type"));
    } catch (err) {
      throw this.http.error(
        "protocol",
        `${this.registry}/${repository}:${reference}: ${(err as Error).message}`,
        repository,
      );
    }
    const mediaType = manifest.mediaType ?? header(res, "content-type") ?? "";
    return { digest, mediaType, raw, manifest };
  }

  /**
   * The digest of `raw`, which must equal `wanted` when there is one; a mismatch is an
   * integrity error and nothing downstream sees the bytes. `required` digests (asked for,
   * or named by a parent) must be verifiable; an announced header in an unknown algorithm is not.
   */
  private verify(
    raw: Buffer,
    wanted: string | undefined,
    what: string,
    repository: string,
    required: boolean,
  ): string {
    const actual = wanted ? digestLike(wanted, raw) : undefined;
    if (!wanted || !actual) {
      if (wanted && required) {
        throw this.http.error("integrity", `cannot verify ${what}: unknown digest algorithm`, repository);
      }
      return sha256(raw);
    }
    if (actual !== wanted) {
      throw this.http.error(
        "integrity",
        `registry ${this.registry} answered ${what} with bytes whose digest is ${actual}, not ${wanted}; refusing them`,
        repository,
      );
    }
    return actual;
  }

  /** The digest `reference` points at, by HEAD (Docker-Content-Digest), else from the body's hash. */
  async manifestDigest(repository: string, reference: string): Promise<string> {
    if (isDigest(reference)) return (await this.getManifest(repository, reference)).digest;
    const res = await this.headManifest(repository, reference);
    return header(res, "docker-content-digest") ?? (await this.getManifest(repository, reference)).digest;
  }

  /** True when `reference` exists; other errors still throw. */
  async manifestExists(repository: string, reference: string): Promise<boolean> {
    return (await this.headManifest(repository, reference, [404])).status === 200;
  }

  private async headManifest(repository: string, reference: string, passThrough: number[] = []) {
    const res = await this.http.send({
      method: "HEAD",
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scopes: [scope(repository, "pull")],
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200],
      passThrough,
    });
    await res.body.dump();
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
      throw this.http.error("not-found", `${repository}:${reference} has no ${wanted} image`, repository);
    }
    const child = await this.getManifest(repository, entry.digest);
    if (child.manifest.kind !== "image") {
      throw this.http.error("protocol", `${repository}@${entry.digest} is a nested index`, repository);
    }
    return child as ManifestResult & { manifest: ImageManifest };
  }

  /** The config blob of an image manifest (hashed against the manifest's descriptor): labels, created, platform. */
  async getConfig(repository: string, manifest: ImageManifest): Promise<ImageConfig> {
    const raw = await this.getBlob(repository, manifest.config.digest);
    try {
      return parseImageConfig(raw);
    } catch {
      throw this.http.error(
        "protocol",
        `the config blob ${manifest.config.digest} in ${repository} is not JSON`,
        repository,
      );
    }
  }

  /** A whole blob in memory, checked against `digest`; for configs, not layers (capped at the config limit). */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.http.send({
      method: "GET",
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      scopes: [scope(repository, "pull")],
      ok: [200],
    });
    const raw = await this.http.read(res, this.limits.configBytes, `the blob ${digest}`, repository);
    this.verify(raw, digest, `blob ${repository}@${digest}`, repository, true);
    return raw;
  }

  async blobExists(repository: string, digest: string): Promise<boolean> {
    const res = await this.http.send({
      method: "HEAD",
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      scopes: [scope(repository, "pull")],
      ok: [200],
      passThrough: [404],
    });
    await res.body.dump();
    return res.status === 200;
  }

  /**
   * Upload a small in-memory blob (a signature payload, a config) in one
   * monolithic POST + PUT `?digest=`; returns its digest. Skips the upload when it is already there.
   */
  async putBlob(repository: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    if (await this.blobExists(repository, digest)) return digest;
    const start = await this.http.send({
      method: "POST",
      path: `/v2/${repository}/blobs/uploads/`,
      repository,
      scopes: [scope(repository, "pull,push")],
      ok: [202],
    });
    await this.drain(start);
    const location = header(start, "location");
    if (!location)
      throw this.http.error("protocol", `upload to ${repository} started without a Location`, repository);
    const url = new URL(location, this.base);
    url.searchParams.set("digest", digest);
    const res = await this.http.send({
      method: "PUT",
      path: url.toString(),
      repository,
      scopes: [scope(repository, "pull,push")],
      headers: { "content-type": "application/octet-stream" },
      body: data,
      ok: [201],
    });
    await this.drain(res);
    return digest;
  }

  /** Store `raw` as a manifest under `reference`; returns the digest the registry computed. */
  async putManifest(repository: string, reference: string, raw: Buffer, mediaType: string): Promise<string> {
    const res = await this.http.send({
      method: "PUT",
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scopes: [scope(repository, "pull,push")],
      headers: { "content-type": mediaType },
      body: raw,
      ok: [201, 200],
    });
    await this.drain(res);
    return header(res, "docker-content-digest") ?? sha256(raw);
  }

  /** Delete a manifest by digest (registries must allow deletes); for clean-up. */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    const res = await this.http.send({
      method: "DELETE",
      path: `/v2/${repository}/manifests/${digest}`,
      repository,
      scopes: [scope(repository, "*")],
      ok: [202, 200],
      passThrough: [404],
    });
    await this.drain(res);
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
    const res = await this.http.send({
      method: "POST",
      path: `/v2/${to}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      repository: to,
      scopes: [scope(to, "pull,push"), scope(from, "pull")],
      ok: [201, 202],
    });
    await this.drain(res);
    if (res.status === 201) return "mounted";
    this.logger.debug(`mount of ${digest} from ${from} refused by ${this.registry}; copying the blob`);
    const location = header(res, "location");
    if (!location) throw this.http.error("protocol", `upload to ${to} started without a Location`, to);
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
    const source = await this.http.send({
      method: "GET",
      path: `/v2/${from}/blobs/${digest}`,
      repository: from,
      scopes: [scope(from, "pull")],
      ok: [200],
    });
    const length = size ?? Number(header(source, "content-length"));
    // The upload may live on another origin (a storage backend): the transport sends it no credentials.
    const url = new URL(location, this.base);
    url.searchParams.set("digest", digest);
    const counted = this.counting(source.body);
    const res = await this.http.send({
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
    await this.drain(res);
  }

  /** Read and drop a body the caller does not need (capped like an error body). */
  private async drain(res: Response): Promise<void> {
    await this.http.read(res, this.limits.errorBodyBytes, "an answer body");
  }

  /** Pass a body through, counting its bytes (a listener would start the flow before the consumer reads). */
  private async *counting(body: Readable): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      this.http.bytesReceived += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
}

function scope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

export { sha256 } from "./digest";
