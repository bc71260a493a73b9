/** The job summary: which host runs what after the deploy; a canary's analysis and its chart. */
import * as actions from "@actions/core";
import { type AnalysisReport, analysisMarkdown, type DeployReport } from "@powertrain/core";

/** The verdict, the side-by-side table and a mermaid chart per check (GitHub renders mermaid). */
export async function writeAnalysisSummary(a: AnalysisReport, title: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await actions.summary.addRaw(analysisMarkdown({ ...a, title }), true).write();
}

export async function writeDeploySummary(
  report: DeployReport,
  ok: boolean,
  verified?: string,
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const s = actions.summary.addHeading(
    `${ok ? "Deployed" : "Deploy failed:"} ${report.version} (${(report.durationMs / 1000).toFixed(1)} s)`,
    3,
  );
  s.addTable([
    [
      { data: "Host", header: true },
      { data: "Status", header: true },
      { data: "Version", header: true },
    ],
    ...report.hosts.map((h) => [h.host, h.status, h.version ?? "-"]),
  ]);
  if (report.deployed.length > 0) {
    s.addTable([
      [
        { data: "Host", header: true },
        { data: "Container", header: true },
        { data: "Port", header: true },
        { data: "Version", header: true },
        { data: "Digest", header: true },
      ],
      ...report.deployed.map((d) => [d.host, d.container, String(d.port ?? "-"), d.version, d.digest]),
    ]);
  }
  if (report.previousVersion) s.addRaw(`Previous version: ${report.previousVersion}`, true);
  // What was verified before any host was touched; a skipped check says so loudly.
  if (verified)
    s.addRaw(
      `${verified.startsWith("⚠") ? "**" : ""}Verification: ${verified}${verified.startsWith("⚠") ? "**" : ""}`,
      true,
    );
  await s.write();
}
