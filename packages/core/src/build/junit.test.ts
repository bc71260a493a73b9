import { firstUserFrame, parseJUnit } from "./junit";

const nodeTestReport = `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testcase name="adds" time="0.001457" classname="test" failure="Expected values to be strictly equal:2 !== 3">
    <failure type="testCodeFailure" message="Expected values to be strictly equal:2 !== 3">
Error [ERR_TEST_FAILURE]: Expected values to be strictly equal:
    at AsyncResource.runInAsyncScope (node:async_hooks:206:9) {
  cause: AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
      at TestContext.&lt;anonymous> (/app/test/math.test.js:4:10)
      at Test.runInAsyncScope (node:async_hooks:206:9)
    </failure>
  </testcase>
  <testsuite name="server">
    <testcase name="answers 200" time="0.120" classname="test"/>
    <testcase name="later" time="0" classname="test"><skipped type="skipped" message="todo"/></testcase>
  </testsuite>
</testsuites>`;

const jestReport = `<testsuites name="jest tests">
  <testsuite name="math" file="src/math.test.ts" tests="2">
    <testcase classname="math adds" name="math adds" time="0.5"/>
    <testcase classname="math subtracts" name="math subtracts" time="0.25">
      <failure>Error: expect(received).toBe(expected)
    at Object.&lt;anonymous&gt; (/repo/src/math.test.ts:12:7)</failure>
    </testcase>
  </testsuite>
</testsuites>`;

const attrReport = `<testsuite name="pytest">
  <testcase classname="tests.test_api" name="test_get" file="tests/test_api.py" line="41" time="1.5">
    <error message="boom">Traceback…</error>
  </testcase>
</testsuite>`;

describe("parseJUnit", () => {
  test("node:test's reporter: nested suites, failure stack, skipped", () => {
    const cases = parseJUnit(nodeTestReport, "junit.xml");
    expect(cases.map((c) => [c.name, c.status, c.durationMs])).toEqual([
      ["adds", "failed", 1],
      ["answers 200", "passed", 120],
      ["later", "skipped", 0],
    ]);
    expect(cases[0]!.failure).toMatchObject({
      message: "Expected values to be strictly equal:2 !== 3",
      location: { file: "/app/test/math.test.js", line: 4, column: 10 },
    });
  });

  test("suite file attribute + line from the stack frame in that file", () => {
    const cases = parseJUnit(jestReport, "jest.xml");
    expect(cases[1]!.failure?.location).toEqual({ file: "src/math.test.ts", line: 12 });
    expect(cases[1]!.failure?.message).toBe("Error: expect(received).toBe(expected)");
  });

  test("file and line attributes on the test case; <error> counts as failed", () => {
    const [c] = parseJUnit(attrReport, "py.xml");
    expect(c).toMatchObject({ status: "failed", durationMs: 1500, failure: { message: "boom" } });
    expect(c!.failure?.location).toEqual({ file: "tests/test_api.py", line: 41 });
  });

  test.each([
    ["<html><body/></html>", /not a JUnit report/],
    ["<testsuites><testcase", /not valid JUnit XML|not a JUnit report/],
  ])("rejects %j", (xml, message) => {
    expect(() => parseJUnit(xml, "bad.xml")).toThrow(message);
  });

  test("an empty suite has no cases", () => {
    expect(parseJUnit('<testsuites name="x"></testsuites>', "e.xml")).toEqual([]);
  });
});

test.each([
  ["at Object.<anonymous> (/app/src/a.test.js:3:5)", { file: "/app/src/a.test.js", line: 3, column: 5 }],
  ["at node:internal/x:1:1\n    at /app/b.js:9:2", { file: "/app/b.js", line: 9, column: 2 }],
  [
    "at f (/app/node_modules/lib/x.js:1:1)\n at g (file:///app/c.mjs:7:3)",
    { file: "/app/c.mjs", line: 7, column: 3 },
  ],
  ["no stack at all", undefined],
])("firstUserFrame %#", (details, expected) => {
  expect(firstUserFrame(details)).toEqual(expected);
});
