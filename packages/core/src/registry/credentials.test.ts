import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  credentialsFromDockerConfig,
  credentialsFromEnv,
  pullCredentialsFor,
  registryCredentialsFor,
} from "./credentials";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pt-creds-"));
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      auths: {
        "127.0.0.1:5000": { auth: b64("alice:pa:ss") },
        "https://registry.example.com/v2/": { auth: b64("bob:secret") },
        "https://index.docker.io/v1/": { auth: b64("hub:token") },
        "broken.example": { auth: b64("nocolon") },
      },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each([
  ["127.0.0.1:5000", { username: "alice", password: "pa:ss" }],
  ["registry.example.com", { username: "bob", password: "secret" }],
  ["docker.io", { username: "hub", password: "token" }],
  ["broken.example", undefined],
  ["other:5000", undefined],
])("docker config login for %s", async (registry, expected) => {
  expect(await credentialsFromDockerConfig(registry, dir)).toEqual(expected);
});

test("a missing docker config means anonymous", async () => {
  expect(await credentialsFromDockerConfig("x", join(dir, "nope"))).toBeUndefined();
});

test.each([
  [
    { POWERTRAIN_REGISTRY_USER: "u", POWERTRAIN_REGISTRY_PASSWORD: "p" },
    { username: "u", password: "p" },
  ],
  [{ POWERTRAIN_REGISTRY_USER: "u" }, undefined],
  [{}, undefined],
])("credentialsFromEnv(%j)", (env, expected) => {
  expect(credentialsFromEnv(env)).toEqual(expected);
});

describe("registryCredentialsFor: each credential only for its own registry, in order", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  let docker: string;
  beforeAll(() => {
    docker = mkdtempSync(join(tmpdir(), "pt-creds-order-"));
    writeFileSync(
      join(docker, "config.json"),
      JSON.stringify({
        auths: {
          "a.example": { auth: b64("docker-a:pw") },
          "tok.example": { identitytoken: "refresh-123" },
        },
      }),
    );
  });
  afterAll(() => rmSync(docker, { recursive: true, force: true }));

  const explicit = { registry: "a.example", credentials: { username: "explicit", password: "x" } };
  const registryAuths = [
    { registry: "a.example", credentials: { username: "listed-a", password: "l" } },
    { registry: "b.example", credentials: { username: "listed-b", password: "l" } },
  ];
  const env = { POWERTRAIN_REGISTRY_USER: "env", POWERTRAIN_REGISTRY_PASSWORD: "e" };

  test.each([
    ["explicit wins for its registry", "a.example", { explicit, registryAuths, env }, "explicit", "explicit"],
    [
      "explicit is not for another registry",
      "b.example",
      { explicit, registryAuths },
      "listed-b",
      "registry-auths",
    ],
    [
      "the list before the environment",
      "a.example",
      { registryAuths, env, configuredRegistry: "a.example" },
      "listed-a",
      "registry-auths",
    ],
    [
      "env for the configured registry",
      "c.example",
      { env, configuredRegistry: "c.example" },
      "env",
      "POWERTRAIN_REGISTRY_USER/PASSWORD",
    ],
    [
      "env not for an image's other registry",
      "a.example",
      { env, configuredRegistry: "c.example" },
      "docker-a",
      `${"DOCKER"}`,
    ],
    ["env without a configured registry: not used", "c.example", { env }, undefined, undefined],
    [
      "POWERTRAIN_REGISTRY binds env",
      "c.example",
      { env: { ...env, POWERTRAIN_REGISTRY: "c.example" } },
      "env",
      "POWERTRAIN_REGISTRY_USER/PASSWORD",
    ],
    [
      "POWERTRAIN_REGISTRY wins over the config",
      "d.example",
      { env: { ...env, POWERTRAIN_REGISTRY: "c.example" }, configuredRegistry: "d.example" },
      undefined,
      undefined,
    ],
    [
      "docker hub aliases are one registry",
      "docker.io",
      { explicit: { ...explicit, registry: "https://index.docker.io/v1/" } },
      "explicit",
      "explicit",
    ],
    ["the identity token from docker's config", "tok.example", {}, "<token>", "DOCKER"],
    [
      "nothing: anonymous",
      "z.example",
      { registryAuths, env, configuredRegistry: "a.example" },
      undefined,
      undefined,
    ],
  ])("%s", async (_name, registry, sources, user, source) => {
    const found = await registryCredentialsFor(registry, { env: {}, ...sources, dockerConfig: docker });
    expect(found?.credentials.username).toBe(user);
    if (source === "DOCKER") expect(found?.source).toBe(`${join(docker, "config.json")} auths`);
    else expect(found?.source).toBe(source);
  });

  test("an identity token is marked for the refresh-token grant", async () => {
    const found = await registryCredentialsFor("tok.example", { env: {}, dockerConfig: docker });
    expect(found?.credentials).toEqual({ username: "<token>", password: "refresh-123", identityToken: true });
  });

  test("POWERTRAIN_REGISTRY_AUTHS is a per-registry list too", async () => {
    const found = await registryCredentialsFor("b.example", {
      env: { POWERTRAIN_REGISTRY_AUTHS: '{"b.example": {"username": "from-var", "password": "v"}}' },
      dockerConfig: false,
    });
    expect(found).toEqual({ credentials: { username: "from-var", password: "v" }, source: "registry-auths" });
  });

  test("pull credentials for a host: nothing for other hosts, nothing for identity tokens", async () => {
    const sources = { env: {}, registryAuths, dockerConfig: docker };
    expect(await pullCredentialsFor("b.example", sources)).toEqual({
      registry: "b.example",
      username: "listed-b",
      password: "l",
    });
    expect(await pullCredentialsFor("z.example", sources)).toBeUndefined();
    expect(await pullCredentialsFor("tok.example", sources)).toBeUndefined();
  });
});
