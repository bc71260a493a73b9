import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsFromDockerConfig, credentialsFromEnv } from "./credentials";

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
