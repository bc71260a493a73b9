/**
 * The registry client against a hostile registry (a real HTTP server with two
 * origins, test/registry/support/hostile-registry.ts): bytes that do not match
 * their digest are refused with both digests named, credentials never reach
 * an origin they do not belong to, and a registry cannot make the client read
 * or wait without end.
 */
import { readFromRegistry } from "../../packages/core/src/extract/registry-source";
import { silentLogger } from "../../packages/core/src/log";
import { RegistryClient, type RegistryClientOptions } from "../../packages/core/src/registry/client";
import { RegistryError } from "../../packages/core/src/registry/errors";
import { DEFAULT_PLATFORM } from "../../packages/core/src/registry/manifest";
import { parseReference } from "../../packages/core/src/registry/reference";
import {
  type Behaviour,
  type HostileRegistry,
  REFRESH_TOKEN,
  REPOSITORY,
  startHostileRegistry,
  TAG,
  TOKEN,
  USER,
} from "./support/hostile-registry";
import { recordingLogger } from "./support/logger";

jest.setTimeout(60_000);

let fixture: HostileRegistry;
const clients: RegistryClient[] = [];

beforeAll(async () => {
  fixture = await startHostileRegistry();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await fixture?.close();
});

function client(behaviour: Behaviour, options: Partial<RegistryClientOptions> = {}): RegistryClient {
  fixture.reset(behaviour);
  const c = new RegistryClient({
    registry: fixture.host,
    credentials: USER,
    retryDelayMs: 10,
    logger: silentLogger,
    ...options,
  });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

/** No request to the other origin carried the password, and none carried the registry's bearer token. */
function expectCredentialsStayedHome(options: { realmAllowed?: boolean } = {}) {
  const basic = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`;
  for (const r of fixture.received.filter((x) => x.origin === "other")) {
    if (options.realmAllowed && r.path.startsWith("/token")) {
      expect(r.authorization).toBe(basic);
      continue;
    }
    expect({ path: r.path, authorization: r.authorization }).toEqual({
      path: r.path,
      authorization: undefined,
    });
  }
}

describe("every byte fetched by digest is verified", () => {
  test("a manifest by digest answered with another manifest is refused, naming both digests and the registry", async () => {
    const c = client({ auth: "none", swapManifest: true });
    const error = await failure(c.getManifest(REPOSITORY, fixture.image.digest));
    expect(error.kind).toBe("integrity");
    expect(error.message).toBe(
      `registry ${fixture.host} answered manifest ${REPOSITORY}@${fixture.image.digest} with bytes whose digest is ${fixture.image.otherDigest}, not ${fixture.image.digest}; refusing them`,
    );
  });

  test("extract-config of a pinned image stops there: the swapped image's config is never read", async () => {
    fixture.reset({ auth: "none", swapManifest: true });
    const ref = parseReference(`${fixture.host}/${REPOSITORY}@${fixture.image.digest}`);
    await expect(readFromRegistry(ref, { platform: DEFAULT_PLATFORM, logger: silentLogger })).rejects.toThrow(
      `bytes whose digest is ${fixture.image.otherDigest}, not ${fixture.image.digest}`,
    );
    expect(fixture.received.some((r) => r.path.includes("/blobs/"))).toBe(false);
  });

  test("an index child that does not match the index's descriptor is refused", async () => {
    const c = client({ auth: "none", swapChild: true });
    const error = await failure(c.getImageManifest(REPOSITORY, "multi"));
    expect(error.message).toContain(`not ${fixture.image.digest}`);
    expect(error.kind).toBe("integrity");
  });

  test("a config blob with other bytes is refused", async () => {
    const c = client({ auth: "none", swapConfig: true });
    const { manifest } = await c.getImageManifest(REPOSITORY, TAG);
    const error = await failure(c.getConfig(REPOSITORY, manifest));
    expect(error.message).toMatch(
      new RegExp(
        `answered blob ${REPOSITORY}@${fixture.image.configDigest} with bytes whose digest is sha256:[0-9a-f]{64}, not`,
      ),
    );
  });

  test("a tag whose Docker-Content-Digest lies about the bytes is refused", async () => {
    const c = client({ auth: "none", lyingHeader: true });
    const error = await failure(c.getManifest(REPOSITORY, TAG));
    expect(error.message).toContain(`not ${fixture.image.otherDigest}`);
  });

  test("no Docker-Content-Digest: survived, the digest is the hash of the bytes", async () => {
    const c = client({ auth: "none", noDigestHeader: true });
    expect((await c.getManifest(REPOSITORY, TAG)).digest).toBe(fixture.image.digest);
    expect(await c.manifestDigest(REPOSITORY, TAG)).toBe(fixture.image.digest);
    const { manifest } = await c.getImageManifest(REPOSITORY, TAG);
    expect((await c.getConfig(REPOSITORY, manifest)).labels).toEqual({ "org.example.which": "approved" });
  });
});

describe("pagination stays home and ends", () => {
  test("endless next links stop at the page cap with a clear error", async () => {
    const c = client({ auth: "none", pagination: "endless" }, { limits: { pages: 25 } });
    const error = await failure(c.listTags(REPOSITORY));
    expect(error.message).toBe(
      `registry ${fixture.host} kept sending next pages for ${REPOSITORY}; stopped after 25`,
    );
    expect(fixture.received.length).toBe(25);
  });

  test("a next link back to a page already read is refused", async () => {
    const c = client({ auth: "none", pagination: "repeat" });
    await expect(c.listTags(REPOSITORY)).rejects.toThrow(
      `sent a next page it already sent (/v2/${REPOSITORY}/tags/list?page=0); refusing to loop`,
    );
    // The first page, then ?page=0 once; its link back to itself is not followed.
    expect(fixture.received.length).toBe(2);
  });

  test("a next link on another origin is refused, and that origin hears nothing", async () => {
    const c = client({ auth: "basic", pagination: "cross-origin" });
    await expect(c.listTags(REPOSITORY)).rejects.toThrow(
      `registry ${fixture.host} sent a next page on another origin (${fixture.other}); refusing to follow it`,
    );
    expect(fixture.received.filter((r) => r.origin === "other")).toEqual([]);
  });
});

describe("credentials go to the registry and the realm it names, nowhere else", () => {
  test("a realm on another host gets the basic credentials; the registry only ever sees the token", async () => {
    const c = client({ auth: "bearer", realm: "other-origin" });
    expect((await c.getManifest(REPOSITORY, TAG)).digest).toBe(fixture.image.digest);
    const toRegistry = fixture.received.filter((r) => r.origin === "registry").map((r) => r.authorization);
    expect(toRegistry).toEqual([undefined, `Bearer ${TOKEN}`]);
    expect(fixture.received.filter((r) => r.origin === "other").map((r) => r.path)).toEqual([
      expect.stringMatching(/^\/token\?service=hostile&scope=repository%3Ateam%2Fapp%3Apull/),
    ]);
    expectCredentialsStayedHome({ realmAllowed: true });
  });

  test("an identity token (docker's identitytoken) is traded at the realm by the OAuth2 refresh grant", async () => {
    const c = client(
      { auth: "bearer" },
      { credentials: { username: "<token>", password: REFRESH_TOKEN, identityToken: true } },
    );
    expect((await c.getManifest(REPOSITORY, TAG)).digest).toBe(fixture.image.digest);
    const post = fixture.received.find((r) => r.path === "/token");
    expect(post).toMatchObject({ method: "POST", authorization: undefined });
    const form = new URLSearchParams(post?.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "refresh_token",
      client_id: "powertrain",
      service: "hostile",
      scope: `repository:${REPOSITORY}:pull`,
      refresh_token: REFRESH_TOKEN,
    });
    expect(fixture.received.filter((r) => r.origin === "registry").at(-1)?.authorization).toBe(
      `Bearer ${TOKEN}`,
    );
  });

  test("a realm over plain HTTP on a non-loopback host is refused before anything is sent to it", async () => {
    const c = client({ auth: "bearer", realm: "http-remote" });
    await expect(c.getManifest(REPOSITORY, TAG)).rejects.toThrow(
      `registry ${fixture.host} names the token realm http://token.example.invalid over http; credentials are sent to a realm over https only (or to loopback, or with insecure)`,
    );
    expect(fixture.received.map((r) => r.origin)).toEqual(["registry"]);
  });

  test("a blob redirected to another origin (a CDN) is fetched there without the Authorization header", async () => {
    const c = client({ auth: "basic", redirectBlobs: true });
    const raw = await c.getBlob(REPOSITORY, fixture.image.configDigest);
    expect(JSON.parse(raw.toString()).config.Labels).toEqual({ "org.example.which": "approved" });
    expect(fixture.received.filter((r) => r.origin === "other")).toEqual([
      expect.objectContaining({ path: `/cdn/${fixture.image.configDigest}`, authorization: undefined }),
    ]);
  });

  test("an upload Location on another origin gets the blob but no Authorization", async () => {
    const c = client({ auth: "basic", uploadElsewhere: true });
    // The fixture refuses the mount (202): the client streams the blob to the Location.
    fixture.reset({ auth: "basic", uploadElsewhere: true });
    expect(await c.copyBlob(REPOSITORY, "team/copy", fixture.image.configDigest)).toBe("copied");
    const puts = fixture.received.filter((r) => r.method === "PUT");
    expect(puts).toEqual([expect.objectContaining({ origin: "other", authorization: undefined })]);
    expect(
      fixture.received.some((r) => r.origin === "registry" && r.authorization?.startsWith("Basic ")),
    ).toBe(true);
    expectCredentialsStayedHome();
  });
});

describe("bounded: huge bodies are cut off at their cap", () => {
  test.each([
    [
      "manifest",
      (c: RegistryClient) => c.getManifest(REPOSITORY, TAG),
      "the manifest team/app:1 of more than 4194304 bytes",
    ],
    [
      "config",
      async (c: RegistryClient) => c.getBlob(REPOSITORY, fixture.image.configDigest),
      `the blob ${"sha256:"}`,
    ],
    ["token", (c: RegistryClient) => c.getManifest(REPOSITORY, TAG), "answered more than 1048576 bytes"],
  ] as const)("a huge %s", async (huge, call, message) => {
    const c = client({ auth: huge === "token" ? "bearer" : "none", huge });
    const error = await failure(call(c));
    expect(error.message).toContain(message);
    // Reading stopped near the cap, not at the 16 MiB the server offers.
    expect(c.bytesReceived).toBeLessThan(9 << 20);
  });

  test("a huge error body still ends in a short, clear error", async () => {
    const c = client({ auth: "none", huge: "error" });
    const error = await failure(c.getManifest(REPOSITORY, TAG));
    expect(error.message).toBe(
      `registry ${fixture.host} answered 400 to GET /v2/team/app/manifests/1 in team/app`,
    );
    expect(c.bytesReceived).toBeLessThan(1 << 20);
  });
});

describe("patient with 429, within a deadline", () => {
  test("a short 429 storm with Retry-After is waited out", async () => {
    const logger = recordingLogger();
    const c = client({ auth: "none", rateLimit: { count: 3, retryAfter: "1" } }, { logger });
    const started = Date.now();
    expect((await c.getManifest(REPOSITORY, TAG)).digest).toBe(fixture.image.digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(logger.text()).toContain("rate limited (429); waiting in 1000 ms");
  });

  test("an endless storm ends in one clear error", async () => {
    const c = client({ auth: "none", rateLimit: { count: 1_000 } }, { attempts: 3 });
    const error = await failure(c.getManifest(REPOSITORY, TAG));
    expect(error.kind).toBe("rate-limited");
    expect(error.message).toBe(
      `registry ${fixture.host} kept answering 429 Too Many Requests to GET /v2/team/app/manifests/1; gave up after 6 answers`,
    );
  });

  test("a Retry-After beyond what the client waits out ends the request at once", async () => {
    const c = client({ auth: "none", rateLimit: { count: 1, retryAfter: "3600" } });
    const error = await failure(c.getManifest(REPOSITORY, TAG));
    expect(error.message).toContain("(it asks to wait 3600 s); gave up after 1 answer");
  });

  test("a token service that fails twice is retried with backoff", async () => {
    const c = client({ auth: "bearer", tokenFailures: 2 });
    expect((await c.getManifest(REPOSITORY, TAG)).digest).toBe(fixture.image.digest);
    expect(fixture.received.filter((r) => r.path.startsWith("/token")).length).toBe(3);
  });

  test("the total deadline ends a request that keeps being told to wait", async () => {
    const c = client({ auth: "none", rateLimit: { count: 1_000, retryAfter: "1" } }, { deadlineMs: 2_500 });
    const started = Date.now();
    const error = await failure(c.getManifest(REPOSITORY, TAG));
    expect(error.message).toBe(`GET /v2/team/app/manifests/1 at ${fixture.host} did not finish within 3 s`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
