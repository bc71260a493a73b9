// The ssh "hosts" from ./scripts/setup: the deploy user logs in with host-key checking on and can run
// docker on every host; a known_hosts with a different key makes ssh refuse the host.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { checkServices, testEnv } from "../support/env";
import { sshOptions, tempDir } from "../support/helpers";

const env = testEnv();

beforeAll(() => checkServices(env));

test("there are at least two ssh hosts", () => {
  expect(env.ssh.hosts.length).toBeGreaterThanOrEqual(2);
});

test.each(env.ssh.hosts)("ssh %s runs docker as the deploy user", async (host) => {
  const result = await exec("ssh", [
    ...sshOptions(env),
    host,
    "id -un && docker version --format '{{.Server.Version}}'",
  ]);
  const [user, version] = result.stdout.trim().split("\n");
  expect(user).toBe(env.ssh.user);
  expect(version).toMatch(/^\d+\.\d+/);
});

test.each(env.ssh.hosts)("ssh %s is refused when known_hosts holds a different key", async (host) => {
  const dir = tempDir();
  const otherKey = join(dir, "other");
  await exec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
  const publicKey = readFileSync(`${otherKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[${host}]:${env.ssh.port} ${publicKey}\n`);

  const result = await exec("ssh", [...sshOptions(env, knownHosts), host, "true"], { allowFailure: true });
  expect(result.exitCode).toBe(255);
  expect(result.stderr).toContain("Host key verification failed");
});
