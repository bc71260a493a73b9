/**
 * A comparison for people and scripts: the side-by-side table of `powertrain compare`, its
 * --json shape (histograms as plain objects), and the markdown of a job summary. Pure.
 */
import { mermaidChart, sideLabel } from "./chart";
import { bucketValue } from "./histogram";
import type { Comparison, VersionStats } from "./stats";
import { type CheckResult, latencyRatio, percent } from "./verdict";

/** The table `powertrain compare` prints. */
export function comparisonTable(c: Comparison): string {
  const head = ["", "version", "requests", "errors", "error rate", "p50 ms", "p95 ms", "p99 ms"];
  const row = (side: "stable" | "canary", v: VersionStats) => [
    side,
    v.version,
    String(v.requests),
    String(v.errors),
    percent(v.errorRate),
    String(v.p50 ?? "-"),
    String(v.p95 ?? "-"),
    String(v.p99 ?? "-"),
  ];
  const rows = [head, row("stable", c.stable), row("canary", c.canary)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
  );
  const ratio = latencyRatio(c);
  if (ratio !== undefined) lines.push(`p99 ratio canary ÷ stable: ${ratio.toFixed(2)}`);
  if (c.unattributed) lines.push(`${c.unattributed} request(s) reached no known instance`);
  return `${lines.join("\n")}\n`;
}

/** A side as JSON: the latency histogram as {"<upper bound ms>": count}. */
export function statsJson(v: VersionStats) {
  const latency: Record<string, number> = {};
  for (const [b, n] of [...v.latency.entries()].sort(([a], [z]) => a - z))
    latency[String(Math.round(bucketValue(b) * 10) / 10)] = n;
  return { ...v, latencyMs: latency, latency: undefined };
}

export function comparisonJson(c: Comparison) {
  return {
    stable: statsJson(c.stable),
    canary: statsJson(c.canary),
    unattributed: c.unattributed,
    latencyRatio: latencyRatio(c) ?? null,
  };
}

export interface SummaryInput {
  title: string;
  outcome: string;
  action: string;
  reasons: string[];
  total: Comparison;
  checks: { window: Comparison; result: CheckResult }[];
}

/** Markdown for a job summary: the verdict, the table and a mermaid chart per check. */
export function analysisMarkdown(r: SummaryInput): string {
  const icon = r.outcome === "pass" ? "✅" : r.outcome === "fail" ? "❌" : "⏸️";
  const cell = (v: VersionStats, side: "stable" | "canary") =>
    `| ${sideLabel(side, v)} | ${v.requests} | ${v.errors} | ${percent(v.errorRate)} | ${v.p50 ?? "–"} | ${v.p95 ?? "–"} | ${v.p99 ?? "–"} |`;
  return [
    `### ${icon} Canary analysis: ${r.outcome} → ${r.action}`,
    "",
    ...r.reasons.map((x) => `- ${x}`),
    "",
    "| version | requests | errors | error rate | p50 ms | p95 ms | p99 ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    cell(r.total.stable, "stable"),
    cell(r.total.canary, "canary"),
    "",
    r.checks.length
      ? mermaidChart(
          r.checks.map((c) => c.window),
          r.title,
        )
      : "",
    "",
  ].join("\n");
}
