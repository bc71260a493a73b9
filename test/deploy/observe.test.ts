/**
 * Observing a host brings only what the deploy needs: another app's container with a secret in
 * its env shares the engine, and neither its env nor anything beyond state, our labels, addresses
 * and port bindings reaches the runner.
 */
import { observeArgs } from "../../packages/core/src/deploy/observe";
import { exec } from "../../packages/core/src/exec/exec";
import { runScript } from "../../packages/core/src/remote";
import { SshSession } from "../../packages/core/src/ssh/session";
import { uniqueName } from "../support/helpers";
import { env, sshOptions } from "./support";

jest.setTimeout(60_000);

const other = uniqueName("pt-test-other-app");
const SECRET = `s3cret-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  await exec("docker", [
    "run",
    "-d",
    "--name",
    other,
    "-e",
    `OTHER_SECRET=${SECRET}`,
    env.images.busybox,
    "sleep",
    "120",
  ]);
});
afterAll(async () => {
  await exec("docker", ["rm", "-f", other], { allowFailure: true });
});

test("the observation of a host carries no other app's env", async () => {
  const session = await SshSession.create(sshOptions());
  try {
    const host = await session.connect({ host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port });
    const r = await runScript(
      host,
      "observe",
      observeArgs({ app: "pt-test-observe", environment: "test" }, "none"),
    );
    expect(r.stdout).toContain(other); // the container is seen (its name and ports count)…
    expect(r.stdout).not.toContain(SECRET); // …its env never
    expect(r.stdout).not.toContain("OTHER_SECRET");
  } finally {
    await session.close();
  }
});
