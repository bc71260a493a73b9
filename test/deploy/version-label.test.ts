/**
 * A deploy of `repo@sha256:…` without --version is labelled with the image's own
 * org.opencontainers.image.version, read from the registry — not with a short digest.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, targetFlags } from "../support/cli";
import { buildAndPush, tempDir } from "../support/helpers";
import { cleanUp, env, newApp } from "./support";

jest.setTimeout(120_000);

const app = newApp();
const savedEnv = { ...process.env };

afterAll(async () => {
  process.env = savedEnv;
  await cleanUp(app);
});

test("the image's version label names the deploy when no --version is given", async () => {
  const dir = tempDir("pt-version-label-");
  mkdirSync(join(dir, "www"));
  writeFileSync(join(dir, "www", "index.html"), "42");
  writeFileSync(
    join(dir, "Dockerfile"),
    `FROM ${env.images.busybox}\nLABEL org.opencontainers.image.version=42-97f7595\nCOPY www /www\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`,
  );
  const pinned = await buildAndPush(env, dir, `${env.registry.host}/${app}/app:build-9`);
  const byDigest = `${pinned.replace(/:build-9@/, "@")}`;
  process.env.POWERTRAIN_REGISTRY_USER = env.registry.user;
  process.env.POWERTRAIN_REGISTRY_PASSWORD = env.registry.password;
  process.env.POWERTRAIN_REGISTRY = env.registry.host;
  const config = join(dir, "powertrain.yml");
  const host = `${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port}`;
  writeFileSync(config, `name: ${app}\nenvironments:\n  test:\n    hosts: ["${host}"]\n`);
  const flags = targetFlags(config);
  const r = await runCli("deploy", byDigest, ...flags, "--dry-run", "--json");
  expect(r.stderr).not.toMatch(/error/);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).version).toBe("42-97f7595");
});
