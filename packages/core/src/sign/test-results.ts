/**
 * The test-result attestation: what the build's test stage proved about this
 * digest, as an in-toto predicate. Built from the JUnit summary (build/tests.ts)
 * and CI facts; checked by the `tests` requirement of a verify policy.
 */
import type { TestFailure, TestSummary } from "../build/tests";
import { UsageError } from "../errors";
import { POWERTRAIN_VERSION } from "../version/powertrain";
import { VerificationError } from "./errors";
import type { StoredAttestation } from "./verify";

export const TEST_RESULTS_PREDICATE = "https://powertrain.dev/attestations/test-results/v1";

/** Failures kept in the predicate: enough to see what broke, bounded in size. */
const MAX_FAILURES = 20;

export interface TestResultsPredicate {
  tests: { total: number; passed: number; failed: number; skipped: number; durationMs: number };
  failures: { name: string; message: string; file?: string; line?: number }[];
  /** JUnit report files read (relative to the reports directory). */
  reports: string[];
  /** The image id of the test stage the tests ran in. */
  testStage?: { imageId?: string };
  source?: { commit?: string };
  build?: { number?: number; runUrl?: string };
  powertrain: { version: string };
  createdAt: string;
}

export interface TestResultsFacts {
  summary: Pick<TestSummary, "total" | "passed" | "failed" | "skipped" | "durationMs"> & {
    failures?: Pick<TestFailure, "name" | "message" | "location">[];
    reports?: string[];
  };
  testStageImageId?: string;
  commit?: string;
  buildNumber?: number;
  runUrl?: string;
  /** For reproducible tests; default now. */
  now?: Date;
}

export function testResultsPredicate(facts: TestResultsFacts): TestResultsPredicate {
  const s = facts.summary;
  return {
    tests: {
      total: s.total,
      passed: s.passed,
      failed: s.failed,
      skipped: s.skipped,
      durationMs: s.durationMs,
    },
    failures: (s.failures ?? []).slice(0, MAX_FAILURES).map((f) => ({
      name: f.name,
      message: f.message.slice(0, 500),
      ...(f.location ? { file: f.location.file, line: f.location.line } : {}),
    })),
    reports: s.reports ?? [],
    ...(facts.testStageImageId ? { testStage: { imageId: facts.testStageImageId } } : {}),
    ...(facts.commit ? { source: { commit: facts.commit } } : {}),
    ...(facts.buildNumber !== undefined || facts.runUrl
      ? { build: { number: facts.buildNumber, runUrl: facts.runUrl } }
      : {}),
    powertrain: { version: POWERTRAIN_VERSION },
    createdAt: (facts.now ?? new Date()).toISOString(),
  };
}

/** The newest verified test-result predicate, or undefined. */
export function latestTestResults(
  attestations: readonly StoredAttestation[],
): TestResultsPredicate | undefined {
  return attestations
    .filter((a) => a.verified && a.statement.predicateType === TEST_RESULTS_PREDICATE)
    .map((a) => a.statement.predicate as TestResultsPredicate)
    .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)))[0];
}

/** "10 of 10 passed", "tests failed: 2 of 10". */
export function describeTests(p: TestResultsPredicate): string {
  const t = p.tests;
  if (t.failed > 0) return `tests failed: ${t.failed} of ${t.total}`;
  const skipped = t.skipped ? `, ${t.skipped} skipped` : "";
  return `tests ${t.passed}/${t.total} passed${skipped}`;
}

/** Throws unless a verified test-result attestation says every test passed (and some ran). */
export function requirePassedTests(
  where: string,
  attestations: readonly StoredAttestation[],
): TestResultsPredicate {
  const latest = latestTestResults(attestations);
  if (!latest) {
    const others = attestations.filter((a) => a.statement.predicateType === TEST_RESULTS_PREDICATE);
    const why = others[0]?.problem ? ` (one is stored, but ${others[0].problem})` : "";
    throw new VerificationError("no-test-attestation", `${where}: no test-result attestation${why}`, {
      hint: "publish with signing on (sign-key and attest: true) so the build's test results are attached",
    });
  }
  const t = latest.tests;
  if (t.failed > 0 || t.passed + t.failed > t.total || !Number.isFinite(t.total)) {
    const names = latest.failures.slice(0, 3).map((f) => f.name);
    const more = names.length ? ` (${names.join(", ")}${latest.failures.length > 3 ? ", …" : ""})` : "";
    throw new VerificationError("tests-failed", `${where}: ${describeTests(latest)}${more}`);
  }
  if (t.total === 0 || t.passed === 0) {
    throw new VerificationError("tests-failed", `${where}: no test passed (${t.total} recorded)`);
  }
  return latest;
}

/**
 * What the build hands publish about its tests (the build action's
 * `test-report` output, `powertrain sign --attest-tests FILE`): counts,
 * failures, reports and the test stage image, as JSON.
 */
export interface TestReport {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  failures: { name: string; message: string; location?: { file: string; line?: number } }[];
  reports: string[];
  /** The test stage image (local reference) the tests ran in. */
  testImage?: string;
  /** Its image id, when known. */
  testImageId?: string;
}

export function testReportOf(summary: TestSummary, testImage?: string, testImageId?: string): TestReport {
  return {
    total: summary.total,
    passed: summary.passed,
    failed: summary.failed,
    skipped: summary.skipped,
    durationMs: summary.durationMs,
    failures: summary.failures.slice(0, MAX_FAILURES).map((f) => ({
      name: f.name,
      message: f.message.slice(0, 500),
      ...(f.location ? { location: { file: f.location.file, line: f.location.line } } : {}),
    })),
    reports: summary.reports,
    ...(testImage ? { testImage } : {}),
    ...(testImageId ? { testImageId } : {}),
  };
}

/** Parse a test report; `source` names it in errors (an input name, a file). */
export function parseTestReport(text: string, source: string): TestReport {
  let json: Partial<TestReport>;
  try {
    json = JSON.parse(text) as Partial<TestReport>;
  } catch {
    throw new UsageError(`${source}: not JSON (expected the build's test-report output)`);
  }
  const counts = ["total", "passed", "failed", "skipped"] as const;
  for (const k of counts) {
    if (!Number.isInteger(json[k]) || (json[k] as number) < 0) {
      throw new UsageError(`${source}: "${k}" must be a count (expected the build's test-report output)`);
    }
  }
  return {
    total: json.total!,
    passed: json.passed!,
    failed: json.failed!,
    skipped: json.skipped!,
    durationMs: Number(json.durationMs) || 0,
    failures: Array.isArray(json.failures) ? json.failures : [],
    reports: Array.isArray(json.reports) ? json.reports : [],
    ...(json.testImage ? { testImage: json.testImage } : {}),
    ...(json.testImageId ? { testImageId: json.testImageId } : {}),
  };
}
