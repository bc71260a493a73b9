/**
 * A command hook as router, for load balancers powertrain does not drive
 * itself (Traefik, HAProxy, a cloud LB): the user's command runs on the deploy
 * host and receives the desired upstream set as JSON on stdin
 * ({app, environment, upstream, servers: [{address, port, weight, version, container}]}).
 * Exit 0 means the load balancer now serves exactly that set.
 *
 * For canary analysis a second command (deploy.canary.analysis.metrics-command) reports the load
 * balancer's per-backend numbers: it gets {app, environment, upstream, since, cursor} on stdin and
 * prints {cursor?, servers: [{address, requests, errors, latency_ms: {"<ms>": count}}]}
 * (docs/traffic.md).
 */
import { z } from "zod";
import { bucketOf } from "../canary/histogram";
import type { MetricRow } from "../canary/stats";
import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import {
  type MetricsRequest,
  type Router,
  RouterError,
  type RouterMetrics,
  type UpstreamServer,
} from "./types";

export interface CommandRouterOptions {
  app: string;
  environment: string;
  upstream: string;
  command: string[];
  /** Reports per-backend request numbers (canary analysis); unset = this router cannot. */
  metricsCommand?: string[];
}

/** What the hook reads on stdin. */
export interface HookPayload {
  app: string;
  environment: string;
  upstream: string;
  servers: UpstreamServer[];
}

export class CommandRouter implements Router {
  readonly description: string;
  private readonly stateFile: string;

  constructor(
    private readonly host: RemoteHost,
    private readonly o: CommandRouterOptions,
  ) {
    this.description = `router command ${o.command.join(" ")} on ${host.name}`;
    this.stateFile = `${o.upstream}.json`;
  }

  async check(): Promise<void> {
    const r = await this.host.run(["sh", "-c", 'command -v "$1" >/dev/null', "sh", this.o.command[0]!], {
      allowFailure: true,
    });
    if (r.exitCode !== 0)
      throw new RouterError(`${this.description}: ${this.o.command[0]} is not found on the host`);
  }

  async current(): Promise<UpstreamServer[] | undefined> {
    const r = await runScript(this.host, "route-state", [this.stateFile]);
    if (!r.stdout.trim()) return undefined;
    try {
      return (JSON.parse(r.stdout) as HookPayload).servers;
    } catch {
      return undefined;
    }
  }

  async apply(servers: UpstreamServer[]): Promise<void> {
    const previous = await this.current();
    const r = await this.run(servers);
    if (r.exitCode === 0) return;
    // The hook may have changed half of its load balancer: hand it the previous set again.
    if (previous) await this.run(previous).catch(() => undefined);
    const why = (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") || "no output";
    throw new RouterError(
      `${this.description} exited with code ${r.exitCode}${previous ? "; the previous upstream was re-applied" : ""}: ${why}`,
    );
  }

  async metrics(req: MetricsRequest): Promise<RouterMetrics> {
    const command = this.o.metricsCommand;
    if (!command?.length) {
      throw new RouterError(
        `${this.description}: cannot report request numbers; set deploy.canary.analysis.metrics-command (docs/traffic.md)`,
      );
    }
    const input = JSON.stringify({
      app: this.o.app,
      environment: this.o.environment,
      upstream: this.o.upstream,
      since: req.since,
      cursor: req.cursor ?? null,
    });
    const r = await this.host.run(command, { input, allowFailure: true });
    const what = `metrics command ${command.join(" ")} on ${this.host.name}`;
    if (r.exitCode !== 0) {
      const why = (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") || "no output";
      throw new RouterError(`${what} exited with code ${r.exitCode}: ${why}`);
    }
    const slot = Math.floor(Date.now() / 1000 / req.slotSeconds) * req.slotSeconds;
    return parseMetricsOutput(r.stdout, slot, what);
  }

  private run(servers: UpstreamServer[]) {
    const payload: HookPayload = {
      app: this.o.app,
      environment: this.o.environment,
      upstream: this.o.upstream,
      servers,
    };
    return runScript(this.host, "command-apply", [this.stateFile, ...this.o.command], {
      input: JSON.stringify(payload),
      allowFailure: true,
    });
  }
}

const MetricsOutput = z.object({
  cursor: z.string().optional(),
  servers: z.array(
    z.object({
      address: z.string().min(1),
      requests: z.int().nonnegative(),
      errors: z.int().nonnegative(),
      latency_ms: z.record(z.string().regex(/^\d+(\.\d+)?$/), z.int().nonnegative()),
    }),
  ),
});

/** A metrics command's JSON as rows in time slot `slot`; RouterError naming what is wrong. */
export function parseMetricsOutput(stdout: string, slot: number, what: string): RouterMetrics {
  let parsed: z.infer<typeof MetricsOutput>;
  try {
    parsed = MetricsOutput.parse(JSON.parse(stdout));
  } catch (err) {
    const why =
      err instanceof z.ZodError ? z.prettifyError(err).split("\n").slice(0, 3).join(" ") : "not JSON";
    throw new RouterError(`${what} printed no valid metrics: ${why}`);
  }
  const rows: MetricRow[] = [];
  for (const s of parsed.servers) {
    const latencies = Object.entries(s.latency_ms);
    const counted = latencies.reduce((n, [, c]) => n + c, 0);
    if (counted !== s.requests || s.errors > s.requests) {
      throw new RouterError(
        `${what}: server ${s.address} reports ${s.requests} request(s), ${s.errors} error(s) and latencies of ${counted}; latency_ms must count every request`,
      );
    }
    latencies.forEach(([ms, requests], i) => {
      rows.push({
        address: s.address,
        slot,
        bucket: bucketOf(Number(ms)),
        requests,
        errors: i === 0 ? s.errors : 0,
      });
    });
  }
  return { rows, cursor: parsed.cursor ?? "" };
}
