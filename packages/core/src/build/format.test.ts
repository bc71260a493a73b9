import { formatImageReport, formatMs, formatTestSummary, truncate } from "./format";
import { summarizeTests } from "./tests";

test("formatTestSummary shows counts, slowest and failures with their place", () => {
  const text = formatTestSummary(
    summarizeTests([
      { name: "fast", status: "passed", durationMs: 3 },
      { name: "slow", status: "passed", durationMs: 2500 },
      {
        name: "bad",
        status: "failed",
        durationMs: 9,
        failure: { message: "2 !== 3", details: "", location: { file: "t.js", line: 4 } },
      },
    ]),
  );
  expect(text).toBe(
    [
      "tests: 2 passed, 1 failed, 0 skipped (3 in 2.51 s)",
      "slowest:",
      "    2.50 s  slow",
      "      9 ms  bad",
      "      3 ms  fast",
      "✗ bad (t.js:4)",
      "    2 !== 3",
    ].join("\n"),
  );
});

test("formatImageReport lists layers largest first and says who the image runs as", () => {
  const text = formatImageReport(
    {
      image: "web:local",
      id: "sha256:0123456789abcdef",
      size: 5_000_000,
      user: "",
      runsAsRoot: true,
      layers: [
        { id: "a", instruction: "RUN big", size: 4_000_000, created: "" },
        { id: "b", instruction: "COPY small", size: 1_000, created: "" },
      ],
      emptyLayers: 2,
    },
    3_000_000,
    1,
  );
  expect(text).toBe(
    [
      "image web:local (0123456789ab): 5.00 MB of a 3.00 MB budget, runs as root",
      "layers, largest first:",
      "    4.00 MB  RUN big",
      "  … 1 smaller layers",
    ].join("\n"),
  );
});

test.each([
  [0, "0 ms"],
  [999, "999 ms"],
  [1500, "1.50 s"],
  [65_000, "65.0 s"],
])("formatMs(%d)", (ms, text) => {
  expect(formatMs(ms)).toBe(text);
});

test.each([
  ["short", 10, "short"],
  ["a\n  b", 10, "a b"],
  ["0123456789abc", 10, "012345678…"],
])("truncate(%j, %d)", (text, max, out) => {
  expect(truncate(text, max)).toBe(out);
});
