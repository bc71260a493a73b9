/**
 * Running the unit tests inside the Dockerfile, and getting their reports out
 * even when they fail.
 *
 * The convention. A failed RUN leaves no image to copy reports from, and
 * BuildKit skips stages the final target does not need — so the test stage
 * must *not* fail. Its RUN records the test command's exit status instead:
 *
 *     FROM build AS test
 *     RUN mkdir -p /reports && \
 *         (node --test --test-reporter=junit --test-reporter-destination=/reports/junit.xml \
 *            > /reports/output.txt 2>&1; echo $? > /reports/status)
 *
 * powertrain builds that stage on its own (`--target test`), copies the
 * reports directory out of the resulting image through a container that is
 * created but never started (`docker create` / `docker cp` / `docker rm`),
 * reads every *.xml in it as JUnit, and then fails with the recorded status.
 * `<reports>/output.txt`, when present, is the log whose tail becomes the
 * error when there are no XML reports. A stage that ignores the convention
 * and lets its RUN fail still works: the build fails with the log's tail.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { copyFromContainer, createContainer, removeContainer } from "../docker/container";
import type { Logger } from "../log";
import { BuildError } from "./errors";
import { parseJUnit } from "./junit";
import { locateSource, summarizeTests, type TestSummary } from "./tests";

export const DEFAULT_REPORTS_DIR = "/reports";
export const STATUS_FILE = "status";
export const OUTPUT_FILE = "output.txt";

export interface TestStageOutcome {
  /** Recorded exit status of the test command; undefined when the stage did not record one. */
  status?: number;
  tests?: TestSummary;
  /** Tail of output.txt, when the stage wrote one. */
  outputTail?: string;
}

export interface CollectOptions {
  /** The built test-stage image. */
  image: string;
  /** Reports directory inside it. */
  reportsDir: string;
  /** Build context on this machine, to map failure paths back to repository files. */
  context: string;
  /** Directory annotation paths are relative to (the repository root, usually the cwd). */
  root: string;
  logger: Logger;
}

/** Copy the reports out of the test-stage image and read them. */
export async function collectTestReports(options: CollectOptions): Promise<TestStageOutcome> {
  const dir = await mkdtemp(join(tmpdir(), "powertrain-reports-"));
  try {
    const dest = join(dir, "reports");
    await mkdir(dest);
    const container = await createContainer(options.image, options.logger);
    let copied: boolean;
    try {
      copied = await copyFromContainer(
        container,
        `${options.reportsDir.replace(/\/+$/, "")}/.`,
        dest,
        options.logger,
      );
    } finally {
      await removeContainer(container, options.logger);
    }
    if (!copied) {
      options.logger.warn(`the test stage has no ${options.reportsDir} directory; no test reports to show`);
      return {};
    }
    return await readReports(dest, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Read status, output and JUnit files from a copied reports directory. */
export async function readReports(
  dir: string,
  options: Pick<CollectOptions, "context" | "root" | "logger">,
): Promise<TestStageOutcome> {
  const outcome: TestStageOutcome = {};
  const statusText = await readOptional(join(dir, STATUS_FILE));
  if (statusText !== undefined) {
    const status = Number(statusText.trim());
    if (Number.isInteger(status)) outcome.status = status;
    else
      options.logger.warn(
        `${STATUS_FILE} in the test reports holds "${statusText.trim()}", not an exit status`,
      );
  }
  const output = await readOptional(join(dir, OUTPUT_FILE));
  if (output !== undefined) outcome.outputTail = tail(output, 30);

  const files = (await readdir(dir, { recursive: true }))
    .map(String)
    .filter((f) => f.endsWith(".xml"))
    .sort();
  if (files.length === 0) return outcome;
  const cases = [];
  for (const file of files) cases.push(...parseJUnit(await readFile(join(dir, file), "utf8"), file));
  const tests = summarizeTests(cases, files);
  const contextFromRoot = relative(options.root, options.context) || ".";
  for (const failure of tests.failures) {
    if (!failure.location) continue;
    const file = locateSource(failure.location.file, contextFromRoot, (rel) =>
      existsSync(join(options.context, rel)),
    );
    if (file) failure.location = { ...failure.location, file };
  }
  outcome.tests = tests;
  return outcome;
}

/** Turn the outcome into an error when the tests failed; nothing when they passed. */
export function testStageFailure(outcome: TestStageOutcome, reportsDir: string): BuildError | undefined {
  const { status, tests } = outcome;
  const partial = { tests, testStatus: status };
  if (tests && tests.failed > 0) {
    const first = tests.failures
      .slice(0, 3)
      .map(
        (f) =>
          `  ✗ ${f.name}: ${f.message}${f.location ? ` (${f.location.file}:${f.location.line ?? "?"})` : ""}`,
      );
    const more = tests.failures.length > 3 ? [`  … and ${tests.failures.length - 3} more`] : [];
    return new BuildError(
      [`${tests.failed} of ${tests.total} tests failed`, ...first, ...more].join("\n"),
      partial,
    );
  }
  if (status !== undefined && status !== 0) {
    if (tests) {
      return new BuildError(
        `the tests exited with status ${status} although the reports show no failed test (${tests.passed} passed)` +
          (outcome.outputTail ? `; last lines of output:\n${outcome.outputTail}` : ""),
        partial,
      );
    }
    return new BuildError(
      outcome.outputTail
        ? `the tests failed (exit status ${status}); last lines of output:\n${outcome.outputTail}`
        : `the tests failed (exit status ${status}) and left no reports or output in ${reportsDir}`,
      partial,
    );
  }
  return undefined;
}

/** The last `n` non-empty lines. */
export function tail(text: string, n: number): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  return lines.slice(-n).join("\n");
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}
