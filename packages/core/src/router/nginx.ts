/**
 * nginx on the deploy host: powertrain owns one file per app+environment,
 * `<conf-dir>/powertrain/<upstream>.conf`, holding one `upstream` block with
 * weighted `server` lines. The user's own server blocks `proxy_pass` to it.
 */

import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { type Router, RouterError, type UpstreamServer } from "./types";

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
  readonly description: string;

  constructor(
    private readonly host: RemoteHost,
    private readonly o: NginxRouterOptions,
  ) {
    this.file = `${o.confDir.replace(/\/+$/, "")}/powertrain/${o.upstream}.conf`;
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
    const text = renderUpstreamFile(this.o.upstream, servers, this.o.owner);
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
}

/** The file: a header, the state as JSON (for `current()`), the upstream block. */
export function renderUpstreamFile(name: string, servers: UpstreamServer[], owner: string): string {
  const lines = [
    `# Managed by powertrain (${owner}): rewritten on every deploy, do not edit.`,
    `${STATE_PREFIX}${JSON.stringify(servers)}`,
    `upstream ${name} {`,
  ];
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

function hostPort(s: UpstreamServer): string {
  return `${s.address.includes(":") ? `[${s.address}]` : s.address}:${s.port}`;
}

function oneLine(text: string): string {
  return text.trim().split("\n").filter(Boolean).slice(-3).join(" | ") || "no output";
}
