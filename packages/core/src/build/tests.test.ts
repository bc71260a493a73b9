import type { TestCaseResult } from "./junit";
import { locateSource, summarizeTests } from "./tests";

const cases: TestCaseResult[] = [
  { name: "fast", classname: "test", status: "passed", durationMs: 2 },
  { name: "slow", classname: "Server", status: "passed", durationMs: 900 },
  { name: "skip", status: "skipped", durationMs: 0 },
  {
    name: "broken",
    status: "failed",
    durationMs: 40,
    failure: { message: "boom", details: "…", location: { file: "/app/t.js", line: 3 } },
  },
];

test("summarizeTests counts, ranks the slowest and lists failures", () => {
  const s = summarizeTests(cases, ["junit.xml"], 2);
  expect(s).toMatchObject({
    passed: 2,
    failed: 1,
    skipped: 1,
    total: 4,
    durationMs: 942,
    reports: ["junit.xml"],
  });
  expect(s.slowest).toEqual([
    { name: "Server › slow", durationMs: 900 },
    { name: "broken", durationMs: 40 },
  ]);
  expect(s.failures).toEqual([
    {
      name: "broken",
      classname: undefined,
      message: "boom",
      details: "…",
      location: { file: "/app/t.js", line: 3 },
    },
  ]);
});

describe("locateSource", () => {
  const files = new Set(["test/app.test.js", "src/server.js"]);
  const exists = (p: string) => files.has(p);
  test.each([
    ["/app/test/app.test.js", "apps/web", "apps/web/test/app.test.js"],
    ["/usr/src/app/src/server.js", ".", "src/server.js"],
    ["test/app.test.js", "", "test/app.test.js"],
    ["/app/missing.js", ".", undefined],
  ])("%s in %j → %j", (path, context, expected) => {
    expect(locateSource(path, context, exists)).toBe(expected);
  });
});
