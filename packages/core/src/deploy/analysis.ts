/**
 * Canary analysis on the SSH engine: every host's router reports per-backend request numbers
 * (router.metrics), the upstream set it holds names the version behind each address, and the
 * pure judgement (canary/verdict.ts) decides. `analyzeCanary` checks every interval and acts on
 * the verdict — promote, abort or hold — through deploy/canary.ts; `compareCanary` is one look
 * over a window, for `powertrain compare`.
 */

import { comparisonJson } from "../canary/report";
import { attribute, type Comparison, compare, type VersionRow, type VersionStats } from "../canary/stats";
import {
  type AnalysisAction,
  type AnalysisSettings,
  actionFor,
  afterCheck,
  type CheckResult,
  judgeCheck,
  type Outcome,
  percent,
} from "../canary/verdict";
import { UsageError } from "../errors";
import { createRouter } from "../router";
import { backendAddress } from "../router/nginx";
import type { Router } from "../router/types";
import type { RemoteHost } from "../ssh/session";
import { abortCanary, type CanaryRequest, type CanaryResult, promoteCanary } from "./canary";
import { DeployError } from "./errors";
import { hostScope } from "./executor";
import { withHosts } from "./hosts";
import { type CanaryState, readCanary } from "./traffic";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface AnalysisRequest extends CanaryRequest {
  /** Overrides deploy.canary.analysis. */
  settings?: AnalysisSettings;
  /** Tests run the analysis on a clock of their own. */
  clock?: Clock;
}

export interface AnalysisCheck {
  /** ms since the analysis started. */
  elapsedMs: number;
  window: Comparison;
  result: CheckResult;
}

export interface AnalysisReport {
  outcome: Outcome;
  /** What was done about it. */
  action: AnalysisAction;
  reasons: string[];
  canaryVersion: string;
  /** Every check, in order. */
  checks: AnalysisCheck[];
  /** Everything since the analysis started. */
  total: Comparison;
  hosts: string[];
  /** What promote or abort did per host; none for hold. */
  results: CanaryResult[];
  durationMs: number;
}

/** One host's router, the canary it records and the version behind each backend address. */
interface Source {
  host: string;
  router: Router;
  canary: CanaryState;
  versions: Map<string, string>;
  cursor?: string;
}

/** Watch the canary for the configured duration, then promote, abort or hold it. */
export async function analyzeCanary(req: AnalysisRequest): Promise<AnalysisReport> {
  const env = req.environment;
  const s = req.settings ?? env.deploy.canary?.analysis;
  if (!s) throw new UsageError(`environment "${env.name}" has no deploy.canary.analysis`);
  const clock = req.clock ?? realClock;
  const slotSeconds = Math.max(1, Math.round(s.intervalMs / 1000));
  const log = req.logger;
  let started = clock.now();
  const watched = await withHosts(req, async (session) => {
    const sources = await canarySources(req, (t) => session.connect(t));
    // The duration counts from here: connecting to the hosts is no part of it.
    started = clock.now();
    const canaryVersion = sources[0]!.canary.version;
    const since = started / 1000;
    const all: VersionRow[] = [];
    let unattributed = 0;
    const checks: AnalysisCheck[] = [];
    log.info(
      `analysing canary ${canaryVersion} on ${sources.length} host(s) for ${seconds(s.durationMs)}, a check every ${seconds(s.intervalMs)}`,
    );
    for (;;) {
      const elapsed = clock.now() - started;
      await clock.sleep(Math.max(0, Math.min(s.intervalMs, s.durationMs - elapsed)));
      const fresh = await readAll(sources, since, slotSeconds);
      all.push(...fresh.rows);
      unattributed += fresh.unattributed;
      const window = compare(fresh.rows, canaryVersion, fresh.unattributed);
      const total = compare(all, canaryVersion, unattributed);
      const result = judgeCheck(window, s);
      const elapsedMs = clock.now() - started;
      checks.push({ elapsedMs, window, result });
      log.info(`check ${checks.length} at ${seconds(elapsedMs)}: ${describeCheck(window, result)}`);
      const next = afterCheck(result, total, elapsedMs, s);
      if (next.done) return { ...next, canaryVersion, checks, total, hosts: sources.map((x) => x.host) };
    }
  });
  const action = actionFor(watched.outcome, s);
  log.info(
    `canary ${watched.canaryVersion}: ${watched.outcome}${watched.reasons.length ? ` (${watched.reasons.join("; ")})` : ""} → ${action}`,
  );
  const results =
    action === "promote" ? await promoteCanary(req) : action === "abort" ? await abortCanary(req) : [];
  if (action === "hold") log.info(`canary ${watched.canaryVersion} keeps running at its share`);
  const { done: _, ...report } = watched;
  return { ...report, action, results, durationMs: clock.now() - started };
}

/** The report as JSON (--json, the action's canary-report output): verdict, totals, every check. */
export function analysisJson(a: AnalysisReport) {
  return {
    outcome: a.outcome,
    action: a.action,
    reasons: a.reasons,
    canaryVersion: a.canaryVersion,
    hosts: a.hosts,
    durationMs: a.durationMs,
    total: comparisonJson(a.total),
    checks: a.checks.map((c) => ({
      elapsedMs: c.elapsedMs,
      result: c.result,
      window: comparisonJson(c.window),
    })),
  };
}

export interface CompareReport {
  comparison: Comparison;
  canaryVersion: string;
  hosts: string[];
  /** The window: unix ms. */
  from: number;
  to: number;
}

/** The canary against the stable set over the last `sinceMs`, summed over every host's router. */
export async function compareCanary(req: CanaryRequest & { sinceMs: number }): Promise<CompareReport> {
  const to = Date.now();
  const from = to - req.sinceMs;
  // About 30 points on a chart of the window.
  const slotSeconds = Math.max(1, Math.round(req.sinceMs / 1000 / 30));
  return withHosts(req, async (session) => {
    const sources = await canarySources(req, (t) => session.connect(t));
    const canaryVersion = sources[0]!.canary.version;
    const fresh = await readAll(sources, from / 1000, slotSeconds);
    return {
      comparison: compare(fresh.rows, canaryVersion, fresh.unattributed),
      canaryVersion,
      hosts: sources.map((x) => x.host),
      from,
      to,
    };
  });
}

async function canarySources(
  req: CanaryRequest,
  connect: (target: NonNullable<CanaryRequest["hosts"]>[number]) => Promise<RemoteHost>,
): Promise<Source[]> {
  const env = req.environment;
  if (!env.deploy.router) {
    throw new UsageError(`environment "${env.name}" has no deploy.router: there is no canary to measure`, {
      hint: "see docs/traffic.md",
    });
  }
  const sources: Source[] = [];
  for (const target of req.hosts ?? env.hosts) {
    const host = await connect(target);
    const scope = hostScope({ app: env.app, environment: env.name }, host, req.hostScope);
    const canary = await readCanary(host, scope);
    if (!canary) {
      throw new DeployError(`${host.name}: no canary of ${env.app} runs in ${env.name}`, {
        hint: "start one with powertrain deploy --strategy canary",
      });
    }
    const router = createRouter(
      host,
      env.deploy.router,
      { app: env.app, environment: env.name },
      env.deploy.canary?.analysis?.metricsCommand,
    );
    const servers = (await router.current()) ?? [];
    sources.push({
      host: host.name,
      router,
      canary,
      versions: new Map(servers.map((x) => [backendAddress(x), x.version])),
    });
  }
  const versions = new Set(sources.map((x) => x.canary.version));
  if (versions.size > 1)
    throw new DeployError(`the hosts run different canaries (${[...versions].join(", ")}): end them first`);
  if (sources.length === 0) throw new UsageError(`environment "${env.name}" has no hosts`);
  return sources;
}

/** Every host's numbers since its cursor, attributed to versions. */
async function readAll(
  sources: Source[],
  since: number,
  slotSeconds: number,
): Promise<{ rows: VersionRow[]; unattributed: number }> {
  const rows: VersionRow[] = [];
  let unattributed = 0;
  for (const src of sources) {
    const m = await src.router.metrics({ since, cursor: src.cursor, slotSeconds });
    src.cursor = m.cursor;
    const a = attribute(m.rows, src.versions);
    rows.push(...a.rows);
    unattributed += a.unattributed;
  }
  return { rows, unattributed };
}

/** "canary 2-b: 48 req, 20.8% errors, p99 31 ms · stable 1-a: 420 req, 0% errors, p99 10 ms → fail: …" */
export function describeCheck(c: Comparison, r: CheckResult): string {
  const side = (name: string, v: VersionStats) =>
    `${name} ${v.version}: ${v.requests} req, ${percent(v.errorRate)} errors, p99 ${v.p99 ?? "-"} ms`;
  const verdict = r.outcome === "insufficient" ? "too few requests" : r.outcome;
  const why = r.outcome === "fail" ? `: ${r.reasons.join("; ")}` : "";
  return `${side("canary", c.canary)} · ${side("stable", c.stable)} → ${verdict}${why}`;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`);
