/**
 * The fleet view: every environment of powertrain.yml, host by host — what version runs, from which
 * commit, since when, how many instances are healthy — in one pass. Every host is asked at once
 * (through the engine seam's `status`, one host per call), so one slow or dead host costs its own
 * timeout, not everyone's; a host that cannot be reached is a row that says so, never a crash.
 * `summarizeHost` and `markDrift` are pure and table-tested.
 */

import type { OpenHosts } from "../deploy/hosts";
import type { ContainerStatus } from "../deploy/operations";
import type { DeployEnvironment } from "../deploy/types";
import { engineFor } from "../engine";
import type { Logger } from "../log";
import { mapLimit } from "../publish/images";
import { SshError } from "../ssh/errors";
import type { SshSessionOptions } from "../ssh/session";
import { describeTarget } from "../ssh/target";

/** One host of one environment. */
export interface FleetRow {
  environment: string;
  host: string;
  /** ok: answered; unreachable: SSH could not get there; error: it answered with a failure. */
  state: "ok" | "unreachable" | "error";
  /** The version most of the host's running instances serve; undefined when none runs. */
  version?: string;
  /** Every version running there (more than one during a canary). */
  versions: string[];
  /** The commit of `version`'s image (its revision label). */
  commit?: string;
  digest?: string;
  /** Seconds since the oldest running instance of `version` started. */
  ageSeconds?: number;
  /** Running instances that are healthy (or have no health check). */
  healthy: number;
  /** Running instances. */
  total: number;
  /** Instances the environment asks for per host (run.instances). */
  expected: number;
  /** This host serves another version than the environment's other hosts. */
  drift: boolean;
  /** Why the host is unreachable or failed. */
  error?: string;
}

export interface FleetEnvironment {
  name: string;
  /** Versions served across the environment's hosts; more than one is drift. */
  versions: string[];
  drift: boolean;
  rows: FleetRow[];
}

export interface FleetRequest {
  environments: DeployEnvironment[];
  ssh: SshSessionOptions;
  logger: Logger;
  /** Hosts asked at once (default 16). */
  concurrency?: number;
  hostScope?: boolean;
  /** The host seam (tests hand in fake hosts). */
  openHosts?: OpenHosts;
}

export async function fleetStatus(req: FleetRequest): Promise<FleetEnvironment[]> {
  // One job per SSH host; a Swarm environment is one job: a manager answers for every node.
  const jobs = req.environments.flatMap((env) =>
    (engineFor(env).name === "ssh" ? env.hosts.map((h) => [h]) : [undefined]).map((hosts) => ({
      env,
      hosts,
    })),
  );
  const answers = await mapLimit(jobs, req.concurrency ?? 16, async ({ env, hosts }) => {
    const name = hosts
      ? describeTarget(hosts[0]!)
      : env.hosts.length > 0
        ? `swarm via ${env.hosts.map(describeTarget).join(", ")}`
        : `swarm via ${env.deploy.swarm?.context ?? "the local docker"}`;
    try {
      const list = await engineFor(env).status({
        environment: env,
        ssh: req.ssh,
        logger: req.logger,
        ...(hosts ? { hosts } : {}),
        ...(req.hostScope ? { hostScope: true } : {}),
        ...(req.openHosts ? { openHosts: req.openHosts } : {}),
      });
      return hostsOf(list, name).map((host) =>
        summarizeHost(
          env,
          host,
          list.filter((c) => c.host === host),
        ),
      );
    } catch (err) {
      const unreachable = err instanceof SshError;
      req.logger.warn(`${env.name} ${name}: ${unreachable ? "unreachable" : "failed"}: ${firstLine(err)}`);
      return [failedRow(env, name, unreachable ? "unreachable" : "error", firstLine(err))];
    }
  });
  const rows = answers.flat();
  return req.environments.map((env) =>
    markDrift(
      env.name,
      rows.filter((r) => r.environment === env.name),
    ),
  );
}

/** The hosts a status answer speaks of: the one asked, or a Swarm service's nodes. */
function hostsOf(list: readonly ContainerStatus[], asked: string): string[] {
  const seen = [...new Set(list.map((c) => c.host))];
  return seen.length > 0 ? seen : [asked];
}

/** Pure: one host's containers as a fleet row (drift is decided per environment, by markDrift). */
export function summarizeHost(
  env: Pick<DeployEnvironment, "name" | "run">,
  host: string,
  containers: readonly ContainerStatus[],
): FleetRow {
  const running = containers.filter((c) => c.state === "running");
  const count = new Map<string, number>();
  for (const c of running) count.set(c.version, (count.get(c.version) ?? 0) + 1);
  // The version most instances serve; on a tie (a canary of as many), the newest started.
  const newest = (v: string) =>
    Math.min(...running.filter((c) => c.version === v).map((c) => c.uptimeSeconds ?? Infinity));
  const versions = [...count.keys()].sort(
    (a, b) => count.get(b)! - count.get(a)! || newest(a) - newest(b) || a.localeCompare(b),
  );
  const main = running.filter((c) => c.version === versions[0]);
  const ages = main.map((c) => c.uptimeSeconds).filter((s): s is number => s !== undefined);
  const row: FleetRow = {
    environment: env.name,
    host,
    state: "ok",
    versions,
    healthy: running.filter((c) => c.health === undefined || c.health === "healthy").length,
    total: running.length,
    expected: env.run.instances,
    drift: false,
  };
  if (versions[0] !== undefined) row.version = versions[0];
  const commit = main.find((c) => c.commit)?.commit;
  if (commit) row.commit = commit;
  if (main[0]?.digest) row.digest = main[0].digest;
  if (ages.length > 0) row.ageSeconds = Math.max(...ages);
  return row;
}

function failedRow(
  env: DeployEnvironment,
  host: string,
  state: "unreachable" | "error",
  error: string,
): FleetRow {
  return {
    environment: env.name,
    host,
    state,
    versions: [],
    healthy: 0,
    total: 0,
    expected: env.run.instances,
    drift: false,
    error,
  };
}

/**
 * Pure: an environment's rows with drift marked. Hosts that answered and serve a version are
 * compared; when they serve more than one, every host off the most common version is flagged
 * (all of them on a tie), and so is the environment.
 */
export function markDrift(name: string, rows: readonly FleetRow[]): FleetEnvironment {
  const serving = rows.filter((r) => r.state === "ok" && r.version !== undefined);
  const count = new Map<string, number>();
  for (const r of serving) count.set(r.version!, (count.get(r.version!) ?? 0) + 1);
  const versions = [...count.keys()];
  const drift = versions.length > 1;
  const top = Math.max(0, ...count.values());
  const majority = [...count.entries()].filter(([, n]) => n === top).map(([v]) => v);
  const marked = rows.map((r) => ({
    ...r,
    drift: drift && r.version !== undefined && (majority.length > 1 || r.version !== majority[0]),
  }));
  return { name, versions, drift, rows: marked };
}

/** "3d", "5h", "12m", "40s". */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return "-";
  if (seconds >= 86_400) return `${Math.floor(seconds / 86_400)}d`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m`;
  return `${seconds}s`;
}

/** The fleet as a plain-text table, one row per environment × host. */
export function formatFleet(fleet: readonly FleetEnvironment[]): string {
  const rows = [["ENVIRONMENT", "HOST", "VERSION", "COMMIT", "AGE", "HEALTHY", "DRIFT"]];
  for (const env of fleet) {
    for (const r of env.rows) {
      const version =
        r.state !== "ok" ? r.state : r.versions.length > 1 ? r.versions.join(" + ") : (r.version ?? "-");
      rows.push([
        env.name,
        r.host,
        version,
        r.commit ? r.commit.slice(0, 7) : "-",
        formatAge(r.ageSeconds),
        r.state === "ok"
          ? `${r.healthy}/${r.total}${r.total < r.expected ? ` (of ${r.expected})` : ""}`
          : "-",
        r.drift ? "drift" : "",
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  const notes = fleet.flatMap((env) => [
    ...(env.drift ? [`${env.name}: hosts serve different versions (${env.versions.join(", ")})`] : []),
    ...env.rows.filter((r) => r.error).map((r) => `${env.name} ${r.host}: ${r.error}`),
  ]);
  return `${[...lines, ...(notes.length ? ["", ...notes] : [])].join("\n")}\n`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 300);
}
