/**
 * Pictures of a comparison, so a reviewer sees the verdict at a glance: an SVG rendered
 * server-side by Vega-Lite (no browser) for `powertrain compare --html`, and a mermaid xychart
 * for a GitHub job summary (which renders mermaid but strips inline SVG). Each shows the two
 * versions' latency distributions and error rates over the window. Pure: svg.ts renders.
 */
import { bucketValue } from "./histogram";
import type { Comparison, VersionStats } from "./stats";

const COLORS = { stable: "#4c78a8", canary: "#e45756" };

/** The label of each side in charts and tables: "stable 1-abc", "canary 2-def". */
export const sideLabel = (side: "stable" | "canary", v: VersionStats) => `${side} ${v.version}`;

/** Share of requests at or under each latency: one cumulative line per version. */
function latencyPoints(side: "stable" | "canary", v: VersionStats) {
  const total = v.requests || 1;
  let seen = 0;
  return [...v.latency.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bucket, n]) => {
      seen += n;
      return { series: sideLabel(side, v), ms: round(bucketValue(bucket)), share: seen / total };
    });
}

function errorPoints(side: "stable" | "canary", v: VersionStats) {
  return v.series.map((s) => ({
    series: sideLabel(side, v),
    time: new Date(s.slot * 1000).toISOString(),
    errorRate: s.requests ? s.errors / s.requests : 0,
    requests: s.requests,
  }));
}

/** A Vega-Lite spec: latency distribution (left) and error rate per time slot (right). */
export function chartSpec(c: Comparison, title: string): Record<string, unknown> {
  const domain = [sideLabel("stable", c.stable), sideLabel("canary", c.canary)];
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: { domain, range: [COLORS.stable, COLORS.canary] },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    config: { font: "sans-serif", legend: { orient: "bottom" } },
    hconcat: [
      {
        title: "Latency: share of requests at or under",
        width: 360,
        height: 220,
        data: { values: [...latencyPoints("stable", c.stable), ...latencyPoints("canary", c.canary)] },
        mark: { type: "line", interpolate: "step-after", point: true },
        encoding: {
          x: { field: "ms", type: "quantitative", title: "latency (ms)", scale: { type: "log" } },
          y: { field: "share", type: "quantitative", title: "requests", axis: { format: "%" } },
          color,
        },
      },
      {
        title: "Error rate over the window",
        width: 360,
        height: 220,
        data: { values: [...errorPoints("stable", c.stable), ...errorPoints("canary", c.canary)] },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "time", type: "temporal", title: "time (UTC)", timeUnit: "utchoursminutesseconds" },
          y: { field: "errorRate", type: "quantitative", title: "failed requests", axis: { format: "%" } },
          color,
        },
      },
    ],
  };
}

/**
 * A mermaid xychart: p99 latency (lines) per check for both versions. GitHub renders it in a
 * job summary. `points`: one comparison per check, in order.
 */
export function mermaidChart(points: Comparison[], title: string): string {
  const p99 = (v: VersionStats) => Math.round(v.p99 ?? 0);
  const errors = (v: VersionStats) => Math.round(v.errorRate * 1000) / 10;
  const labels = points.map((_, i) => `"${i + 1}"`).join(", ");
  const max = Math.max(1, ...points.flatMap((p) => [p99(p.stable), p99(p.canary)]));
  const maxErr = Math.max(1, ...points.flatMap((p) => [errors(p.stable), errors(p.canary)]));
  const line = (values: number[]) => `[${values.join(", ")}]`;
  const first = points[0] ?? { stable: { version: "stable" }, canary: { version: "canary" } };
  const legend = `${COLORS.stable} = stable ${first.stable.version}, ${COLORS.canary} = canary ${first.canary.version}`;
  const chart = (name: string, axis: string, top: number, values: (v: VersionStats) => number) =>
    [
      "```mermaid",
      `---\nconfig:\n  themeVariables:\n    xyChart:\n      plotColorPalette: "${COLORS.stable}, ${COLORS.canary}"\n---`,
      "xychart-beta",
      `  title "${escapeMermaid(`${title}: ${name}`)}"`,
      `  x-axis "check" [${labels}]`,
      `  y-axis "${axis}" 0 --> ${Math.ceil(top * 1.2)}`,
      `  line ${line(points.map((p) => values(p.stable)))}`,
      `  line ${line(points.map((p) => values(p.canary)))}`,
      "```",
    ].join("\n");
  return [
    chart("p99 latency per check", "p99 (ms)", max, p99),
    chart("error rate per check", "errors (%)", maxErr, errors),
    `Lines: ${legend}.`,
  ].join("\n\n");
}

/** A self-contained HTML page: the comparison as a table and the chart as inline SVG. */
export function htmlReport(c: Comparison, svg: string, title: string, verdict?: string): string {
  const row = (side: "stable" | "canary", v: VersionStats) =>
    `<tr class="${side}"><th>${escapeHtml(sideLabel(side, v))}</th><td>${v.requests}</td><td>${v.errors}</td>` +
    `<td>${(v.errorRate * 100).toFixed(2)}%</td><td>${v.p50 ?? "–"}</td><td>${v.p95 ?? "–"}</td><td>${v.p99 ?? "–"}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:right}th{text-align:left}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${verdict ? `<p id="verdict">${escapeHtml(verdict)}</p>` : ""}
<table id="comparison"><thead><tr><th>version</th><th>requests</th><th>errors</th><th>error rate</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr></thead>
<tbody>${row("stable", c.stable)}${row("canary", c.canary)}</tbody></table>
<figure id="chart">${svg}</figure>
</body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function escapeMermaid(s: string): string {
  return s.replace(/["\n]/g, " ");
}

const round = (ms: number) => Math.round(ms * 10) / 10;
