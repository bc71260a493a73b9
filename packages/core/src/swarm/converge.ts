/**
 * Waiting for convergence ourselves. `docker service update` returns success
 * even when Swarm later rolls the update back (and `--detach=false` prints
 * "rollback: update rolled back" yet exits 0), so powertrain polls the
 * service's UpdateStatus and its tasks, and judges the outcome here.
 */
import type { Logger } from "../log";
import type { ObservedService, ObservedTask, SwarmObservation } from "./observe";

/** What the wait is for: the service running `replicas` tasks of `digest`. */
export interface ConvergeGoal {
  /** update: a rolling update of an existing service; create: a new service; rollback: Swarm's rollback. */
  kind: "create" | "update" | "rollback";
  digest: string;
  version: string;
  replicas: number;
  /** UpdateStatus.StartedAt before our command: a status with another start time is ours. */
  statusBefore?: string;
  /** Task ids that existed before our command: their failures are not ours. */
  tasksBefore: ReadonlySet<string>;
  /** Failed tasks of the new version tolerated before giving up (Swarm restarts failing tasks forever). */
  failLimit: number;
}

export type Verdict =
  | { phase: "waiting"; note?: string }
  | { phase: "done" }
  | { phase: "failed"; reason: string; rolledBack: boolean };

const FAILED = new Set(["failed", "rejected"]);

/** The outcome so far, from one observation. Pure. */
export function judge(obs: SwarmObservation, goal: ConvergeGoal): Verdict {
  const service = obs.service;
  if (!service) return { phase: "failed", reason: "the service disappeared", rolledBack: false };
  const status = ourStatus(service, goal);
  const fresh = obs.tasks.filter((t) => !goal.tasksBefore.has(t.id) && t.digest === goal.digest);
  const failures = fresh.filter((t) => FAILED.has(t.state));
  const running = obs.tasks.filter(
    (t) => t.desiredState === "running" && t.state === "running" && t.digest === goal.digest,
  );
  const others = obs.tasks.filter(
    (t) => t.desiredState === "running" && t.digest !== goal.digest && !FAILED.has(t.state),
  );
  const converged = running.length >= goal.replicas && others.length === 0;
  const why = () => describeFailures(failures.length ? failures : fresh.filter((t) => t.error));

  if (goal.kind === "rollback") {
    if (status === "rollback_completed" && converged) return { phase: "done" };
    if (status === "rollback_paused")
      return {
        phase: "failed",
        reason: `Swarm paused the rollback${msg(service)}${why()}`,
        rolledBack: false,
      };
    return { phase: "waiting" };
  }
  if (status === "rollback_completed" || status === "rollback_paused" || status === "rollback_started") {
    if (status === "rollback_started")
      return { phase: "waiting", note: `Swarm is rolling back${msg(service)}` };
    const outcome = status === "rollback_completed" ? "rolled the update back" : "paused its rollback";
    return { phase: "failed", reason: `Swarm ${outcome}${msg(service)}${why()}`, rolledBack: true };
  }
  if (status === "paused")
    return { phase: "failed", reason: `Swarm paused the update${msg(service)}${why()}`, rolledBack: false };
  if (failures.length >= goal.failLimit) {
    return {
      phase: "failed",
      reason: `tasks of ${goal.version} keep failing (${failures.length} failed)${why()}`,
      rolledBack: false,
    };
  }
  // An update is over when Swarm says so (after its monitor window); a new service when its tasks run.
  if (goal.kind === "update" && status !== undefined && status !== "completed") return { phase: "waiting" };
  if (goal.kind === "update" && status === undefined && !converged) return { phase: "waiting" };
  return converged ? { phase: "done" } : { phase: "waiting" };
}

function ourStatus(service: ObservedService, goal: ConvergeGoal): string | undefined {
  const s = service.updateStatus;
  if (!s) return undefined;
  return s.startedAt !== goal.statusBefore ? s.state : undefined;
}

const msg = (s: ObservedService) => (s.updateStatus?.message ? ` (${s.updateStatus.message})` : "");

/** The distinct errors of failed tasks, newest first, at most three. */
export function describeFailures(tasks: ObservedTask[]): string {
  const sorted = [...tasks].sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  const lines = [...new Set(sorted.map((t) => `${t.name} on ${t.node}: ${taskError(t)}`))].slice(0, 3);
  return lines.length ? `\n${lines.map((l) => `  ${l}`).join("\n")}` : "";
}

function taskError(t: ObservedTask): string {
  const error = t.error ?? t.state;
  return t.exitCode !== undefined && !error.includes(String(t.exitCode))
    ? `${error} (exit ${t.exitCode})`
    : error;
}

/** One progress line per task whose state changed since the last look. */
export function progressLines(
  tasks: ObservedTask[],
  seen: Map<string, string>,
  versionOf: (digest: string) => string,
): string[] {
  const lines: string[] = [];
  for (const t of [...tasks].sort((a, b) => a.slot - b.slot || a.createdAt.localeCompare(b.createdAt))) {
    const key = `${t.state}/${t.desiredState}`;
    if (seen.get(t.id) === key) continue;
    const first = !seen.has(t.id);
    seen.set(t.id, key);
    // Old history is not news: only report tasks we saw change, or new non-final ones.
    if (first && t.desiredState !== "running" && !FAILED.has(t.state)) continue;
    const want = t.desiredState === t.state ? "" : ` → ${t.desiredState}`;
    const err = t.error && t.state !== "running" ? `: ${t.error}` : "";
    lines.push(`${t.name} ${versionOf(t.digest)} on ${t.node}: ${t.state}${want}${err}`);
  }
  return lines;
}

export interface ConvergeOptions {
  observe: () => Promise<SwarmObservation>;
  goal: ConvergeGoal;
  timeoutMs: number;
  pollMs: number;
  logger: Logger;
  versionOf: (digest: string) => string;
  /** A new service counts as converged only after its tasks kept running this long (Swarm monitors updates only). */
  settleMs?: number;
}

/** Polls until judge() says done or failed; a timeout is a failure naming the tasks not running. */
export async function converge(o: ConvergeOptions): Promise<{ verdict: Verdict; last: SwarmObservation }> {
  const deadline = Date.now() + o.timeoutMs;
  const seen = new Map<string, string>();
  let note: string | undefined;
  let doneSince: number | undefined;
  for (;;) {
    const last = await o.observe();
    for (const line of progressLines(last.tasks, seen, o.versionOf)) o.logger.info(line);
    const verdict = judge(last, o.goal);
    if (verdict.phase === "waiting" && verdict.note && verdict.note !== note) o.logger.warn(verdict.note);
    if (verdict.phase === "waiting") note = verdict.note;
    if (verdict.phase === "done" && o.goal.kind === "create" && o.settleMs) {
      doneSince ??= Date.now();
      if (Date.now() - doneSince >= o.settleMs) return { verdict, last };
    } else if (verdict.phase !== "waiting") return { verdict, last };
    else doneSince = undefined;
    if (Date.now() > deadline) {
      const stuck = last.tasks.filter((t) => t.desiredState === "running" && t.state !== "running");
      const reason = `not converged within ${Math.round(o.timeoutMs / 1000)} s${describeFailures(stuck)}`;
      return { verdict: { phase: "failed", reason, rolledBack: false }, last };
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
