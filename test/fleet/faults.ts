/**
 * Real faults on fleet hosts, shared by the fault tests and `bench/fleet --faults`: a host's
 * dockerd stopped, its link taken down, and Toxiproxy toxics (latency, bandwidth, a stalled
 * registry, a cut connection) on the proxies setup made: `registry` (how the fleet reaches the
 * registry) and `ssh-<n>` (host n's sshd on 127.0.0.1:<proxyPort>). Each fault has its undo;
 * `./scripts/setup` also undoes them all (it restarts engines, brings links up, resets Toxiproxy).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import type { FleetHost } from "../support/env";
import { buildAndPush } from "../support/helpers";
import { env, fleet } from "./support";

const REPO_ROOT = resolve(__dirname, "../..");

/** Host n (from 1) of a fleet host: its namespace, veth, proxy and run directory are named by it. */
export const hostNumber = (h: FleetHost): number => fleet.hosts.indexOf(h) + 1;

function dockerdPid(h: FleetHost): number {
  const file = `${dirname(h.socket.replace(/^unix:\/\//, ""))}/dockerd.pid`;
  return Number(readFileSync(file, "utf8").trim());
}

/** Stops the host's dockerd (SIGTERM: it stops its containers and exits) and waits until it is gone. */
export async function stopEngine(h: FleetHost): Promise<void> {
  const pid = dockerdPid(h);
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dockerd of fleet host ${hostNumber(h)} (pid ${pid}) did not stop within 30 s`);
}

/** Undoes every fault: setup restarts stopped engines, brings links up and resets Toxiproxy. */
export async function repairFleet(): Promise<void> {
  await exec(resolve(REPO_ROOT, "scripts/setup"), []);
}

/** The host's link to the root namespace, down (packets vanish: connects time out) or up. */
export async function setLink(h: FleetHost, state: "up" | "down"): Promise<void> {
  await exec("ip", ["link", "set", `pt-fleet-v${hostNumber(h)}`, state]);
}

async function toxiproxy(method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<unknown> {
  const r = await fetch(`http://${fleet.toxiproxy}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!r.ok) throw new Error(`toxiproxy ${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? undefined : r.json();
}

export interface Toxic {
  type: "latency" | "bandwidth" | "slicer" | "timeout" | "limit_data" | "reset_peer";
  stream?: "upstream" | "downstream";
  toxicity?: number;
  attributes: Record<string, number>;
}

/** Adds toxics to a proxy (`registry` or `ssh-<n>`); returns their names, for removeToxics. */
export async function addToxics(proxy: string, toxics: Toxic[]): Promise<string[]> {
  const names: string[] = [];
  for (const [i, t] of toxics.entries()) {
    const name = `${t.type}-${t.stream ?? "downstream"}-${i}`;
    await toxiproxy("POST", `/proxies/${proxy}/toxics`, { name, stream: "downstream", toxicity: 1, ...t });
    names.push(name);
  }
  return names;
}

/** A toxic goes once the data it holds back has passed (a 1 KB/s cap holds a chunk for ~30 s). */
export async function removeToxics(proxy: string, names: string[]): Promise<void> {
  for (const name of names) await toxiproxy("DELETE", `/proxies/${proxy}/toxics/${name}`, undefined, 120_000);
}

/** Disabling a proxy closes its open connections (a cut link); enabling it lets new ones through. */
export async function setProxyEnabled(proxy: string, enabled: boolean): Promise<void> {
  await toxiproxy("POST", `/proxies/${proxy}`, { enabled });
}

/**
 * A slow, lossy link as TCP sees it: 50 ms each way (100 ms RTT) with jitter, data cut in small
 * segments with delays between them (what retransmits after loss look like above TCP; this kernel
 * has no netem), and a bandwidth cap in KB/s.
 */
export const slowLossyLink = (kbPerSecond = 256): Toxic[] => [
  { type: "latency", stream: "downstream", attributes: { latency: 50, jitter: 20 } },
  { type: "latency", stream: "upstream", attributes: { latency: 50, jitter: 20 } },
  {
    type: "slicer",
    stream: "downstream",
    attributes: { average_size: 512, size_variation: 256, delay: 2000 },
  },
  { type: "bandwidth", stream: "downstream", attributes: { rate: kbPerSecond } },
];

/**
 * The registry stalls mid-pull: it answers, but sends 1 KB/s, so a 512 KB layer takes minutes
 * (docker sets no deadline on a blob it is reading). Toxiproxy's `timeout` toxic would close the
 * connection instead (docker sees EOF at once), and holding every byte (a huge latency) only
 * trips docker's own TLS-handshake and header timeouts, before any pull has started.
 */
export const registryStall: Toxic[] = [{ type: "bandwidth", stream: "downstream", attributes: { rate: 1 } }];

/** The host reached through its Toxiproxy (127.0.0.1:<proxyPort>, same host key in known_hosts). */
export const proxied = (h: FleetHost) => ({ host: "127.0.0.1", user: h.user, port: h.proxyPort });

export { env };

/**
 * The app (busybox httpd answering `version`) with a layer of its own: random bytes no engine has,
 * so a deploy of it must pull a blob (for the registry-stall fault).
 */
export async function buildFreshLayerApp(app: string, version: string, kb = 512): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pt-fleet-img-"));
  try {
    mkdirSync(join(dir, "www"));
    writeFileSync(join(dir, "www", "index.html"), version);
    writeFileSync(join(dir, "www", "healthz"), "ok");
    writeFileSync(join(dir, "www", "noise.bin"), randomBytes(kb * 1024));
    writeFileSync(
      join(dir, "Dockerfile"),
      `FROM ${env.images.busybox}\nCOPY www /www\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`,
    );
    return await buildAndPush(env, dir, `${env.registry.host}/${app}/app:${version}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The host's dockerd frozen (SIGSTOP) or thawed (SIGCONT): its socket still accepts, nothing
 * answers, so every docker command there hangs — a wedged engine, as seen in the wild.
 */
export function setEngineFrozen(h: FleetHost, frozen: boolean): void {
  process.kill(dockerdPid(h), frozen ? "SIGSTOP" : "SIGCONT");
}
