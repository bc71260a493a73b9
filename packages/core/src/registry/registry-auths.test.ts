import { parseRegistryAuths } from "./registry-auths";
import { dockerServerUrl, normalizeRegistryHost } from "./registry-host";

test.each([
  ["", []],
  ["[]", []],
  [
    "- registry: GHCR.io\n  username: bot\n  password: p1\n- registry: https://index.docker.io/v1/\n  username: hub\n  token: t2\n",
    [
      { registry: "ghcr.io", credentials: { username: "bot", password: "p1" } },
      { registry: "docker.io", credentials: { username: "hub", password: "t2" } },
    ],
  ],
  [
    '{"127.0.0.1:5000": {"username": "u", "password": "p"}}',
    [{ registry: "127.0.0.1:5000", credentials: { username: "u", password: "p" } }],
  ],
])("parseRegistryAuths(%j)", (text, expected) => {
  expect(parseRegistryAuths(text)).toEqual(expected);
});

test.each([
  ["- registry: a.example\n  username: u\n", "registry-auths entry 1: password missing or not a string"],
  [
    "- {registry: a.example, username: u, password: p}\n- {registry: A.example, username: v, password: q}",
    "registry-auths: a.example is listed twice",
  ],
  [
    "just a string",
    "registry-auths: expected a list of {registry, username, password} or a map of registry → {username, password}",
  ],
  ['{"x": [unclosed', "registry-auths: not valid YAML or JSON"],
])("a bad list: %j", (text, message) => {
  expect(() => parseRegistryAuths(text)).toThrow(message);
});

test("an error never quotes a secret", () => {
  expect(() => parseRegistryAuths('{"a.example": {"username": "u", "password": "sekrit", oops')).toThrow(
    /^((?!sekrit).)*$/,
  );
});

test.each([
  ["docker.io", "docker.io"],
  ["https://index.docker.io/v1/", "docker.io"],
  ["registry-1.docker.io", "docker.io"],
  ["Registry.Example.com:443/v2/", "registry.example.com:443"],
  ["127.0.0.1:5000", "127.0.0.1:5000"],
])("normalizeRegistryHost(%s) = %s", (text, host) => {
  expect(normalizeRegistryHost(text)).toBe(host);
});

test("docker's server URL for hub and others", () => {
  expect(dockerServerUrl("docker.io")).toBe("https://index.docker.io/v1/");
  expect(dockerServerUrl("ghcr.io")).toBe("ghcr.io");
});
