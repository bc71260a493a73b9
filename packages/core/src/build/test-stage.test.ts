import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../log";
import { readReports, type TestStageOutcome, testStageFailure } from "./test-stage";
import { summarizeTests } from "./tests";

const passing = summarizeTests([{ name: "ok", status: "passed", durationMs: 1 }]);
const failing = summarizeTests([
  { name: "ok", status: "passed", durationMs: 1 },
  {
    name: "bad",
    status: "failed",
    durationMs: 1,
    failure: { message: "boom", details: "", location: { file: "t.js", line: 4 } },
  },
]);

test.each<[string, TestStageOutcome, RegExp | null]>([
  ["passed", { status: 0, tests: passing }, null],
  ["no convention, no reports", {}, null],
  [
    "failed tests name the failure and where",
    { status: 1, tests: failing },
    /1 of 2 tests failed\n {2}✗ bad: boom \(t\.js:4\)/,
  ],
  [
    "status without reports gives the output tail",
    { status: 3, outputTail: "npm ERR! missing script" },
    /exit status 3\); last lines of output:\nnpm ERR! missing script/,
  ],
  ["status with nothing at all", { status: 2 }, /exit status 2\) and left no reports or output in \/reports/],
  [
    "status but all tests passed",
    { status: 1, tests: passing },
    /exited with status 1 although the reports show no failed test/,
  ],
])("%s", (_name, outcome, expected) => {
  const err = testStageFailure(outcome, "/reports");
  if (expected === null) expect(err).toBeUndefined();
  else {
    expect(err?.message).toMatch(expected);
    expect(err?.partial.tests).toBe(outcome.tests);
  }
});

describe("readReports", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pt-build-unit-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test("reads status, output and every XML file, mapping failure paths to the repository", async () => {
    const reports = join(dir, "reports");
    const context = join(dir, "repo", "app");
    await mkdir(join(reports, "sub"), { recursive: true });
    await mkdir(join(context, "test"), { recursive: true });
    await writeFile(join(context, "test", "a.test.js"), "");
    await writeFile(join(reports, "status"), "1\n");
    await writeFile(join(reports, "output.txt"), "line1\nline2\n");
    await writeFile(
      join(reports, "junit.xml"),
      '<testsuites><testcase name="a" time="0.2"><failure message="m">at x (/app/test/a.test.js:7:3)</failure></testcase></testsuites>',
    );
    await writeFile(
      join(reports, "sub", "more.xml"),
      '<testsuite><testcase name="b" time="0.1"/></testsuite>',
    );
    const out = await readReports(reports, { context, root: join(dir, "repo"), logger: silentLogger });
    expect(out.status).toBe(1);
    expect(out.outputTail).toBe("line1\nline2");
    expect(out.tests).toMatchObject({ passed: 1, failed: 1, reports: ["junit.xml", "sub/more.xml"] });
    expect(out.tests?.failures[0]?.location).toEqual({ file: "app/test/a.test.js", line: 7, column: 3 });
  });
});
