/**
 * Starts a private `docker-registry` process for one test file (token mode,
 * or a registry a test may stop mid-push), with its storage in a temp dir.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RegistryProcessOptions {
  port: number;
  /** The `auth:` section of the registry config, as YAML lines. */
  auth?: string[];
}

export interface RegistryProcess {
  /** `127.0.0.1:PORT`. */
  host: string;
  dir: string;
  stop(): Promise<void>;
  /** Stop and remove the storage. */
  dispose(): Promise<void>;
}

export async function startRegistry(options: RegistryProcessOptions): Promise<RegistryProcess> {
  const dir = mkdtempSync(join(tmpdir(), "pt-test-registry-"));
  const config = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${join(dir, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${options.port}`,
    ...(options.auth ? ["auth:", ...options.auth.map((l) => `  ${l}`)] : []),
  ].join("\n");
  writeFileSync(join(dir, "config.yml"), `${config}\n`);
  const host = `127.0.0.1:${options.port}`;
  let child: ChildProcess | undefined = spawnRegistry(dir);
  await waitUntilUp(host, child);

  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  return {
    host,
    dir,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function spawnRegistry(dir: string): ChildProcess {
  return spawn("docker-registry", ["serve", join(dir, "config.yml")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

async function waitUntilUp(host: string, child: ChildProcess): Promise<void> {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`docker-registry on ${host} did not start: ${stderr}`);
}
