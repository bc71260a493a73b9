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

/** One step of a BuildKit build as `--progress=plain` prints it. */
export interface BuildKitStep {
  /** `[build 4/6] RUN …` */
  name: string;
  cached: boolean;
}

/**
 * The builds in a buildx log (each starts with "#0 building with …"), each as its Dockerfile
 * steps in order, with whether they came from the cache.
 */
export function buildKitBuilds(lines: readonly string[]): BuildKitStep[][] {
  const builds: Map<string, BuildKitStep>[] = [];
  for (const line of lines) {
    // Not "#1 [internal] load build definition": it races the .dockerignore for #1 on old BuildKit.
    if (/^#0 building with /.test(line)) builds.push(new Map());
    const current = builds[builds.length - 1];
    if (!current) continue;
    const step = /^#(\d+) (\[[\w-]+ \d+\/\d+\] .*)$/.exec(line);
    // A step's header comes again before each later burst of its progress (pulling the cached layer).
    if (step && !current.has(step[1]!)) current.set(step[1]!, { name: step[2]!, cached: false });
    const cached = /^#(\d+) CACHED$/.exec(line);
    const known = cached && current.get(cached[1]!);
    if (known) known.cached = true;
  }
  return builds.map((b) => [...b.values()]);
}
