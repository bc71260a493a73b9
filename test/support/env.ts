/**
 * The test environment ./scripts/setup prepares: where the registry, the ssh "hosts" and the local
 * base images are. Integration tests read it here and fail — never skip — when it is missing, so a
 * run without the services cannot pass by testing nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { resolve } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";

export interface TestEnv {
  registry: { host: string; user: string; password: string };
  ssh: { user: string; port: number; hosts: string[]; key: string; knownHosts: string };
  images: { busybox: string; node: string };
  /** nginx run by the deploy user on 127.0.0.1 (traffic tests); absent in an env file from before it. */
  nginx?: { port: number; conf: string; confDir: string; binary: string };
  /**
   * The registry with `auth: token` (scripts/lib/token-registry.sh) and its users: push (pull+push
   * everywhere), pull (pull only), promoter (pull snapshot/*, push release/*), short (tokens die early).
   * Absent in an env file from before it.
   */
  tokenRegistry?: {
    host: string;
    realm: string;
    users: Record<TokenUser, { username: string; password: string }>;
  };
  /** Isolated Docker hosts (scripts/lib/fleet.sh); absent in an env file from before the fleet. */
  fleet?: FleetEnv;
  /**
   * The standalone buildkitd registered as a named buildx builder (remote driver), and the base
   * images as it sees them (in the registry); absent in an env file from before it.
   */
  buildkit?: {
    builder: string;
    buildkitd: string;
    config: string;
    images: { busybox: string; node: string };
  };
}

export interface FleetHost {
  user: string;
  host: string;
  port: number;
  /** The host's engine, as the runner reaches it directly (to check what a deploy left there). */
  socket: string;
  /** The same sshd through Toxiproxy, on 127.0.0.1 (the proxy `ssh-<n>`, n from 1). */
  proxyPort: number;
}

export interface FleetEnv {
  hosts: FleetHost[];
  knownHosts: string;
  /** The test registry as the fleet reaches it (same storage as registry.host). */
  registry: string;
  /** Toxiproxy's API, host:port. */
  toxiproxy: string;
}

export type TokenUser = "push" | "pull" | "promoter" | "short";

const SETUP_HINT = "run ./scripts/setup";
const REPO_ROOT = resolve(__dirname, "../..");

/** The env file: POWERTRAIN_TEST_ENV, or .tmp/test-env at the repository root. */
export function testEnvFile(): string {
  return process.env.POWERTRAIN_TEST_ENV || resolve(REPO_ROOT, ".tmp/test-env");
}

let cached: { file: string; env: TestEnv } | undefined;

/** Reads and checks the env file; throws naming what is missing and telling to run setup. */
export function testEnv(): TestEnv {
  const file = testEnvFile();
  if (cached?.file === file) return cached.env;
  if (!existsSync(file)) throw new Error(`test environment ${file} does not exist — ${SETUP_HINT}`);
  const vars = parseEnvFile(readFileSync(file, "utf8"));
  const get = (key: string): string => {
    const value = vars[key];
    if (!value) throw new Error(`${key} is missing in ${file} — ${SETUP_HINT}`);
    return value;
  };
  const env: TestEnv = {
    registry: {
      host: get("PT_REGISTRY"),
      user: get("PT_REGISTRY_USER"),
      password: get("PT_REGISTRY_PASSWORD"),
    },
    ssh: {
      user: get("PT_SSH_USER"),
      port: Number(get("PT_SSH_PORT")),
      hosts: get("PT_SSH_HOSTS")
        .split(",")
        .map((h) => h.trim())
        .filter(Boolean),
      key: get("PT_SSH_KEY"),
      knownHosts: get("PT_SSH_KNOWN_HOSTS"),
    },
    images: { busybox: get("PT_IMAGE_BUSYBOX"), node: get("PT_IMAGE_NODE") },
  };
  if (vars.PT_NGINX_PORT) {
    env.nginx = {
      port: Number(vars.PT_NGINX_PORT),
      conf: get("PT_NGINX_CONF"),
      confDir: get("PT_NGINX_CONF_DIR"),
      binary: get("PT_NGINX_BIN"),
    };
  }
  if (vars.PT_TOKEN_REGISTRY) {
    const user = (name: TokenUser) => ({
      username: `pt-${name}`,
      password: get(`PT_TOKEN_${name.toUpperCase()}_PASSWORD`),
    });
    env.tokenRegistry = {
      host: vars.PT_TOKEN_REGISTRY,
      realm: get("PT_TOKEN_REALM"),
      users: { push: user("push"), pull: user("pull"), promoter: user("promoter"), short: user("short") },
    };
  }
  if (vars.PT_FLEET_HOSTS) env.fleet = readFleet(get, file);
  if (vars.PT_BUILDX_BUILDER) {
    env.buildkit = {
      builder: get("PT_BUILDX_BUILDER"),
      buildkitd: get("PT_BUILDKITD_BIN"),
      config: get("PT_BUILDKITD_CONF"),
      images: { busybox: get("PT_REGISTRY_IMAGE_BUSYBOX"), node: get("PT_REGISTRY_IMAGE_NODE") },
    };
  }
  if (!Number.isInteger(env.ssh.port))
    throw new Error(`PT_SSH_PORT in ${file} is not a number — ${SETUP_HINT}`);
  for (const path of [env.ssh.key, env.ssh.knownHosts]) {
    if (!existsSync(path)) throw new Error(`${path} (named in ${file}) does not exist — ${SETUP_HINT}`);
  }
  cached = { file, env };
  return env;
}

/**
 * Checks that every service answers: dockerd, the registry (401 on /v2/), each sshd port, and the
 * base images. Call it in a `beforeAll`; it throws one line naming the first thing that is down.
 */
export async function checkServices(env: TestEnv = testEnv()): Promise<void> {
  const docker = await exec("docker", ["info", "--format", "{{.ServerVersion}}"], { allowFailure: true });
  if (docker.exitCode !== 0) throw new Error(`dockerd is not answering — ${SETUP_HINT}`);

  const status = await fetch(`http://${env.registry.host}/v2/`, { signal: AbortSignal.timeout(3000) }).then(
    (r) => r.status,
    () => 0,
  );
  if (status !== 401) {
    throw new Error(
      `registry ${env.registry.host} is not answering /v2/ with 401 (got ${status}) — ${SETUP_HINT}`,
    );
  }

  for (const host of env.ssh.hosts) {
    if (!(await tcpAnswers(host, env.ssh.port))) {
      throw new Error(`sshd on ${host}:${env.ssh.port} is not listening — ${SETUP_HINT}`);
    }
  }

  for (const image of [env.images.busybox, env.images.node]) {
    const inspect = await exec("docker", ["image", "inspect", image], { allowFailure: true });
    if (inspect.exitCode !== 0) throw new Error(`image ${image} does not exist — ${SETUP_HINT}`);
  }
}

function readFleet(get: (key: string) => string, file: string): FleetEnv {
  const sockets = get("PT_FLEET_SOCKETS").split(",");
  const proxyBase = Number(get("PT_FLEET_PROXY_BASE"));
  const hosts = get("PT_FLEET_HOSTS")
    .split(",")
    .map((entry, i): FleetHost => {
      const match = /^([^@]+)@([^:]+):(\d+)$/.exec(entry.trim());
      if (!match || !sockets[i]) throw new Error(`PT_FLEET_HOSTS in ${file} is malformed — ${SETUP_HINT}`);
      return {
        user: match[1]!,
        host: match[2]!,
        port: Number(match[3]),
        socket: sockets[i]!,
        proxyPort: proxyBase + i + 1,
      };
    });
  return {
    hosts,
    knownHosts: get("PT_FLEET_KNOWN_HOSTS"),
    registry: get("PT_FLEET_REGISTRY"),
    toxiproxy: get("PT_TOXIPROXY_API"),
  };
}

/** The fleet, or an error telling to run setup (multi-host tests need it, they never skip). */
export function fleetEnv(env: TestEnv = testEnv(), atLeast = 1): FleetEnv {
  if (!env.fleet) throw new Error(`the test environment has no fleet (PT_FLEET_HOSTS) — ${SETUP_HINT}`);
  if (env.fleet.hosts.length < atLeast) {
    throw new Error(
      `the fleet has ${env.fleet.hosts.length} hosts, ${atLeast} are needed — run ./scripts/setup --fleet ${atLeast}`,
    );
  }
  return env.fleet;
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 2000 });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
    socket.once("timeout", () => finish(false));
  });
}

/**
 * Parses the shell-sourceable KEY=VALUE lines setup writes: bare values, 'single-quoted' values
 * (with the '\'' idiom for a quote inside) and "double-quoted" values with backslash escapes.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`cannot read line in test environment: ${line}`);
    vars[match[1]!] = unquote(match[2]!);
  }
  return vars;
}

function unquote(value: string): string {
  let out = "";
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c === "'") {
      const end = value.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in test environment value: ${value}`);
      out += value.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === "\\" && i + 1 < value.length) i++;
        out += value[i];
        i++;
      }
      if (i >= value.length) throw new Error(`unterminated quote in test environment value: ${value}`);
      i++;
    } else if (c === "\\" && i + 1 < value.length) {
      out += value[i + 1];
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
