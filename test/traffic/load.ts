/**
 * A bounded load generator on loopback: `concurrency` loops, each sending one
 * GET after the other through the load balancer, until stopped or until the
 * request or time cap is reached. Every request opens a new connection
 * (agent: false), as a fleet of independent clients would; the Host header
 * picks the upstream.
 */
import { request } from "node:http";

export interface LoadOptions {
  port: number;
  /** Host header: which upstream the load balancer routes to. */
  host: string;
  concurrency: number;
  /** Hard cap on requests sent. */
  maxRequests: number;
  /** Hard cap on wall time. */
  maxMs: number;
  /** One request may take this long before it counts as failed (default 5 s). */
  timeoutMs?: number;
}

export interface LoadResult {
  sent: number;
  failed: number;
  /** Answers (response bodies, trimmed) of successful requests, counted. */
  byBody: Record<string, number>;
  /** The first few failures, for the assertion message. */
  errors: string[];
  /** Every failure, counted by what it was ("HTTP 500: v2 failed", "timed out"…). */
  failuresByError: Record<string, number>;
  /** Latency of each successful request, in ms. */
  latenciesMs: number[];
  durationMs: number;
}

export interface Load {
  /** Stop sending; resolves when every loop has finished its request in flight. */
  stop(): Promise<LoadResult>;
  /** Resolves when a cap is reached. */
  done: Promise<LoadResult>;
}

export function startLoad(o: LoadOptions): Load {
  const result: LoadResult = {
    sent: 0,
    failed: 0,
    byBody: {},
    errors: [],
    failuresByError: {},
    latenciesMs: [],
    durationMs: 0,
  };
  const started = performance.now();
  let stopped = false;
  const loop = async () => {
    while (!stopped && result.sent < o.maxRequests && performance.now() - started < o.maxMs) {
      result.sent++;
      const t0 = performance.now();
      const outcome = await get(o);
      if (outcome.ok) {
        result.latenciesMs.push(performance.now() - t0);
        result.byBody[outcome.body] = (result.byBody[outcome.body] ?? 0) + 1;
      } else {
        result.failed++;
        if (result.errors.length < 10) result.errors.push(outcome.error);
        result.failuresByError[outcome.error] = (result.failuresByError[outcome.error] ?? 0) + 1;
      }
    }
  };
  const done = Promise.all(Array.from({ length: o.concurrency }, loop)).then(() => {
    result.durationMs = performance.now() - started;
    return result;
  });
  return {
    done,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

function get(o: LoadOptions): Promise<{ ok: true; body: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: o.port,
        path: "/",
        headers: { host: o.host },
        agent: false,
        timeout: o.timeoutMs ?? 5000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () =>
          res.statusCode === 200
            ? resolve({ ok: true, body: body.trim() })
            : resolve({ ok: false, error: `HTTP ${res.statusCode}: ${body.trim().slice(0, 80)}` }),
        );
        res.on("error", (err) => resolve({ ok: false, error: err.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve({ ok: false, error: err.message }));
    req.end();
  });
}

/** The p-th percentile (0-100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Allowed deviation of a share measured over n requests: each request is
 * treated as an independent Bernoulli(p) trial — the worst case, e.g. random
 * balancing or several nginx workers each with its own round-robin position
 * (one worker's smooth weighted round robin is exact to ±1 request) — so the
 * count is Binomial(n, p) with σ = √(n·p·(1−p)). ±4σ fails a correct
 * balancer with probability < 10⁻⁴ (normal approximation, fine for n·p ≥ 10).
 */
export function shareTolerance(n: number, p: number, sigmas = 4): number {
  return sigmas * Math.sqrt(n * p * (1 - p));
}
