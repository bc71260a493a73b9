/** Plain-text reports for terminals and logs: the test results and the image report. */
import { formatBytes, type ImageReport } from "./image-report";
import type { TestSummary } from "./tests";

export function formatTestSummary(tests: TestSummary, slowest = 5): string {
  const lines = [
    `tests: ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped (${tests.total} in ${formatMs(tests.durationMs)})`,
  ];
  if (tests.slowest.length > 0) {
    lines.push("slowest:");
    for (const t of tests.slowest.slice(0, slowest))
      lines.push(`  ${formatMs(t.durationMs).padStart(8)}  ${t.name}`);
  }
  for (const f of tests.failures) {
    const where = f.location ? ` (${f.location.file}${f.location.line ? `:${f.location.line}` : ""})` : "";
    lines.push(`✗ ${f.name}${where}`, `    ${f.message.split("\n").join("\n    ")}`);
  }
  return lines.join("\n");
}

export function formatImageReport(report: ImageReport, budget?: number, maxLayers = 15): string {
  const lines = [
    `image ${report.image} (${report.id.replace(/^sha256:/, "").slice(0, 12)}): ${formatBytes(report.size)}` +
      (budget !== undefined ? ` of a ${formatBytes(budget)} budget` : "") +
      `, runs as ${report.runsAsRoot ? `root${report.user ? ` (${report.user})` : ""}` : report.user}`,
    "layers, largest first:",
  ];
  for (const layer of report.layers.slice(0, maxLayers)) {
    lines.push(`  ${formatBytes(layer.size).padStart(9)}  ${truncate(layer.instruction, 100)}`);
  }
  const rest = report.layers.length - maxLayers;
  if (rest > 0) lines.push(`  … ${rest} smaller layers`);
  return lines.join("\n");
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
