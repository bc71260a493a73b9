/**
 * The job summary of extract-config: which image, which environment, what the deploy will need —
 * and, for an approval (compare-with), what moves and which variables the deploy will read.
 */
import type * as actions from "@actions/core";
import {
  type ExtractConfigResult,
  type FileTarget,
  formatBytes,
  formatSizeDelta,
  formatTests,
  type ImageFacts,
  isPublicReference,
  type PromoteDiff,
  type RefusedReference,
} from "@powertrain/core";

type Summary = typeof actions.summary;

export interface ApprovalView {
  /** judgeReferences of the image's references against env-from. */
  verdict: { allowed: string[]; refused: RefusedReference[] };
  diff?: PromoteDiff;
}

export async function writeExtractSummary(
  summary: Summary,
  result: ExtractConfigResult,
  files: readonly FileTarget[],
  view?: ApprovalView,
): Promise<void> {
  const { config } = result;
  summary.addHeading(`Run configuration of ${html(config.app)} for ${html(config.name)}`, 2);
  summary.addTable([
    [{ data: "Image", header: true }, { data: code(result.image) }],
    [{ data: "Version", header: true }, { data: html(result.version || "-") }],
    [
      { data: "Read from", header: true },
      {
        data:
          result.source === "registry"
            ? `registry (${result.bytesFetched} bytes, no layers)`
            : "local docker daemon",
      },
    ],
    [{ data: "Hosts", header: true }, { data: html(config.hosts.map((h) => h.host).join(", ") || "-") }],
    [{ data: "Instances", header: true }, { data: String(config.run.instances) }],
    [{ data: "Environments", header: true }, { data: html(result.environments.join(", ") || "-") }],
    [{ data: "Needs variables", header: true }, { data: result.references.map(code).join(" ") || "none" }],
    ...(files.length > 0
      ? [[{ data: "Files", header: true }, { data: files.map((f) => code(f.destination)).join(" ") }]]
      : []),
  ]);
  if (view?.diff) addDiff(summary, view.diff, config.name);
  if (view && result.references.length > 0) addReferences(summary, result.references, view.verdict);
  await summary.write();
}

/** What moves: now and coming side by side, the commits between them, tests and size. */
function addDiff(summary: Summary, diff: PromoteDiff, environment: string): void {
  const { current, coming } = diff;
  summary.addHeading(`What moves into ${html(environment)}`, 3);
  if (diff.same) {
    summary.addRaw(`<p>${html(environment)} already runs ${code(coming.digest)}: nothing moves.</p>`, true);
    return;
  }
  const side = (f: ImageFacts | undefined, pick: (f: ImageFacts) => string) => (f ? pick(f) : "-");
  const commit = (f: ImageFacts) => (f.commit ? code(f.commit.slice(0, 12)) : "-");
  summary.addTable([
    [
      { data: "", header: true },
      { data: current ? "now" : "now (nothing deployed yet)", header: true },
      { data: diff.older ? "coming (an older build: a rollback)" : "coming", header: true },
    ],
    ["Version", side(current, (f) => html(f.version ?? "-")), html(coming.version ?? "-")],
    ["Digest", side(current, (f) => code(f.digest)), code(coming.digest)],
    ["Commit", side(current, commit), commit(coming)],
    ["Tests", side(current, (f) => html(formatTests(f.tests))), html(formatTests(coming.tests))],
    [
      "Size",
      side(current, (f) => formatBytes(f.size)),
      `${formatBytes(coming.size)}${diff.sizeDelta !== undefined ? ` (${html(formatSizeDelta(diff.sizeDelta))})` : ""}`,
    ],
  ]);
  // compareUrl is built from checked parts only (promote-diff.ts repositoryUrl, commit ids).
  if (diff.compareUrl) summary.addRaw(`<p><a href="${diff.compareUrl}">Commits between them</a></p>`, true);
  else if (diff.compareNote) summary.addRaw(`<p>No compare link: ${html(diff.compareNote)}.</p>`, true);
}

/** Every ${NAME} the run configuration reads, and whether this deploy may read it. */
function addReferences(
  summary: Summary,
  references: readonly string[],
  verdict: ApprovalView["verdict"],
): void {
  summary.addHeading("Variables the deploy reads", 3);
  const why = (name: string) => {
    const refused = verdict.refused.find((r) => r.name === name);
    if (!refused)
      return isPublicReference(name) ? "build metadata (not secret)" : "allowed (DEPLOY_ENV / env-from)";
    return refused.why.startsWith("not in")
      ? "⚠ not in DEPLOY_ENV or env-from here: the deploy fails unless the environment's DEPLOY_ENV sets it"
      : `⛔ refused — ${html(refused.why)}`;
  };
  summary.addTable([
    [
      { data: "Variable", header: true },
      { data: "", header: true },
    ],
    ...[...new Set(references)].sort().map((name) => [code(name), why(name)]),
  ]);
}

function code(s: string): string {
  return `<code>${html(s)}</code>`;
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
