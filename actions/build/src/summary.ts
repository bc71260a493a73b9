/** The job summary of a build: test results, failures, image report — also for failed builds. */
import type * as actions from "@actions/core";
import type { BuildResult, PartialBuild, TestSummary } from "@powertrain/core";
import { formatBytes, formatMs } from "@powertrain/core";

type Summary = typeof actions.summary;
type Cell = { data: string; header?: boolean };

const header = (...names: string[]): Cell[] => names.map((data) => ({ data, header: true }));

export async function writeBuildSummary(
  summary: Summary,
  build: PartialBuild & Partial<BuildResult>,
  failure?: string,
): Promise<void> {
  const title = build.image ?? build.report?.image ?? "image";
  summary.addHeading(`${failure ? "❌" : "✅"} Build ${html(title)}`, 2);
  if (failure) summary.addCodeBlock(failure, "text");
  if (build.tests) addTests(summary, build.tests);
  if (build.report) {
    const r = build.report;
    summary.addHeading("Image", 3);
    summary.addRaw(
      `<p><code>${html(r.id)}</code>: <b>${formatBytes(r.size)}</b>, runs as ${r.runsAsRoot ? "<b>root</b>" : html(r.user)}</p>`,
      true,
    );
    summary.addTable([
      header("Size", "Layer (Dockerfile instruction)"),
      ...r.layers
        .slice(0, 20)
        .map((l) => [formatBytes(l.size), `<code>${html(shorten(l.instruction, 120))}</code>`]),
    ]);
    for (const w of build.checks?.warnings ?? []) summary.addRaw(`<p>⚠️ ${html(w)}</p>`, true);
  }
  if (build.smoke)
    summary.addRaw(
      `<p>Smoke test: ${build.smoke.passed ? "✅" : "❌"} ${html(build.smoke.message)}</p>`,
      true,
    );
  await summary.write();
}

function addTests(summary: Summary, tests: TestSummary): void {
  summary.addHeading("Tests", 3);
  summary.addTable([
    header("Passed", "Failed", "Skipped", "Duration"),
    [String(tests.passed), String(tests.failed), String(tests.skipped), formatMs(tests.durationMs)],
  ]);
  if (tests.failures.length > 0) {
    summary.addHeading("Failures", 4);
    summary.addTable([
      header("Test", "Where", "Message"),
      ...tests.failures.map((f) => [
        html(f.name),
        f.location
          ? `<code>${html(f.location.file)}${f.location.line ? `:${f.location.line}` : ""}</code>`
          : "",
        html(shorten(f.message, 300)),
      ]),
    ]);
  }
  if (tests.slowest.length > 0) {
    summary.addHeading("Slowest tests", 4);
    summary.addTable([
      header("Test", "Time"),
      ...tests.slowest.map((t) => [html(t.name), formatMs(t.durationMs)]),
    ]);
  }
}

function shorten(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
