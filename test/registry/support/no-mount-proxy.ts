/**
 * nginx in front of a registry that drops the `mount`/`from` query of blob
 * upload requests — as registries without cross-repository mounts behave —
 * so the registry starts a plain upload (202) instead of mounting (201).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface NoMountProxy {
  host: string;
  stop(): Promise<void>;
}

export async function startNoMountProxy(dir: string, port: number, upstream: string): Promise<NoMountProxy> {
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(dir, "tmp")};
  proxy_temp_path ${join(dir, "tmp")};
  fastcgi_temp_path ${join(dir, "tmp")};
  uwsgi_temp_path ${join(dir, "tmp")};
  scgi_temp_path ${join(dir, "tmp")};
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    proxy_request_buffering off;
    location / {
      if ($arg_mount) { set $args ""; }
      proxy_set_header Host $http_host;
      proxy_pass http://${upstream};
    }
  }
}
`,
  );
  const child: ChildProcess = spawn("nginx", ["-c", conf, "-e", join(dir, "error.log")], { stdio: "ignore" });
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited; see ${join(dir, "error.log")}`);
    const up = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
