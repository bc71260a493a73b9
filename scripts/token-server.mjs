#!/usr/bin/env node
// A token server after the distribution token spec (docs/spec/auth/token.md), started by
// ./scripts/setup in front of the token-auth test registry. `GET /token?service=…&scope=…` with
// basic credentials (or none: anonymous) answers `{"token": JWT}`, granting of each scope only the
// actions the user's rules allow; the registry verifies every token and its scopes itself.
// The JWT is ES256-signed by a key whose self-signed certificate the registry trusts
// (`rootcertbundle`); its `kid` is the libtrust key id the registry matches against it.
//
//   node scripts/token-server.mjs CONFIG.json
//
// CONFIG: { "listen": "127.0.0.1:PORT", "issuer", "service", "key": "PEM file",
//           "expiresIn": seconds, "users": { NAME: { "password", "expiresIn"?, "lieAboutExpiry"?,
//           "access": [ { "repository": "glob", "actions": ["pull", "push"] } ] } } }
// `lieAboutExpiry` (tests): the JWT expires after `expiresIn` while the answer claims 300 s,
// as a revoked or clock-skewed token would — clients must renew on the registry's 401.
import { createPrivateKey, createPublicKey, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { basicUser, jwt, libtrustKeyId } from "./lib/registry-token.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const key = createPrivateKey(readFileSync(config.key));
const kid = libtrustKeyId(createPublicKey(key));
/** The reference registry accepts tokens up to this long after their `exp`. */
const REGISTRY_LEEWAY = 60;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const answer = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === "/healthz") return answer(200, { ok: true });
  if (url.pathname !== "/token") return answer(404, { errors: [{ message: "not found" }] });
  const user = basicUser(req.headers.authorization, (u) =>
    Object.hasOwn(config.users, u) ? config.users[u].password : undefined,
  );
  if (user === null) return answer(401, { errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] });
  const rules = user ? (config.users[user].access ?? []) : [];
  const access = url.searchParams.getAll("scope").flatMap((s) => grant(s, rules));
  const now = Math.floor(Date.now() / 1000);
  const settings = user ? config.users[user] : {};
  const expiresIn = settings.expiresIn ?? config.expiresIn ?? 300;
  const lie = Boolean(settings.lieAboutExpiry);
  const exp = lie ? now + expiresIn - REGISTRY_LEEWAY : now + expiresIn;
  const token = jwt(key, kid, {
    iss: config.issuer,
    sub: user ?? "",
    aud: url.searchParams.get("service") ?? config.service,
    exp,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  });
  answer(200, {
    token,
    access_token: token,
    expires_in: lie ? 300 : expiresIn,
    issued_at: new Date().toISOString(),
  });
});

const [host, port] = config.listen.split(":");
server.listen(Number(port), host);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));

/** `repository:a/b:pull,push` → the access claim entries the user's rules allow (none: nothing). */
function grant(scope, rules) {
  const parts = scope.split(":");
  if (parts.length < 3) return [];
  const wanted = (parts.pop() ?? "").split(",").filter(Boolean);
  const [type, ...nameParts] = parts;
  const name = nameParts.join(":");
  if (type !== "repository") return [];
  const allowed = new Set(rules.filter((r) => globMatch(r.repository, name)).flatMap((r) => r.actions));
  const actions = wanted.filter((a) => allowed.has(a) || allowed.has("*"));
  return actions.length ? [{ type, name, actions }] : [];
}

function globMatch(glob, name) {
  const re = new RegExp(`^${glob.split("*").map(escapeRegex).join("[^]*")}$`);
  return re.test(name);
}

function escapeRegex(s) {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
