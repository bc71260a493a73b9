/**
 * nginx on the deploy host: powertrain owns one file per app+environment,
 * `<conf-dir>/powertrain/<upstream>.conf`, holding one `upstream` block with
 * weighted `server` lines. The user's own server blocks `proxy_pass` to it. While the upstream
 * holds more than one version (a canary), the file also logs every request proxied to it as JSON
 * to `<upstream>.access.log` beside it, which `metrics()` aggregates on the host.
 */

import { createHash } from "node:crypto";
import { GROWTH } from "../canary/histogram";
import type { MetricRow } from "../canary/stats";
import { parseSections, runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import {
  type MetricsRequest,
  type Router,
  RouterError,
  type RouterMetrics,
  type UpstreamServer,
} from "./types";

export interface NginxRouterOptions {
  /** Upstream block name. */
  upstream: string;
  /** Directory whose powertrain/ subdirectory holds the upstream file. */
  confDir: string;
  nginx: string;
  /** Main config file (-c); undefined = nginx's compiled-in default. */
  config?: string;
  /** Replaces `nginx -s reload`. */
  reload?: string[];
  /** Names the app and environment in the file's header. */
  owner: string;
}

const STATE_PREFIX = "# powertrain-state: ";

export class NginxRouter implements Router {
  readonly file: string;
  /** The JSON access log written while a canary runs (nginx-apply.sh removes it after). */
  readonly logFile: string;
  readonly description: string;

  constructor(
    private readonly host: RemoteHost,
    private readonly o: NginxRouterOptions,
  ) {
    this.file = `${o.confDir.replace(/\/+$/, "")}/powertrain/${o.upstream}.conf`;
    this.logFile = this.file.replace(/\.conf$/, ".access.log");
    this.description = `nginx upstream ${o.upstream} (${this.file} on ${host.name})`;
  }

  async check(): Promise<void> {
    const r = await runScript(this.host, "nginx-check", [this.file, this.o.nginx, this.o.config ?? ""], {
      allowFailure: true,
    });
    if (r.exitCode !== 0) {
      throw new RouterError(`${this.description}: cannot be used: ${oneLine(r.stdout + r.stderr)}`);
    }
  }

  async current(): Promise<UpstreamServer[] | undefined> {
    const r = await this.host.run(["cat", this.file], { allowFailure: true });
    return r.exitCode === 0 ? parseUpstreamFile(r.stdout) : undefined;
  }

  async apply(servers: UpstreamServer[]): Promise<void> {
    const text = renderUpstreamFile(this.o.upstream, servers, this.o.owner, this.logFile);
    const r = await runScript(
      this.host,
      "nginx-apply",
      [this.file, this.o.nginx, this.o.config ?? "", ...(this.o.reload ?? [])],
      { input: text, allowFailure: true },
    );
    if (r.exitCode === 0) return;
    const why = oneLine(r.stdout + r.stderr);
    const what =
      r.exitCode === 3
        ? "nginx -t rejected the new upstream"
        : r.exitCode === 4
          ? "reloading nginx failed"
          : "writing the upstream failed";
    throw new RouterError(`${this.description}: ${what}; the previous upstream was restored: ${why}`);
  }

  async metrics(req: MetricsRequest): Promise<RouterMetrics> {
    const r = await runScript(this.host, "canary-metrics", [
      this.logFile,
      req.cursor ?? "0",
      String(req.since),
      String(req.slotSeconds),
      String(GROWTH),
    ]);
    const parts = parseSections(r.stdout);
    return { cursor: (parts.offset ?? "0").trim(), rows: parseMetricRows(parts.rows ?? "") };
  }
}

/** canary-metrics.sh's rows: "address slot bucket requests errors". */
export function parseMetricRows(text: string): MetricRow[] {
  return text.split("\n").flatMap((line) => {
    const [address, ...numbers] = line.trim().split(" ");
    const [slot, bucket, requests, errors] = numbers.map(Number);
    if (!address || numbers.length !== 4 || [slot, bucket, requests, errors].some((n) => !Number.isFinite(n)))
      return [];
    return [{ address, slot: slot!, bucket: bucket!, requests: requests!, errors: errors! }];
  });
}

/** The address a backend has in nginx's $upstream_addr. */
export function backendAddress(s: { address: string; port: number }): string {
  return hostPort(s);
}

/**
 * The JSON line nginx logs per request proxied to the upstream: times, statuses and the backend
 * addresses (one per attempt), nothing a client chose. canary-metrics.sh reads these fields by
 * position: change both together.
 */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;

const LOG_FORMAT =
  '{"time":$msec,"upstream":"$upstream_addr","status":$status,"upstream_status":"$upstream_status",' +
  '"request_time":$request_time,"upstream_response_time":"$upstream_response_time","bytes":$bytes_sent}';

/**
 * The file: a header, the state as JSON (for `current()`), the upstream block; with more than one
 * version in it and a `logFile`, an http-level access log of the requests proxied to this
 * upstream ($proxy_host is the upstream's name), inherited by every server block that does not
 * set access_log itself.
 */
export function renderUpstreamFile(
  name: string,
  servers: UpstreamServer[],
  owner: string,
  logFile?: string,
): string {
  const lines = [
    `# Managed by powertrain (${owner}): rewritten on every deploy, do not edit.`,
    `${STATE_PREFIX}${JSON.stringify(servers)}`,
  ];
  if (logFile && new Set(servers.map((s) => s.version)).size > 1) {
    if (!SAFE_PATH.test(logFile))
      throw new RouterError(
        `${logFile}: the access log's path may hold only letters, digits, ".", "_", "-" and "/" (deploy.router.conf-dir)`,
      );
    // Short names: nginx's variables hash has buckets of 64 bytes by default.
    const id = createHash("sha256").update(name).digest("hex").slice(0, 10);
    lines.push(
      `log_format powertrain_${id} escape=json '${LOG_FORMAT}';`,
      `map $proxy_host $pt_log_${id} { "${name}" 1; default 0; }`,
      `access_log ${logFile} powertrain_${id} if=$pt_log_${id};`,
    );
  }
  lines.push(`upstream ${name} {`);
  for (const s of servers) {
    const comment = [s.version, s.container].filter(Boolean).join(" ");
    lines.push(`    server ${hostPort(s)} weight=${s.weight}; # ${comment}`);
  }
  // nginx rejects an upstream without servers; a server marked down answers 502 until one joins.
  if (servers.length === 0) lines.push("    server 127.0.0.1:9 down; # no instances");
  lines.push("}", "");
  return lines.join("\n");
}

/** The servers recorded in a file written by renderUpstreamFile; undefined for any other file. */
export function parseUpstreamFile(text: string): UpstreamServer[] | undefined {
  const line = text.split("\n").find((l) => l.startsWith(STATE_PREFIX));
  if (!line) return undefined;
  try {
    const parsed = JSON.parse(line.slice(STATE_PREFIX.length)) as unknown;
    return Array.isArray(parsed) ? (parsed as UpstreamServer[]) : undefined;
  } catch {
    return undefined;
  }
}

function hostPort(s: { address: string; port: number }): string {
  return `${s.address.includes(":") ? `[${s.address}]` : s.address}:${s.port}`;
}

function oneLine(text: string): string {
  return text.trim().split("\n").filter(Boolean).slice(-3).join(" | ") || "no output";
}
