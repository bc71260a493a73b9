/**
 * `powertrain deploy` checks the verify policy before it touches any host, --dry-run included:
 * the hosts here are unreachable on purpose, so an error about ssh means the gate let the image
 * through and an error about the signature means it stopped it first. The deploy side's policy
 * counts (flags or its own powertrain.yml); an image's own deploy.verify alone is not enforced.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../packages/core/src/config/load";
import { resolveEnvironment } from "../../packages/core/src/config/resolve";
import { toResolvedDocument } from "../../packages/core/src/config/resolved";
import type { RegistryClient } from "../../packages/core/src/registry/client";
import { runCli as run } from "../support/cli";
import { tempDir, uniqueName } from "../support/helpers";
import { credentials, newClient, pemKeyPair, pushTinyImage, registry } from "./support";

jest.setTimeout(120_000);

const savedEnv = { ...process.env };
const repository = `${uniqueName("pt-test-deploy-gate")}/app`;
const dir = tempDir("pt-deploy-gate-");
const unreachable = "deploy@127.0.0.1:1";
let client: RegistryClient;
let keys: { privateKey: string; publicKey: string };
let signed: string;
let unsigned: string;

const CONFIG = (verify: string) =>
  `name: gate\nenvironments:\n  prod:\n    hosts: ["${unreachable}"]\n    deploy: { lock-timeout: 1s${verify} }\n`;

function configFile(verify = ""): string {
  const file = join(dir, `${uniqueName("powertrain")}.yml`);
  writeFileSync(file, CONFIG(verify));
  return file;
}

beforeAll(async () => {
  client = newClient();
  process.env.POWERTRAIN_REGISTRY_USER = credentials.username;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = credentials.password;
  process.env.POWERTRAIN_REGISTRY = registry;
  keys = pemKeyPair(dir);
  signed = `${registry}/${repository}@${await pushTinyImage(client, repository, "gate signed")}`;
  unsigned = `${registry}/${repository}@${await pushTinyImage(client, repository, "gate unsigned")}`;
  const sign = await run("sign", signed, "--key", keys.privateKey);
  expect(sign).toMatchObject({ code: 0 });
});

afterAll(async () => {
  process.env = savedEnv;
  await client.close();
});

test("an unsigned image is refused before any host, dry run included", async () => {
  for (const dry of [[], ["--dry-run"]]) {
    const r = await run(
      "deploy",
      unsigned,
      "-e",
      "prod",
      "-c",
      configFile(),
      "--verify-key",
      keys.publicKey,
      ...dry,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no signature/);
    expect(r.stderr).not.toMatch(/ssh|127\.0\.0\.1:1/);
  }
});

test("the deploy side's own powertrain.yml policy counts too; a signed image passes the gate", async () => {
  const file = configFile(`, verify: { key: "${keys.publicKey}" }`);
  const refused = await run("deploy", unsigned, "-e", "prod", "-c", file, "--dry-run");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/no signature/);
  const passed = await run("deploy", signed, "-e", "prod", "-c", file, "--dry-run");
  expect(passed.stderr).toMatch(/verified signature of /);
  // Through the gate, the dry run goes on to the (unreachable) host.
  expect(passed.stderr).toMatch(/127\.0\.0\.1/);
});

test("an image's own deploy.verify alone is not enforced (warned), and cannot switch a deploy-side check off", async () => {
  const other = pemKeyPair(dir);
  const env = resolveEnvironment(
    parseConfig(CONFIG(`, verify: { key: "${other.publicKey}" }`), "p.yml"),
    "prod",
  );
  const resolved = join(dir, "resolved.json");
  writeFileSync(resolved, JSON.stringify(toResolvedDocument(env)));
  const alone = await run("deploy", signed, "-e", "prod", "--resolved", resolved, "--dry-run");
  expect(alone.stderr).toMatch(/the image's own deploy.verify is not enforced/);
  // The deploy side's key decides: the image naming another key changes nothing.
  const decided = await run(
    "deploy",
    signed,
    "-e",
    "prod",
    "--resolved",
    resolved,
    "--verify-key",
    keys.publicKey,
    "--dry-run",
  );
  expect(decided.stderr).toMatch(/verified signature of /);
});

test("--insecure-skip-verify deploys unverified, loudly", async () => {
  const r = await run(
    "deploy",
    unsigned,
    "-e",
    "prod",
    "-c",
    configFile(),
    "--verify-key",
    keys.publicKey,
    "--insecure-skip-verify",
    "--dry-run",
  );
  expect(r.stderr).toMatch(/INSECURE: --insecure-skip-verify/);
  expect(r.stderr).not.toMatch(/no signature/);
});
