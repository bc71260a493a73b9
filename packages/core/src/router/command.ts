/**
 * A command hook as router, for load balancers powertrain does not drive
 * itself (Traefik, HAProxy, a cloud LB): the user's command runs on the deploy
 * host and receives the desired upstream set as JSON on stdin
 * ({app, environment, upstream, servers: [{address, port, weight, version, container}]}).
 * Exit 0 means the load balancer now serves exactly that set.
 */

import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import { type Router, RouterError, type UpstreamServer } from "./types";

export interface CommandRouterOptions {
  app: string;
  environment: string;
  upstream: string;
  command: string[];
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
