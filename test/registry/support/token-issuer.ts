/**
 * A small token issuer after the distribution token spec
 * (docs/spec/auth/token.md): `GET /token?service=…&scope=…` with basic
 * credentials answers `{"token": JWT}`; the JWT is ES256-signed by a key whose
 * self-signed certificate the registry trusts through `rootcertbundle`, and
 * its header `kid` is the libtrust key id the registry matches against it.
 */
import { createPrivateKey, createPublicKey, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { exec } from "../../../packages/core/src/exec/exec";
import { basicUser, jwt, libtrustKeyId } from "../../../scripts/lib/registry-token.mjs";

export interface TokenIssuerOptions {
  port: number;
  /** Directory for the key and certificate. */
  dir: string;
  service: string;
  issuer: string;
  users: Record<string, string>;
  /** Seconds a token lives (default 300). */
  expiresIn?: number;
}

export interface TokenIssuer {
  realm: string;
  /** PEM file for the registry's `rootcertbundle`. */
  certFile: string;
  /** Token requests received, with the scopes asked for. */
  requests: { user?: string; scopes: string[]; status: number }[];
  /** The registry config `auth:` section for this issuer. */
  registryAuth(): string[];
  close(): Promise<void>;
}

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const keyFile = join(options.dir, "token.key");
  const certFile = join(options.dir, "token.crt");
  await exec("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-days",
    "1",
    "-subj",
    "/CN=powertrain test token issuer",
  ]);
  const key = createPrivateKey(readFileSync(keyFile));
  const kid = libtrustKeyId(createPublicKey(key));
  const requests: TokenIssuer["requests"] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const scopes = url.searchParams.getAll("scope");
    const user = basicUser(req.headers.authorization, (u) =>
      Object.hasOwn(options.users, u) ? options.users[u] : undefined,
    );
    const answer = (status: number, body: unknown) => {
      requests.push({ user: user ?? undefined, scopes, status });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== "/token") return answer(404, { errors: [{ message: "not found" }] });
    if (user === null) return answer(401, { errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] });
    // Anonymous callers get a token without access, as public registries do for private repositories.
    const access = user ? scopes.flatMap(parseScope) : [];
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 300;
    const token = jwt(key, kid, {
      iss: options.issuer,
      sub: user ?? "",
      aud: options.service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    answer(200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const realm = `http://127.0.0.1:${options.port}/token`;
  return {
    realm,
    certFile,
    requests,
    registryAuth: () => [
      "token:",
      `  realm: ${realm}`,
      `  service: ${options.service}`,
      `  issuer: ${options.issuer}`,
      `  rootcertbundle: ${certFile}`,
    ],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `repository:a/b:pull,push` → an access claim entry. */
function parseScope(scope: string): { type: string; name: string; actions: string[] }[] {
  const parts = scope.split(":");
  if (parts.length < 3) return [];
  const actions = (parts.pop() ?? "").split(",").filter(Boolean);
  const [type = "", ...name] = parts;
  return [{ type, name: name.join(":"), actions }];
}
