/** Test results summed up: counts, the slowest tests, every failure with where it happened. */
import type { TestCaseResult, TestLocation } from "./junit";

export interface TestFailure {
  name: string;
  classname?: string;
  message: string;
  details: string;
  /** Where the failure is in the repository (mapped from the test stage's paths when possible). */
  location?: TestLocation;
}

export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  durationMs: number;
  /** The slowest tests, slowest first. */
  slowest: { name: string; durationMs: number }[];
  failures: TestFailure[];
  /** Report files read, relative to the reports directory. */
  reports: string[];
}

export function summarizeTests(
  cases: readonly TestCaseResult[],
  reports: string[] = [],
  slowest = 5,
): TestSummary {
  const count = (s: string) => cases.filter((c) => c.status === s).length;
  return {
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    total: cases.length,
    durationMs: cases.reduce((sum, c) => sum + c.durationMs, 0),
    slowest: cases
      .filter((c) => c.status !== "skipped")
      .map((c) => ({ name: displayName(c), durationMs: c.durationMs }))
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, slowest),
    failures: cases.flatMap((c) =>
      c.failure
        ? [
            {
              name: displayName(c),
              classname: c.classname,
              message: c.failure.message,
              details: c.failure.details,
              location: c.failure.location,
            },
          ]
        : [],
    ),
    reports,
  };
}

function displayName(c: TestCaseResult): string {
  // node:test writes classname="test" for every case; only a real class name helps.
  return c.classname && c.classname !== "test" ? `${c.classname} › ${c.name}` : c.name;
}

/**
 * Map a path the test runner saw inside the image (`/app/test/a.test.js`) to
 * the repository file it came from: drop leading directories until what is
 * left exists under the build context. `exists` is injected to keep this pure.
 */
export function locateSource(
  path: string,
  context: string,
  exists: (relativeToContext: string) => boolean,
): string | undefined {
  const parts = path.replace(/\\/g, "/").split("/").filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const candidate = parts.slice(i).join("/");
    if (exists(candidate)) return context === "." || context === "" ? candidate : `${context}/${candidate}`;
  }
  return undefined;
}
