/**
 * The image report: total size, every layer with the instruction that made
 * it (largest first), who the image runs as, and the checks the config asks
 * for — root user (allow / warn / error) and the size budget.
 */
import type { Layer } from "../docker/history";
import { type ImageInfo, runsAsRoot } from "../docker/inspect";

export interface ImageReport {
  image: string;
  id: string;
  /** Bytes. */
  size: number;
  user: string;
  runsAsRoot: boolean;
  /** Layers that add bytes, largest first. */
  layers: Layer[];
  /** Layers that add nothing (metadata steps). */
  emptyLayers: number;
}

export interface ImageChecks {
  warnings: string[];
  errors: string[];
}

export function imageReport(image: string, info: ImageInfo, history: readonly Layer[]): ImageReport {
  const layers = history.filter((l) => l.size > 0).sort((a, b) => b.size - a.size);
  return {
    image,
    id: info.id,
    size: info.size,
    user: info.user,
    runsAsRoot: runsAsRoot(info.user),
    layers,
    emptyLayers: history.length - layers.length,
  };
}

export function checkImage(
  report: ImageReport,
  settings: { root?: "allow" | "warn" | "error"; budget?: number },
): ImageChecks {
  const checks: ImageChecks = { warnings: [], errors: [] };
  if (report.runsAsRoot && settings.root !== "allow") {
    const who = report.user ? `user "${report.user}"` : "root (no USER instruction)";
    const message = `image ${report.image} runs as ${who}; add a USER instruction, or set build.root: allow`;
    (settings.root === "error" ? checks.errors : checks.warnings).push(message);
  }
  if (settings.budget !== undefined && report.size > settings.budget) {
    const over = report.size - settings.budget;
    const pct = settings.budget > 0 ? ` (${((over / settings.budget) * 100).toFixed(1)}%)` : "";
    checks.errors.push(
      `image ${report.image} is ${formatBytes(report.size)}, over its size budget of ${formatBytes(settings.budget)} by ${formatBytes(over)}${pct}`,
    );
  }
  return checks;
}

/** Bytes for people: decimal units like `docker images` shows them. */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
