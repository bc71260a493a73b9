/** The job summary of extract-config: which image, which environment, what the deploy will need. */
import type * as actions from "@actions/core";
import type { ExtractConfigResult, FileTarget } from "@powertrain/core";

type Summary = typeof actions.summary;

export async function writeExtractSummary(
  summary: Summary,
  result: ExtractConfigResult,
  files: readonly FileTarget[],
): Promise<void> {
  const { config } = result;
  const code = (s: string) => `<code>${html(s)}</code>`;
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
  await summary.write();
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
