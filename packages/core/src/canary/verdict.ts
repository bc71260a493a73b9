/**
 * Judging a canary against the stable set (deploy.canary.analysis). Every interval one check
 * judges the requests since the previous one; a failing check ends the analysis at once. After
 * the whole duration the verdict judges everything since the start: pass, fail, or inconclusive
 * when the canary served fewer than min-requests — too little traffic is never a silent pass. Pure.
 */
import type { Comparison } from "./stats";

export type AnalysisAction = "promote" | "abort" | "hold";
export type Outcome = "pass" | "fail" | "inconclusive";

export interface AnalysisSettings {
  durationMs: number;
  intervalMs: number;
  /** Highest tolerated share of failed canary requests, 0-1. */
  maxErrorRate: number;
  /** Highest tolerated canary p99 ÷ stable p99; unset = latency is not judged. */
  maxLatencyRatio?: number;
  /** Canary requests a window needs before it is judged. */
  minRequests: number;
  onPass: AnalysisAction;
  onFail: AnalysisAction;
  onInconclusive: AnalysisAction;
}

export interface CheckResult {
  /** insufficient: the canary served fewer than min-requests in the window. */
  outcome: "pass" | "fail" | "insufficient";
  /** Why, one sentence each: the failed limits, or what was not judged. */
  reasons: string[];
  /** canary p99 ÷ stable p99, when both have one. */
  latencyRatio?: number;
}

/** One window: the canary's error rate and p99 against the limits. */
export function judgeCheck(c: Comparison, s: AnalysisSettings): CheckResult {
  const { canary, stable } = c;
  const ratio = latencyRatio(c);
  if (canary.requests < s.minRequests) {
    return {
      outcome: "insufficient",
      reasons: [`the canary served ${canary.requests} request(s), fewer than min-requests ${s.minRequests}`],
      latencyRatio: ratio,
    };
  }
  const reasons: string[] = [];
  const notJudged: string[] = [];
  if (canary.errorRate > s.maxErrorRate) {
    reasons.push(
      `error rate ${percent(canary.errorRate)} (${canary.errors}/${canary.requests}) is above max-error-rate ${percent(s.maxErrorRate)}`,
    );
  }
  if (s.maxLatencyRatio !== undefined) {
    if (stable.requests < s.minRequests || ratio === undefined) {
      notJudged.push(`latency not judged: the stable set served ${stable.requests} request(s)`);
    } else if (ratio > s.maxLatencyRatio) {
      reasons.push(
        `p99 ${canary.p99} ms is ${ratio.toFixed(2)}× the stable p99 ${stable.p99} ms, above max-latency-ratio ${s.maxLatencyRatio}`,
      );
    }
  }
  return reasons.length
    ? { outcome: "fail", reasons, latencyRatio: ratio }
    : { outcome: "pass", reasons: notJudged, latencyRatio: ratio };
}

/** The verdict over the whole analysis window. */
export function verdict(total: Comparison, s: AnalysisSettings): { outcome: Outcome; reasons: string[] } {
  const r = judgeCheck(total, s);
  return { outcome: r.outcome === "insufficient" ? "inconclusive" : r.outcome, reasons: r.reasons };
}

/** What follows a check: go on watching, or the verdict. */
export function afterCheck(
  check: CheckResult,
  total: Comparison,
  elapsedMs: number,
  s: AnalysisSettings,
): { done: false } | { done: true; outcome: Outcome; reasons: string[] } {
  if (check.outcome === "fail") return { done: true, outcome: "fail", reasons: check.reasons };
  if (elapsedMs + 1 < s.durationMs) return { done: false };
  return { done: true, ...verdict(total, s) };
}

export function actionFor(outcome: Outcome, s: AnalysisSettings): AnalysisAction {
  return outcome === "pass" ? s.onPass : outcome === "fail" ? s.onFail : s.onInconclusive;
}

/** canary p99 ÷ stable p99 (latencies under 1 ms count as 1 ms, so a tiny stable p99 is no division by ~0). */
export function latencyRatio(c: Comparison): number | undefined {
  if (c.canary.p99 === undefined || c.stable.p99 === undefined) return undefined;
  return Math.max(1, c.canary.p99) / Math.max(1, c.stable.p99);
}

export const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
