/**
 * A dead deploy's lock dies with it: the lock is held by a process on the host that ends with its
 * holder's connection, so the next deploy takes it over at once — not after the 30 s the
 * heartbeat needs to go stale. The holder here is killed with SIGKILL (no clean-up of its own).
 */
import { HostLock } from "../../packages/core/src/deploy/lock";
import { SshSession } from "../../packages/core/src/ssh/session";
import { recordingLogger } from "../registry/support/logger";
import { uniqueName } from "../support/helpers";
import { holdLockInChild } from "../support/lock-holder";
import { env, sshOptions } from "./support";

jest.setTimeout(60_000);

const target = { host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port };
const scope = { app: uniqueName("pt-test-lock"), environment: "test" };

test("a killed holder's lock is taken over at once, with the default 30 s stale time", async () => {
  const child = await holdLockInChild(target, scope, sshOptions());
  const session = await SshSession.create({ ...sshOptions() });
  try {
    const host = await session.connect(target);
    // While the holder lives, the lock is not free.
    const busy = HostLock.acquire(host, {
      scope,
      deployId: "second",
      timeoutMs: 1000,
      logger: recordingLogger(),
    });
    await expect(busy).rejects.toThrow(
      /another deploy of .* holds the lock \(owner: .*deploy-id: held-by-child/,
    );

    child.kill("SIGKILL");
    const logger = recordingLogger();
    const t0 = Date.now();
    const lock = await HostLock.acquire(host, {
      scope,
      deployId: "third",
      timeoutMs: 20_000,
      logger,
    });
    const waited = Date.now() - t0;
    await lock.release();
    expect(logger.text()).toMatch(/took over a stale deploy lock .*its connection is gone/);
    expect(waited).toBeLessThan(10_000);
  } finally {
    await session.close();
  }
});
