/**
 * A real nginx in front of fleet hosts, for "zero failed requests across hosts": its own instance
 * (own prefix, pid file and port, started and stopped here), whose one upstream lists every port
 * of the deploy's port range on every host's namespace address. A rolling deploy moves the
 * instances between the ports of that range; nginx passes a request that meets a closed port (or
 * an instance stopping under it) on to the next server, so the clients never see the move.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { deploy } from "../../packages/core/src/deploy/rollout";
import { exec } from "../../packages/core/src/exec/exec";
import { type Logger, silentLogger } from "../../packages/core/src/log";
import { runConfig } from "../deploy/support";
import type { FleetHost } from "../support/env";
import { waitForHttp } from "../support/helpers";
import { type LoadResult, startLoad } from "../traffic/load";
import { fleetEnvironment, fleetRequest } from "./support";

export const FLEET_NGINX_PORT = 5480;

export interface FleetNginx {
  port: number;
  stop(): Promise<void>;
}

export async function startFleetNginx(
  hosts: FleetHost[],
  ports: { from: number; to: number },
  nginx = "/usr/sbin/nginx",
): Promise<FleetNginx> {
  const dir = mkdtempSync(join(tmpdir(), "pt-fleet-nginx-"));
  mkdirSync(join(dir, "logs"));
  const servers: string[] = [];
  for (const h of hosts) {
    for (let p = ports.from; p <= ports.to; p++) {
      // A closed port is refused at once; max_fails=1 keeps nginx off it for 1 s, so it is not
      // tried on every request while it stays closed.
      servers.push(`    server ${h.host}:${p} max_fails=1 fail_timeout=1s;`);
    }
  }
  const temp = (k: string) => `  ${k}_temp_path ${dir}/${k};`;
  const conf = [
    "worker_processes 1;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/logs/error.log warn;`,
    "events { worker_connections 1024; }",
    "http {",
    "  access_log off;",
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(temp),
    "  upstream fleet {",
    ...servers,
    "  }",
    "  server {",
    `    listen 127.0.0.1:${FLEET_NGINX_PORT};`,
    "    location / {",
    "      proxy_pass http://fleet;",
    "      proxy_connect_timeout 1s;",
    "      proxy_next_upstream error timeout http_502 http_503;",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const file = join(dir, "nginx.conf");
  writeFileSync(file, conf);
  await exec(nginx, ["-p", dir, "-c", file]);
  await waitForHttp(`http://127.0.0.1:${FLEET_NGINX_PORT}/`);
  return {
    port: FLEET_NGINX_PORT,
    stop: async () => {
      await exec(nginx, ["-p", dir, "-c", file, "-s", "quit"], { allowFailure: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const LB_PORTS = { from: 18480, to: 18483 };

/**
 * v1 on every host, nginx in front, then a rolling deploy to v2 (max-parallel 1) under a bounded
 * load (4 clients, a new connection per request) that runs from before the deploy until after it.
 */
export async function rollingUnderLoad(
  app: string,
  images: { v1: string; v2: string },
  hosts: FleetHost[],
  logger: Logger = silentLogger,
): Promise<{ load: LoadResult; deploySeconds: number }> {
  const run = { ...runConfig(LB_PORTS), health: { http: "/" } };
  const environment = fleetEnvironment(app, run, hosts, { maxParallel: 1 });
  await deploy(fleetRequest(environment, images.v1, { maxParallel: hosts.length, logger }));
  const lb = await startFleetNginx(hosts, LB_PORTS);
  try {
    const load = startLoad({
      port: lb.port,
      host: app,
      concurrency: 4,
      maxRequests: 200_000,
      maxMs: 180_000,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = performance.now();
    await deploy(fleetRequest(environment, images.v2, { logger }));
    const deploySeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    return { load: await load.stop(), deploySeconds };
  } finally {
    await lb.stop();
  }
}
