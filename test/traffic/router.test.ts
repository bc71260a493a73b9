/** The routers against the real deploy host: nginx run by the deploy user, and a command hook. */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { CommandRouter, type HookPayload } from "../../packages/core/src/router/command";
import { NginxRouter } from "../../packages/core/src/router/nginx";
import { RouterError, type UpstreamServer } from "../../packages/core/src/router/types";
import { type RemoteHost, SshSession } from "../../packages/core/src/ssh/session";
import { uniqueName } from "../support/helpers";
import { startLoad } from "./load";
import { env, nginx } from "./support";

jest.setTimeout(60_000);

let session: SshSession;
let host: RemoteHost;

beforeAll(async () => {
  session = await SshSession.create({ identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts });
  host = await session.connect({ host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port });
});
afterAll(() => session.close());

const server = (port: number, weight = 1, version = "v1"): UpstreamServer => ({
  address: "127.0.0.1",
  port,
  weight,
  version,
});

describe("nginx router", () => {
  const upstream = uniqueName("pt-test-traffic-router");
  let router: NginxRouter;
  beforeAll(() => {
    const n = nginx();
    router = new NginxRouter(host, {
      upstream,
      confDir: n.confDir,
      nginx: n.binary,
      config: n.conf,
      owner: "test",
    });
  });
  afterAll(() => {
    rmSync(router.file, { force: true });
    rmSync(router.logFile, { force: true });
  });

  test("check passes; nothing recorded before the first apply", async () => {
    await router.check();
    expect(await router.current()).toBeUndefined();
  });

  test("apply writes the weighted upstream, reloads, and current() reads it back", async () => {
    const servers = [server(20901, 9), server(20902, 1, "v2")];
    await router.apply(servers);
    expect(await router.current()).toEqual(servers);
    const text = readFileSync(router.file, "utf8");
    expect(text).toContain(`upstream ${upstream} {`);
    expect(text).toContain("server 127.0.0.1:20901 weight=9;");
    // nginx now knows the upstream: a request for it reaches the (absent) backends, not "no resolver".
    const r = await startLoad({
      port: nginx().port,
      host: upstream,
      concurrency: 1,
      maxRequests: 1,
      maxMs: 5000,
    }).done;
    expect(r.errors[0]).toMatch(/^HTTP 502/);
  });

  test("a set nginx -t rejects leaves the previous file in place and throws RouterError", async () => {
    const before = readFileSync(router.file, "utf8");
    const err = await router.apply([server(0)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouterError);
    expect(String(err)).toMatch(
      /nginx -t rejected the new upstream; the previous upstream was restored: .*port/,
    );
    expect(readFileSync(router.file, "utf8")).toBe(before);
    // No temporary or .prev file is left; the previous set has two versions, so it logs (a canary).
    expect(readdirSync(`${nginx().confDir}/powertrain`).filter((f) => f.includes(upstream))).toEqual([
      `${upstream}.access.log`,
      `${upstream}.conf`,
    ]);
  });
});

describe("command router", () => {
  const upstream = uniqueName("pt-test-traffic-hook");
  const seen = `.powertrain/${upstream}.seen`;
  const hook = (extra = "") => ["sh", "-c", `cat > "$HOME/${seen}"${extra}`];
  afterAll(() =>
    host.run(["sh", "-c", 'rm -f "$HOME/$1" "$HOME/.powertrain/routes/$2.json"', "sh", seen, upstream]),
  );

  test("the hook receives the desired list as JSON on stdin; current() is what it accepted", async () => {
    const router = new CommandRouter(host, { app: "a", environment: "e", upstream, command: hook() });
    await router.check();
    const servers = [server(20903, 3), server(20904, 1, "v2")];
    await router.apply(servers);
    const got = JSON.parse(
      (await host.run(["sh", "-c", 'cat "$HOME/$1"', "sh", seen])).stdout,
    ) as HookPayload;
    expect(got).toEqual({ app: "a", environment: "e", upstream, servers });
    expect(await router.current()).toEqual(servers);
  });

  test("a failing hook throws with its message; the previous set is handed to it again", async () => {
    const failing = new CommandRouter(host, {
      app: "a",
      environment: "e",
      upstream,
      command: ["sh", "-c", 'cat > /dev/null; echo "haproxy: bad backend" >&2; exit 3'],
    });
    const err = await failing.apply([server(20905)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouterError);
    expect(String(err)).toMatch(
      /exited with code 3; the previous upstream was re-applied: haproxy: bad backend/,
    );
    expect((await failing.current())?.map((s) => s.port)).toEqual([20903, 20904]);
  });
});
