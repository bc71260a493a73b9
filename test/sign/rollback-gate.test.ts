/**
 * A rollback puts an image on hosts as a deploy does, so it passes the same gate: the version gone
 * back to must verify against the deploy side's policy before anything changes. Real host, real
 * registry, real signatures: an unsigned previous version is refused and the current one keeps
 * serving; once it is signed, the rollback goes through.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp, cleanUp, containersOf, env, newApp } from "../deploy/support";
import { runCli as run, targetFlags } from "../support/cli";
import { tempDir } from "../support/helpers";
import { pemKeyPair } from "./support";

jest.setTimeout(180_000);

const app = newApp();
const savedEnv = { ...process.env };
const dir = tempDir("pt-rollback-gate-");

afterAll(async () => {
  process.env = savedEnv;
  await cleanUp(app);
});

const serving = async () =>
  (await containersOf(app)).filter((c) => c.state === "running").map((c) => c.version);

test("rollback to an unsigned version is refused before any change; signed, it goes through", async () => {
  process.env.POWERTRAIN_REGISTRY_USER = env.registry.user;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = env.registry.password;
  process.env.POWERTRAIN_REGISTRY = env.registry.host;
  const keys = pemKeyPair(dir);
  const [v1, v2] = await Promise.all([buildApp(app, "v1"), buildApp(app, "v2")]);
  const config = join(dir, "powertrain.yml");
  const host = `${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}`;
  writeFileSync(
    config,
    `name: ${app}\nrun:\n  instances: 1\n  ports: ["18520-18539:8080"]\n  health: { http: /healthz }\nenvironments:\n  test:\n    hosts: ["${host}"]\n    deploy: { keep: 1, verify: { key: "${keys.publicKey}" } }\n`,
  );
  const flags = targetFlags(config);
  // v1 went out before the policy existed; v2 is signed and deployed through the gate.
  expect(await run("deploy", v1, ...flags, "--version", "v1", "--insecure-skip-verify")).toMatchObject({
    code: 0,
  });
  expect(await run("sign", v2, "--key", keys.privateKey)).toMatchObject({ code: 0 });
  expect(await run("deploy", v2, ...flags, "--version", "v2")).toMatchObject({ code: 0 });
  expect(await serving()).toEqual(["v2"]);

  const refused = await run("rollback", ...flags);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/no signature/);
  expect(await serving()).toEqual(["v2"]);

  expect(await run("sign", v1, "--key", keys.privateKey)).toMatchObject({ code: 0 });
  const back = await run("rollback", ...flags);
  expect(back.stderr).toMatch(/verified signature of /);
  expect(back.code).toBe(0);
  expect(await serving()).toEqual(["v1"]);
});
