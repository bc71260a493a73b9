/** Running the health gate on a host and explaining a failure with the container's last log lines. */
import type { ExecResult } from "../exec/exec";
import { runScript } from "../remote";
import type { RemoteHost } from "../ssh/session";
import type { HealthMode } from "./planner";
import type { DeployRunConfig } from "./types";

export interface HealthResult {
  ok: boolean;
  /** Why it failed, with the failing container's last log lines. */
  reason?: string;
}

const LOG_LINES = 20;

export async function waitHealthy(
  host: RemoteHost,
  names: string[],
  mode: HealthMode,
  run: DeployRunConfig,
  timeoutMs: number,
): Promise<HealthResult> {
  if (names.length === 0) return { ok: true };
  const r = await runScript(host, "health", healthArgs(names, mode, run, timeoutMs), {
    allowFailure: true,
    waitsMs: timeoutMs,
  });
  return healthOutcome(host, r);
}

/** The arguments of lib/health.sh (health.sh, start-health.sh): named options, `--`, the containers, `--`, the command. */
export function healthArgs(
  names: string[],
  mode: HealthMode,
  run: DeployRunConfig,
  timeoutMs: number,
): string[] {
  const h = run.health ?? {};
  const port = h.port ?? run.ports[0]?.container ?? 0;
  return [
    `timeout=${Math.ceil(timeoutMs / 1000)}`,
    `interval=${STEADY_POLL_S.toFixed(2)}`,
    `mode=${mode}`,
    `path=${h.http ?? "/"}`,
    `port=${port}`,
    `settle=${Math.ceil((h.startPeriodMs ?? 1000) / 1000)}`,
    `probe-timeout=${Math.max(1, Math.ceil((h.timeoutMs ?? 3000) / 1000))}`,
    "--",
    ...names,
    ...(mode === "command" ? ["--", ...(h.command ?? [])] : []),
  ];
}

/**
 * The gate polls quickly at first, then at this pace, whatever the configured
 * interval (that one paces the checks of a running app).
 */
const STEADY_POLL_S = 0.25;

/** What the health gate's output says; on failure with the failing container's last log lines. */
export async function healthOutcome(host: RemoteHost, r: ExecResult): Promise<HealthResult> {
  if (r.exitCode === 0) return { ok: true };
  const fail = r.stdout.split("\n").find((l) => l.startsWith("FAIL "));
  const [, name = "-", ...why] = (fail ?? "FAIL - health check failed").split(" ");
  let reason = `${name === "-" ? "" : `${name}: `}${why.join(" ")}`;
  if (name !== "-") {
    const logs = await host.run(["docker", "logs", "--tail", String(LOG_LINES), name], {
      allowFailure: true,
    });
    const text = (logs.stdout + logs.stderr).trim();
    reason += text ? `\nlast log lines of ${name}:\n${text}` : `\n(${name} logged nothing)`;
  }
  return { ok: false, reason };
}
