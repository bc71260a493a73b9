import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SshError } from "../../packages/core/src/ssh/errors";
import { HOSTILE } from "../../packages/core/src/ssh/hostile.fixture";
import { SshSession } from "../../packages/core/src/ssh/session";
import { testEnv } from "../support/env";
import { tempDir } from "../support/helpers";

const env = testEnv();
const target = (host = env.ssh.hosts[0]!) => ({ host, user: env.ssh.user, port: env.ssh.port });

describe("ssh transport against a real sshd", () => {
  let session: SshSession;
  beforeAll(async () => {
    session = await SshSession.create({ identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts });
  });
  afterAll(() => session.close());

  test("hostile arguments arrive literally through the remote shell", async () => {
    const conn = await session.connect(target());
    const r = await conn.run(["printf", "%s\\0", ...HOSTILE]);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(HOSTILE);
  });

  test("stdin reaches the remote command unchanged", async () => {
    const conn = await session.connect(target());
    const input = "secret 'value' $(id)\nline2\n";
    expect((await conn.run(["cat"], { input })).stdout).toBe(input);
  });

  test("one multiplexed connection: later commands need no new handshake", async () => {
    const conn = await session.connect(target());
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await conn.run(["true"]);
    // A full handshake costs well over 100 ms here; a multiplexed command a few ms.
    expect((Date.now() - t0) / 5).toBeLessThan(150);
  });

  test("a failing remote command throws with its exit code, unless allowed", async () => {
    const conn = await session.connect(target());
    await expect(conn.run(["sh", "-c", "echo boom >&2; exit 7"])).rejects.toThrow(/exited with code 7: boom/);
    expect((await conn.run(["sh", "-c", "exit 7"], { allowFailure: true })).exitCode).toBe(7);
  });

  test("key material from a string works and is removed on close", async () => {
    const s = await SshSession.create({
      privateKey: readFileSync(env.ssh.key, "utf8"),
      knownHosts: readFileSync(env.ssh.knownHosts, "utf8"),
    });
    const conn = await s.connect(target(env.ssh.hosts[1]));
    expect((await conn.run(["echo", "ok"])).stdout.trim()).toBe("ok");
    await s.close();
    expect(() => readFileSync(join(s.dir, "id"))).toThrow();
  });
});

describe("a jump host", () => {
  const [hostA, hostB] = env.ssh.hosts as [string, string];
  const viaB = { ...target(hostA), jump: `${env.ssh.user}@${hostB}:${env.ssh.port}` };

  test("gets our known_hosts and key too (ssh -J would give it neither)", async () => {
    const s = await SshSession.create({ identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts });
    try {
      const conn = await s.connect(viaB);
      expect((await conn.run(["echo", "through"])).stdout.trim()).toBe("through");
    } finally {
      await s.close();
    }
  });

  test("whose key is unknown is refused, though the target's key is known", async () => {
    const onlyA = join(tempDir("pt-ssh-kh-"), "known_hosts");
    const lines = readFileSync(env.ssh.knownHosts, "utf8").split("\n");
    writeFileSync(onlyA, `${lines.filter((l) => l.startsWith(`[${hostA}]`)).join("\n")}\n`);
    const s = await SshSession.create({ identityFile: env.ssh.key, knownHostsFile: onlyA });
    try {
      expect((await (await s.connect(target(hostA))).run(["echo", "direct"])).stdout.trim()).toBe("direct");
      const err = await s.connect(viaB).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshError);
      expect((err as Error).message).toMatch(/^host key verification failed for .* or its jump host /);
    } finally {
      await s.close();
    }
  });
});

describe("host key verification", () => {
  test("an unknown host key is refused with a clear SshError", async () => {
    const empty = join(tempDir("pt-ssh-kh-"), "known_hosts");
    writeFileSync(empty, "");
    const s = await SshSession.create({ identityFile: env.ssh.key, knownHostsFile: empty });
    try {
      const err = await s.connect(target()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshError);
      expect((err as Error).message).toBe(
        `host key verification failed for ${env.ssh.user}@${env.ssh.hosts[0]}:${env.ssh.port} (not in known_hosts ${empty})`,
      );
    } finally {
      await s.close();
    }
  });

  test("a changed host key is refused", async () => {
    const wrong = join(tempDir("pt-ssh-kh-"), "known_hosts");
    const otherKey = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    writeFileSync(wrong, `[${env.ssh.hosts[0]}]:${env.ssh.port} ssh-ed25519 ${otherKey}\n`);
    const s = await SshSession.create({ identityFile: env.ssh.key, knownHostsFile: wrong });
    try {
      await expect(s.connect(target())).rejects.toThrow(/host key verification failed .*the key changed/);
    } finally {
      await s.close();
    }
  });

  test("the explicit opt-out connects, and warns", async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      mask() {},
      group: <T>(_: string, fn: () => Promise<T>) => fn(),
      warn: (m: string) => void warnings.push(m),
    };
    const s = await SshSession.create({ identityFile: env.ssh.key, insecureIgnoreHostKey: true, logger });
    try {
      const conn = await s.connect(target());
      expect((await conn.run(["echo", "in"])).stdout.trim()).toBe("in");
      expect(warnings.join("\n")).toMatch(/host key verification is DISABLED/);
    } finally {
      await s.close();
    }
  });
});
