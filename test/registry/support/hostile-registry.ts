/**
 * A small, real, misbehaving registry: two HTTP listeners on different
 * loopback addresses (127.0.0.1 is "the registry", 127.0.0.3 is "another
 * origin" — a token service, a CDN, an attacker's host) that serve one tiny
 * image and can be told to lie: swap digests, drop Docker-Content-Digest,
 * paginate forever or elsewhere, name a realm on another host, send huge
 * bodies, answer 429 storms, put upload locations elsewhere. Every request
 * is recorded with its origin and Authorization header, so tests can prove
 * where credentials went.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const REPOSITORY = "team/app";
export const TAG = "1";
export const USER = { username: "hostile-user", password: "pw-that-must-stay-home" };
export const TOKEN = "bearer-token-from-the-realm";
/** The refresh token an `identitytoken` login holds; the realm trades it for TOKEN (OAuth2 refresh grant). */
export const REFRESH_TOKEN = "refresh-token-from-docker-login";

export interface Behaviour {
  /** How the registry origin wants to be authenticated. */
  auth: "none" | "basic" | "bearer";
  /** Where the bearer realm lives: the other origin (default), or a non-loopback http URL. */
  realm?: "other-origin" | "http-remote";
  /** Manifests by digest answer the *other* image's bytes (with the asked digest in the header). */
  swapManifest?: boolean;
  /** The index child is answered with another image's manifest. */
  swapChild?: boolean;
  /** The config blob is answered with other bytes. */
  swapConfig?: boolean;
  /** Manifests by tag: the header names a digest the bytes do not have. */
  lyingHeader?: boolean;
  /** Leave out Docker-Content-Digest. */
  noDigestHeader?: boolean;
  /** Tag list pagination. */
  pagination?: "endless" | "repeat" | "cross-origin";
  /** Bytes streamed instead of the real body. */
  huge?: "manifest" | "config" | "error" | "token";
  /** Answer this many 429s (with Retry-After, if set) before serving. */
  rateLimit?: { count: number; retryAfter?: string };
  /** Blob GETs are redirected to the other origin (as to a CDN), which serves them. */
  redirectBlobs?: boolean;
  /** The token service answers 503 this many times first. */
  tokenFailures?: number;
  /** The upload Location points at the other origin. */
  uploadElsewhere?: boolean;
}

export interface Received {
  origin: "registry" | "other";
  method: string;
  path: string;
  authorization?: string;
  /** The request body (token POSTs). */
  body: string;
}

export interface HostileRegistry {
  /** `127.0.0.1:PORT`, the registry under test. */
  host: string;
  /** `http://127.0.0.3:PORT`, the other origin. */
  other: string;
  behaviour: Behaviour;
  received: Received[];
  image: { digest: string; configDigest: string; indexDigest: string; otherDigest: string };
  reset(behaviour: Behaviour): void;
  close(): Promise<void>;
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

function digestOf(b: Buffer): string {
  return `sha256:${createHash("sha256").update(b).digest("hex")}`;
}

function imageFor(labels: Record<string, string>) {
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Labels: labels },
      rootfs: { type: "layers" },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: digestOf(config),
        size: config.length,
      },
      layers: [],
    }),
  );
  return { config, manifest, digest: digestOf(manifest), configDigest: digestOf(config) };
}

export async function startHostileRegistry(): Promise<HostileRegistry> {
  const good = imageFor({ "org.example.which": "approved" });
  const evil = imageFor({ "org.example.which": "swapped" });
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: good.digest,
          size: good.manifest.length,
          platform: { os: "linux", architecture: "amd64" },
        },
      ],
    }),
  );
  const indexDigest = digestOf(index);
  const received: Received[] = [];
  let behaviour: Behaviour = { auth: "none" };
  let rateLimited = 0;
  let tokenFailed = 0;
  const addresses = { registry: "", other: "" };

  const handler = (origin: Received["origin"]) => (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const entry: Received = {
      origin,
      method: req.method ?? "",
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
      body: "",
    };
    received.push(entry);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      if (chunks.length < 16) chunks.push(c);
    });
    req.on("end", () => {
      entry.body = url.pathname === "/token" ? Buffer.concat(chunks).toString("utf8") : "";
      if (origin === "other") return other(url, req, res, entry.body);
      return registry(url, req, res);
    });
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { "content-length": String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

  /** 16 MiB without a Content-Length: the client must stop reading by itself. */
  const streamHuge = (res: ServerResponse, status: number, contentType: string) => {
    res.writeHead(status, { "content-type": contentType });
    const chunk = Buffer.alloc(64 << 10, 0x20);
    let left = 256;
    const pump = () => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => {
      left = 0;
    });
    pump();
  };

  const other = (url: URL, req: IncomingMessage, res: ServerResponse, body: string) => {
    if (url.pathname === "/token") {
      if (behaviour.huge === "token") return streamHuge(res, 200, "application/json");
      if (tokenFailed < (behaviour.tokenFailures ?? 0)) {
        tokenFailed++;
        return send(res, 503, "token service warming up");
      }
      const expected = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`;
      const form = new URLSearchParams(body);
      const refreshed =
        req.method === "POST" &&
        form.get("grant_type") === "refresh_token" &&
        form.get("refresh_token") === REFRESH_TOKEN;
      if (refreshed) {
        return send(res, 200, JSON.stringify({ access_token: TOKEN, expires_in: 300 }), {
          "content-type": "application/json",
        });
      }
      if (req.headers.authorization !== expected) return send(res, 401, '{"errors":[{"message":"bad"}]}');
      return send(res, 200, JSON.stringify({ token: TOKEN, expires_in: 300 }), {
        "content-type": "application/json",
      });
    }
    if (req.method === "PUT" && url.pathname.startsWith("/uploads/")) return send(res, 201, "");
    if (url.pathname === `/cdn/${good.configDigest}`) return send(res, 200, good.config);
    if (url.pathname.startsWith("/v2/")) {
      return send(res, 200, JSON.stringify({ name: REPOSITORY, tags: ["from-elsewhere"] }), {
        "content-type": "application/json",
      });
    }
    send(res, 404, "");
  };

  const authorized = (req: IncomingMessage, res: ServerResponse, scope: string): boolean => {
    const auth = req.headers.authorization;
    if (behaviour.auth === "none") return true;
    if (behaviour.auth === "basic") {
      if (auth === `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`)
        return true;
      send(res, 401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
        "www-authenticate": 'Basic realm="hostile"',
      });
      return false;
    }
    if (auth === `Bearer ${TOKEN}`) return true;
    const realm =
      behaviour.realm === "http-remote" ? "http://token.example.invalid/token" : `${addresses.other}/token`;
    send(res, 401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
      "www-authenticate": `Bearer realm="${realm}",service="hostile",scope="${scope}"`,
    });
    return false;
  };

  const registry = (url: URL, req: IncomingMessage, res: ServerResponse) => {
    if (behaviour.rateLimit && rateLimited < behaviour.rateLimit.count) {
      rateLimited++;
      const headers: Record<string, string> = behaviour.rateLimit.retryAfter
        ? { "retry-after": behaviour.rateLimit.retryAfter }
        : {};
      return send(res, 429, '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}', headers);
    }
    if (url.pathname === "/v2/") return authorized(req, res, "") && send(res, 200, "{}");
    const m = url.pathname.match(/^\/v2\/(.+?)\/(manifests|blobs|tags)\/(.*)$/);
    const uploads = url.pathname.match(/^\/v2\/(.+?)\/blobs\/uploads\/$/);
    const repo = m?.[1] ?? uploads?.[1] ?? "";
    const push = req.method === "PUT" || req.method === "POST";
    if (!authorized(req, res, `repository:${repo}:${push ? "pull,push" : "pull"}`)) return;
    if (behaviour.huge === "error") return streamHuge(res, 400, "application/json");

    if (uploads && req.method === "POST") {
      const location = behaviour.uploadElsewhere
        ? `${addresses.other}/uploads/1`
        : `/v2/${repo}/blobs/uploads/1`;
      return send(res, 202, "", { location });
    }
    if (!m || repo !== REPOSITORY)
      return send(res, 404, '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}');
    const [, , kind, ref] = m;
    if (kind === "tags") return tags(url, res);
    if (kind === "blobs") {
      if (ref === good.configDigest && behaviour.redirectBlobs) {
        return send(res, 307, "", { location: `${addresses.other}/cdn/${ref}` });
      }
      if (ref === good.configDigest) {
        if (behaviour.huge === "config") return streamHuge(res, 200, "application/octet-stream");
        return send(res, 200, behaviour.swapConfig ? evil.config : good.config);
      }
      return send(res, 404, '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
    }
    // manifests
    if (behaviour.huge === "manifest") return streamHuge(res, 200, OCI_MANIFEST);
    let body: Buffer | undefined;
    let type = OCI_MANIFEST;
    let announced: string | undefined;
    if (ref === TAG) {
      body = good.manifest;
      announced = behaviour.lyingHeader ? evil.digest : good.digest;
    } else if (ref === "multi") {
      body = index;
      type = OCI_INDEX;
      announced = indexDigest;
    } else if (ref === good.digest) {
      body = behaviour.swapManifest || behaviour.swapChild ? evil.manifest : good.manifest;
      announced = good.digest;
    } else if (ref === indexDigest) {
      body = index;
      type = OCI_INDEX;
      announced = indexDigest;
    }
    if (!body) return send(res, 404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
    const headers: Record<string, string> = { "content-type": type };
    if (announced && !behaviour.noDigestHeader) headers["docker-content-digest"] = announced;
    if (req.method === "HEAD") {
      res.writeHead(200, { ...headers, "content-length": String(body.length) });
      return res.end();
    }
    if (req.method === "PUT") return send(res, 201, "", { "docker-content-digest": digestOf(body) });
    send(res, 200, body, headers);
  };

  const tags = (url: URL, res: ServerResponse) => {
    const page = Number(url.searchParams.get("page") ?? "0");
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (behaviour.pagination === "endless")
      headers.link = `</v2/${REPOSITORY}/tags/list?page=${page + 1}>; rel="next"`;
    if (behaviour.pagination === "repeat") headers.link = `</v2/${REPOSITORY}/tags/list?page=0>; rel="next"`;
    if (behaviour.pagination === "cross-origin")
      headers.link = `<${addresses.other}/v2/${REPOSITORY}/tags/list?page=1>; rel="next"`;
    send(res, 200, JSON.stringify({ name: REPOSITORY, tags: [`t${page}`] }), headers);
  };

  const listen = (server: Server, address: string) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, address, () => resolve((server.address() as AddressInfo).port));
    });
  const registryServer = createServer(handler("registry"));
  const otherServer = createServer(handler("other"));
  const registryPort = await listen(registryServer, "127.0.0.1");
  const otherPort = await listen(otherServer, "127.0.0.3");
  addresses.registry = `http://127.0.0.1:${registryPort}`;
  addresses.other = `http://127.0.0.3:${otherPort}`;

  const fixture: HostileRegistry = {
    host: `127.0.0.1:${registryPort}`,
    other: addresses.other,
    get behaviour() {
      return behaviour;
    },
    received,
    image: { digest: good.digest, configDigest: good.configDigest, indexDigest, otherDigest: evil.digest },
    reset(next: Behaviour) {
      behaviour = next;
      rateLimited = 0;
      tokenFailed = 0;
      received.length = 0;
    },
    close: async () => {
      const close = (s: Server) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        });
      await Promise.all([close(registryServer), close(otherServer)]);
    },
  };
  return fixture;
}
