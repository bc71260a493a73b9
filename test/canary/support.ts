/**
 * Canary analysis tests: a node app whose answers can be slow or fail (baked into its image), and
 * an nginx of the tests' own — the test env's binary, run by the deploy user with the very
 * configuration scripts/lib/nginx.sh writes for the shared one, on a free port — so an analysis
 * reads a log whose every line comes from its own load and no other test's reload interferes.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DeployEnvironment } from "../../packages/core/src/deploy/types";
import { exec } from "../../packages/core/src/exec/exec";
import { buildAndPush, tempDir } from "../support/helpers";
import { env } from "../traffic/support";

export interface TestNginx {
  port: number;
  conf: string;
  confDir: string;
  binary: string;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, "../..");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

const asDeployUser = (args: string[]) => exec("runuser", ["-u", env.ssh.user, "--", ...args]);

/** Start an nginx as the deploy user, configured as scripts/lib/nginx.sh configures the shared one. */
export async function startNginx(): Promise<TestNginx> {
  if (!env.nginx) throw new Error("the test env has no nginx — run ./scripts/setup");
  const binary = env.nginx.binary;
  const services = mkdtempSync(join(tmpdir(), "pt-canary-nginx-"));
  const dir = join(services, "nginx");
  for (const d of [dir, join(dir, "tmp"), join(dir, "conf.d"), join(dir, "conf.d", "powertrain")])
    mkdirSync(d, { recursive: true });
  chmodSync(services, 0o755);
  const port = await freePort();
  const text = execFileSync(
    "bash",
    [
      "-c",
      'SERVICES_DIR=$1; . "$2/scripts/lib/nginx.sh"; NGINX_PORT=$3; nginx_config',
      "bash",
      services,
      ROOT,
      String(port),
    ],
    { encoding: "utf8" },
  );
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, text);
  execFileSync("chown", ["-R", `${env.ssh.user}:`, services]);
  await asDeployUser([binary, "-c", conf]);
  return {
    port,
    conf,
    confDir: join(dir, "conf.d"),
    binary,
    stop: async () => {
      await asDeployUser([binary, "-s", "stop", "-c", conf]).catch(() => undefined);
      rmSync(services, { recursive: true, force: true });
    },
  };
}

export interface Behaviour {
  /** Every request waits this long. */
  delayMs: number;
  /** Every n-th request answers 500 (0 = never). */
  failEvery?: number;
}

const SERVER = `
const http = require("http");
const version = process.env.APP_VERSION, delay = Number(process.env.DELAY_MS), every = Number(process.env.FAIL_EVERY);
let n = 0;
http.createServer((req, res) => {
  if (req.url === "/healthz") return res.end("ok");
  const fail = every > 0 && ++n % every === 0;
  setTimeout(() => { res.statusCode = fail ? 500 : 200; res.end(fail ? version + " failed" : version); }, delay);
}).listen(8080);
`;

/** A node app answering its version after `delayMs`, failing every n-th request; the pinned reference. */
export function buildBehavingApp(app: string, version: string, b: Behaviour): Promise<string> {
  const dir = tempDir("pt-canary-img-");
  writeFileSync(join(dir, "server.js"), SERVER);
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      `FROM ${env.images.node}`,
      "COPY server.js /server.js",
      `ENV APP_VERSION=${version} DELAY_MS=${b.delayMs} FAIL_EVERY=${b.failEvery ?? 0}`,
      'CMD ["node", "/server.js"]',
      "",
    ].join("\n"),
  );
  return buildAndPush(env, dir, `${env.registry.host}/${app}/app:${version}`);
}

/** The test environment's router pointed at `n`. */
export function routedTo(environment: DeployEnvironment, n: TestNginx): DeployEnvironment {
  return {
    ...environment,
    deploy: {
      ...environment.deploy,
      router: { type: "nginx", confDir: n.confDir, nginx: n.binary, nginxConfig: n.conf },
    },
  };
}
