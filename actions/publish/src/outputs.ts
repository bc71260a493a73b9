/** The publish action's outputs and job summary, as pure functions of the result. */
import type { CiMetadata } from "@powertrain/core";
import { humanSize, type PublishResult } from "@powertrain/core";

export interface PublishMetadata extends PublishResult {
  commit?: string;
  buildNumber: number;
  branch?: string;
  runUrl?: string;
}

export function publishMetadata(result: PublishResult, meta: CiMetadata): PublishMetadata {
  return {
    ...result,
    commit: meta.sha,
    buildNumber: meta.buildNumber,
    branch: meta.branch,
    runUrl: meta.runUrl,
  };
}

/** Every output of action.yml, as strings. */
export function publishOutputs(metadata: PublishMetadata): Record<string, string> {
  return {
    version: metadata.version,
    tags: metadata.tags.join("\n"),
    digest: metadata.digest,
    image: metadata.image,
    metadata: JSON.stringify(metadata),
  };
}

/** Rows of the job summary table: header first. */
export function summaryRows(metadata: PublishMetadata): string[][] {
  return [
    ["Published", ""],
    ["Image", metadata.image],
    ["Tags", metadata.tags.join(", ")],
    ["Digest", metadata.digest],
    ["Size", humanSize(metadata.size)],
    ["Commit", metadata.commit ?? "unknown"],
    ["Build", String(metadata.buildNumber)],
  ];
}
