/** Shared by the build integration tests: fixture paths, a logger that keeps lines, clean-up. */
import { resolve } from "node:path";
import type { Logger } from "../../packages/core/src/log";
import { dockerRmi, uniqueName } from "../support/helpers";

export const REPO_ROOT = resolve(__dirname, "../..");

/** powertrain.yml of a fixture app, relative to the repository root (tests run there). */
export function fixtureConfig(app: "passing" | "failing" | "oversize" | "root"): string {
  return `test/fixtures/apps/${app}/powertrain.yml`;
}

/** A logger that records every line, for asserting on build output and warnings. */
export function recordingLogger(): Logger & { lines: string[]; warnings: string[]; errors: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    warnings,
    errors,
    debug: () => {},
    info: (m) => lines.push(m),
    warn: (m) => warnings.push(m),
    error: (m) => errors.push(m),
    group: (_name, fn) => fn(),
    mask: () => {},
  };
}

/** Image references unique to this run; `cleanup()` removes them and their test-stage tags. */
export function imageNames() {
  const made: string[] = [];
  return {
    next(prefix: string): string {
      const image = `${uniqueName(prefix)}:1`;
      made.push(image, `${image}-test`);
      return image;
    },
    cleanup: () => dockerRmi(made.splice(0)),
  };
}

/** Index of the first line matching `pattern` at or after `from`, or -1. */
export function lineIndex(lines: readonly string[], pattern: RegExp, from = 0): number {
  for (let i = from; i < lines.length; i++) if (pattern.test(lines[i]!)) return i;
  return -1;
}
