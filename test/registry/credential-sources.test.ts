/**
 * Where credentials come from, end to end. Docker credential helpers, for real: a `docker-credential-pttest` shell
 * script on PATH (the docker-credential-* protocol: `get`, the server URL on
 * stdin, JSON on stdout) named by a docker config's credHelpers or
 * credsStore. extract-config and promote — the CLI commands — read the
 * setup's password-protected registry with what the helper answers, and the
 * helper is asked for that registry only.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RegistryClient } from "../../packages/core/src/registry/client";
import {
  cleanUpAfterAll,
  credentials,
  type Published,
  publish,
  sealEnvironment,
} from "../extract/support/fixture";
import { runCli } from "../support/cli";
import { testEnv } from "../support/env";
import { tempDir } from "../support/helpers";

jest.setTimeout(120_000);
sealEnvironment();
cleanUpAfterAll();

const env = testEnv();
let image: Published;
let dir: string;
let helperLog: string;

function installHelper(): void {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const { username, password } = credentials();
  // The secret lives in the helper (as in a keychain), never on a command line.
  const script = `#!/bin/sh
read -r server
echo "$1 $server" >>"${helperLog}"
if [ "$1" = get ] && [ "$server" = "${env.registry.host}" ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$server" '${username}' '${password}'
  exit 0
fi
echo "credentials not found in native keychain"
exit 1
`;
  writeFileSync(join(bin, "docker-credential-pttest"), script);
  chmodSync(join(bin, "docker-credential-pttest"), 0o700);
  process.env.PATH = `${bin}:${process.env.PATH}`;
}

function dockerConfig(config: object): void {
  const configDir = join(dir, `docker-${Math.random().toString(36).slice(2)}`);
  mkdirSync(configDir);
  writeFileSync(join(configDir, "config.json"), JSON.stringify(config));
  process.env.DOCKER_CONFIG = configDir;
  writeFileSync(helperLog, "");
}

const run = runCli;

beforeAll(async () => {
  // Published with the setup's password given explicitly; the tests below have only the helper.
  image = await publish("pt-test-cred-helper");
  dir = tempDir("pt-test-cred-helper-");
  helperLog = join(dir, "helper.log");
  installHelper();
});

test("extract-config reads the registry with the credHelpers entry for it", async () => {
  dockerConfig({ credHelpers: { [env.registry.host]: "pttest", "other.example": "pttest" } });
  const r = await run("extract-config", image.tagged, "--env", "dev", "--source", "registry", "--json");
  expect(r.stderr).not.toContain(credentials().password);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ image: image.pinned, version: "7-abc1234" });
  expect(readFileSync(helperLog, "utf8")).toBe(`get ${env.registry.host}\n`);
});

test("promote uses the credsStore helper; the promoted tag has the same digest", async () => {
  dockerConfig({ credsStore: "pttest" });
  const r = await run(
    "promote",
    "7-abc1234",
    "--to",
    "helper-promoted",
    "--registry",
    env.registry.host,
    "--repository",
    image.repository,
    "--config",
    join(dir, "no-powertrain.yml"),
    "--json",
  );
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ digest: image.digest });
  expect(readFileSync(helperLog, "utf8")).toContain(`get ${env.registry.host}\n`);
  const client = new RegistryClient({ registry: env.registry.host, credentials: credentials() });
  expect(await client.manifestDigest(image.repository, "helper-promoted")).toBe(image.digest);
  await client.close();
});

test("a helper with nothing for the registry leaves the client anonymous, with the usual clear error", async () => {
  dockerConfig({ credHelpers: { [env.registry.host]: "missing-helper" } });
  const r = await run("extract-config", image.tagged, "--env", "dev", "--source", "registry");
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain("credential helper docker-credential-missing-helper");
  expect(r.stderr).toContain(`no access to ${env.registry.host}/${image.repository} for anonymous access`);
});

test("--registry-auths: the entry for the image's registry is used, another registry's is not", async () => {
  dockerConfig({});
  const auths = join(dir, "auths.yml");
  const { username, password } = credentials();
  writeFileSync(
    auths,
    `- registry: ${env.registry.host}\n  username: ${username}\n  password: "${password}"\n- registry: other.example\n  username: someone\n  password: else\n`,
  );
  const r = await run(
    "extract-config",
    image.tagged,
    "--env",
    "dev",
    "--source",
    "registry",
    "--registry-auths",
    auths,
  );
  expect(r.code).toBe(0);
  expect(r.stderr).not.toContain(password);
  writeFileSync(auths, `other.example: {username: ${username}, password: "${password}"}\n`);
  const other = await run(
    "extract-config",
    image.tagged,
    "--env",
    "dev",
    "--source",
    "registry",
    "--registry-auths",
    auths,
  );
  expect(other.stderr).toContain("for anonymous access");
});

test("POWERTRAIN_REGISTRY_USER/PASSWORD stay with their registry: an image elsewhere is read anonymously", async () => {
  dockerConfig({});
  process.env.POWERTRAIN_REGISTRY_USER = credentials().username;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = credentials().password;
  try {
    process.env.POWERTRAIN_REGISTRY = "artifactory.example.com";
    const away = await run("extract-config", image.tagged, "--env", "dev", "--source", "registry");
    expect(away.stderr).toContain("for anonymous access");
    process.env.POWERTRAIN_REGISTRY = env.registry.host;
    const home = await run("extract-config", image.tagged, "--env", "dev", "--source", "registry");
    expect(home.code).toBe(0);
  } finally {
    delete process.env.POWERTRAIN_REGISTRY_USER;
    delete process.env.POWERTRAIN_REGISTRY_PASSWORD;
    delete process.env.POWERTRAIN_REGISTRY;
  }
});
