/**
 * The labels every built image carries: the OCI standard annotations, the
 * build's CI metadata, and powertrain.yml itself (as JSON) so the deploy side
 * can read the run configuration from the image alone, without the source.
 */
import { type PowertrainConfig, SCHEMA_VERSION } from "../config/schema";
import type { CiMetadata } from "../version/ci";
import { POWERTRAIN_VERSION } from "../version/powertrain";
import { DEFAULT_VERSION_TEMPLATE, renderTemplate } from "../version/template";

export const LABEL_CONFIG = "dev.powertrain.config";
export const LABEL_SCHEMA = "dev.powertrain.schema";
export const LABEL_BUILD_NUMBER = "dev.powertrain.build-number";

export interface LabelInput {
  config: PowertrainConfig;
  ci: CiMetadata;
  created: Date;
}

export function imageLabels({ config, ci, created }: LabelInput): Record<string, string> {
  const labels: Record<string, string | undefined> = {
    "org.opencontainers.image.created": created.toISOString(),
    "org.opencontainers.image.title": config.name,
    "org.opencontainers.image.revision": ci.sha,
    "org.opencontainers.image.source": ci.repositoryUrl,
    "org.opencontainers.image.url": ci.repositoryUrl,
    "org.opencontainers.image.version": imageVersion(config, ci),
    "dev.powertrain.version": POWERTRAIN_VERSION,
    "dev.powertrain.ci": ci.ci,
    [LABEL_BUILD_NUMBER]: ci.buildNumber > 0 ? String(ci.buildNumber) : undefined,
    "dev.powertrain.run-id": ci.runId,
    "dev.powertrain.run-url": ci.runUrl,
    "dev.powertrain.ref": ci.tagRef
      ? `refs/tags/${ci.tagRef}`
      : ci.branch
        ? `refs/heads/${ci.branch}`
        : undefined,
    "dev.powertrain.actor": ci.actor,
    [LABEL_SCHEMA]: String(config.schema ?? SCHEMA_VERSION),
    [LABEL_CONFIG]: JSON.stringify(config),
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (value) out[key] = value;
  return out;
}

/** The version tag the image will be published under, when this build has what the template needs. */
function imageVersion(config: PowertrainConfig, ci: CiMetadata): string | undefined {
  if (ci.semver) return ci.semver;
  try {
    return renderTemplate(config.tags?.version ?? DEFAULT_VERSION_TEMPLATE, ci);
  } catch {
    return undefined;
  }
}

/** The powertrain.yml baked into an image's labels, or undefined when the image has none. */
export function configFromLabels(labels: Record<string, string>): unknown {
  const raw = labels[LABEL_CONFIG];
  return raw === undefined ? undefined : JSON.parse(raw);
}
