/**
 * Fixtures for the swarm engine tests: an HTTP app (busybox httpd serving its
 * version, its env and its secret) pushed to the test registry, environments
 * on the local single-node swarm, a loopback load balancer that sends traffic
 * only to running tasks (as one in front of host-mode tasks would), and
 * clean-up of services and secrets.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { join } from "node:path";
import type { DeployRunConfig } from "../../packages/core/src/deploy/types";
import { exec } from "../../packages/core/src/exec/exec";
import { silentLogger } from "../../packages/core/src/log";
import { REMOTE_SCRIPTS } from "../../packages/core/src/remote";
import { parseSwarmObservation } from "../../packages/core/src/swarm/observe";
import type { SwarmEnvironment } from "../../packages/core/src/swarm/spec";
import { type TestEnv, testEnv } from "../support/env";
import { tempDir, uniqueName } from "../support/helpers";

export const env: TestEnv = testEnv();

export function newApp(): string {
  return uniqueName("pt-swarm");
}

/**
 * The app at `version`: / is the version, /greeting the GREETING env value, /token the content of
 * $TOKEN_FILE; /healthz exists unless `healthy: false`. On SIGTERM it keeps serving for a second,
 * the time a load balancer needs to stop sending it requests.
 */
export async function buildApp(app: string, version: string, o: { healthy?: boolean } = {}): Promise<string> {
  const dir = tempDir("pt-swarm-img-");
  mkdirSync(join(dir, "www"));
  writeFileSync(join(dir, "www", "index.html"), version);
  if (o.healthy !== false) writeFileSync(join(dir, "www", "healthz"), "ok");
  writeFileSync(
    join(dir, "start.sh"),
    [
      "#!/bin/sh",
      'printf %s "$GREETING" > /www/greeting',
      '[ -n "$TOKEN_FILE" ] && cat "$TOKEN_FILE" > /www/token',
      "httpd -f -p 8080 -h /www & pid=$!",
      "trap 'sleep 1; kill $pid' TERM",
      'wait "$pid"',
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  writeFileSync(
    join(dir, "Dockerfile"),
    [`FROM ${env.images.busybox}`, "COPY www /www", "COPY start.sh /start.sh", 'CMD ["/start.sh"]', ""].join(
      "\n",
    ),
  );
  const repo = `${env.registry.host}/${app}/app`;
  const tag = `${repo}:${version}`;
  await exec("docker", ["build", "-q", "-t", tag, dir]);
  const config = tempDir("pt-swarm-cfg-");
  await exec(
    "docker",
    ["--config", config, "login", "-u", env.registry.user, "--password-stdin", env.registry.host],
    { input: env.registry.password },
  );
  const push = await exec("docker", ["--config", config, "push", tag]);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
  if (!digest) throw new Error(`no digest in push output: ${push.stdout}`);
  // Tasks must pull with the credentials the deploy sends, not find the image already here.
  await exec("docker", ["image", "rm", tag], { allowFailure: true });
  return `${repo}:${version}@${digest}`;
}

export const registryAuth = () => ({
  registry: env.registry.host,
  username: env.registry.user,
  password: env.registry.password,
});

export function runConfig(extra: Partial<DeployRunConfig> = {}): DeployRunConfig {
  return {
    instances: 2,
    // A range in host mode: every task gets its own free port, so old and new run side by side.
    ports: [{ container: 8080, host: { from: 21100, to: 21199 }, protocol: "tcp" }],
    env: { GREETING: "hello" },
    volumes: [],
    labels: {},
    health: { http: "/healthz", intervalMs: 500, timeoutMs: 1000, retries: 2, startPeriodMs: 0 },
    stopTimeoutMs: 5000,
    init: true,
    restart: "unless-stopped",
    ...extra,
  };
}

/** An environment deployed through the local docker CLI (no hosts) as a swarm service. */
export function environment(app: string, run: DeployRunConfig = runConfig()): SwarmEnvironment {
  return {
    name: "test",
    app,
    hosts: [],
    deploy: {
      strategy: "rolling",
      maxParallel: 1,
      keep: 1,
      healthTimeoutMs: 20_000,
      lockTimeoutMs: 30_000,
      engine: "swarm",
      swarm: { publish: "host", monitorMs: 2000, parallelism: 1, order: "start-first" },
    },
    run,
  };
}

export const sshTarget = () => ({ host: env.ssh.hosts[0]!, user: env.ssh.user, port: env.ssh.port });
export const sshOptions = () => ({ identityFile: env.ssh.key, knownHostsFile: env.ssh.knownHosts });
export const quiet = silentLogger;

/** Host ports of the service's tasks that run (state and desired state running). */
export async function runningPorts(service: string): Promise<number[]> {
  const r = await exec("sh", ["-c", REMOTE_SCRIPTS["observe-service"], "sh", service]);
  return parseSwarmObservation(r.stdout)
    .tasks.filter((t) => t.state === "running" && t.desiredState === "running")
    .flatMap((t) => t.ports.map((p) => p.host));
}

/**
 * A round-robin HTTP load balancer on 127.0.0.1 whose backends are the running tasks' ports,
 * looked up every 100 ms — what sits in front of host-mode tasks in a real cluster.
 */
export async function startBalancer(service: string): Promise<{ url: string; close: () => Promise<void> }> {
  let backends: number[] = await runningPorts(service);
  let stopped = false;
  const refresh = async () => {
    while (!stopped) {
      backends = await runningPorts(service).catch(() => backends);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  void refresh();
  let next = 0;
  const server: Server = createServer((req, res) => {
    const port = backends[next++ % Math.max(1, backends.length)];
    if (port === undefined) {
      res.writeHead(503).end("no backend");
      return;
    }
    const upstream = request(
      { host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    upstream.on("error", (err) => res.writeHead(502).end(`backend ${port}: ${err.message}`));
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      stopped = true;
      await new Promise((r) => server.close(r));
    },
  };
}

/** Sends `concurrency` request loops to `url` until stop(); returns the status of every request. */
export function load(
  url: string,
  concurrency = 2,
): { stop: () => Promise<{ ok: number; failed: string[] }> } {
  let running = true;
  const failed: string[] = [];
  let ok = 0;
  const loop = async () => {
    while (running) {
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
        const body = await r.text();
        if (r.status === 200) ok++;
        else failed.push(`${r.status} ${body.slice(0, 80)}`);
      } catch (err) {
        failed.push(err instanceof Error ? err.message : String(err));
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return { ok, failed };
    },
  };
}

/** Body of GET url (one task of the service). */
export async function get(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return r.text();
}

/** The service's spec as docker prints it, for checks on what is (not) in it. */
export async function inspectService(service: string): Promise<string> {
  return (await exec("docker", ["service", "inspect", service])).stdout;
}

/** Removes services, their secrets, and the app's images, ignoring what does not exist. */
export async function cleanup(services: string[], images: string[]): Promise<void> {
  if (services.length) await exec("docker", ["service", "rm", ...services], { allowFailure: true });
  for (let i = 0; i < 20; i++) {
    const ids: string[] = [];
    for (const s of services) {
      const r = await exec(
        "docker",
        ["secret", "ls", "-q", "--filter", `label=dev.powertrain.service=${s}`],
        { allowFailure: true },
      );
      ids.push(...r.stdout.split("\n").filter(Boolean));
    }
    if (ids.length === 0) break;
    const rm = await exec("docker", ["secret", "rm", ...ids], { allowFailure: true });
    if (rm.exitCode === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // Containers of removed tasks go a moment later; wait so other suites see a clean daemon.
  for (const s of services) {
    for (let i = 0; i < 40; i++) {
      const r = await exec("docker", ["ps", "-aq", "--filter", `label=com.docker.swarm.service.name=${s}`], {
        allowFailure: true,
      });
      if (!r.stdout.trim()) break;
      await new Promise((res) => setTimeout(res, 250));
    }
  }
  if (images.length) await exec("docker", ["image", "rm", "--force", ...images], { allowFailure: true });
}
