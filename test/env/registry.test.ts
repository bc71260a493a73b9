// The local registry from ./scripts/setup: basic auth is enforced, and an image makes a full
// round trip (login, push, pull) through it; deletes are enabled so tests can clean up.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { checkServices, testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";

const env = testEnv();
const repository = `pt-test-env/${uniqueName("busybox")}`;
const image = `${env.registry.host}/${repository}:1`;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

beforeAll(() => checkServices(env));
afterAll(() => dockerRmi([image]));

test("an image round-trips through the registry with basic auth", async () => {
  const dockerConfig = tempDir();
  const docker = (args: string[], input?: string) =>
    exec("docker", args, { env: { DOCKER_CONFIG: dockerConfig }, input, secrets: [env.registry.password] });

  await docker(
    ["login", "--username", env.registry.user, "--password-stdin", env.registry.host],
    env.registry.password,
  );
  await docker(["tag", env.images.busybox, image]);
  const pushed = await docker(["push", image]);
  expect(pushed.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/);

  await dockerRmi([image]);
  const gone = await exec("docker", ["image", "inspect", image], { allowFailure: true });
  expect(gone.exitCode).not.toBe(0);

  await docker(["pull", image]);
  const pulledId = await exec("docker", ["image", "inspect", "--format", "{{.Id}}", image]);
  const baseId = await exec("docker", ["image", "inspect", "--format", "{{.Id}}", env.images.busybox]);
  expect(pulledId.stdout.trim()).toBe(baseId.stdout.trim());

  // Deletes are enabled: remove the manifest again so the registry does not fill up with test images.
  const auth = { Authorization: basic(env.registry.user, env.registry.password) };
  const accept = "application/vnd.docker.distribution.manifest.v2+json";
  const head = await fetch(`http://${env.registry.host}/v2/${repository}/manifests/1`, {
    method: "HEAD",
    headers: { ...auth, Accept: accept },
  });
  expect(head.status).toBe(200);
  const digest = head.headers.get("docker-content-digest");
  expect(digest).toMatch(/^sha256:/);
  const deleted = await fetch(`http://${env.registry.host}/v2/${repository}/manifests/${digest}`, {
    method: "DELETE",
    headers: auth,
  });
  expect(deleted.status).toBe(202);
});

test("a push with a wrong password is refused with 401", async () => {
  const dockerConfig = tempDir();
  // A stored credential with the wrong password: docker login would refuse to store it.
  const wrong = Buffer.from(`${env.registry.user}:not-the-password`).toString("base64");
  writeFileSync(
    join(dockerConfig, "config.json"),
    JSON.stringify({ auths: { [env.registry.host]: { auth: wrong } } }),
  );
  await exec("docker", ["tag", env.images.busybox, image]);

  const push = await exec("docker", ["push", image], {
    env: { DOCKER_CONFIG: dockerConfig },
    allowFailure: true,
  });
  expect(push.exitCode).not.toBe(0);
  expect(push.stderr + push.stdout).toMatch(/unauthorized|authentication required/i);

  const api = await fetch(`http://${env.registry.host}/v2/`, {
    headers: { Authorization: basic(env.registry.user, "not-the-password") },
  });
  expect(api.status).toBe(401);
  expect(api.headers.get("www-authenticate")).toMatch(/^Basic realm=/);

  const login = await exec(
    "docker",
    ["login", "--username", env.registry.user, "--password-stdin", env.registry.host],
    { env: { DOCKER_CONFIG: tempDir() }, input: "not-the-password", allowFailure: true },
  );
  expect(login.exitCode).not.toBe(0);
  expect(login.stderr).toMatch(/401|unauthorized/i);
});
