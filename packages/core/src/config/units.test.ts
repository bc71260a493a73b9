import { parseDuration, parsePortRange, parseSize } from "./units";

describe("parseDuration", () => {
  test.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["1.5s", 1500],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["0s", 0],
    [10, 10_000],
    [0.25, 250],
  ])("%p → %p ms", (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  test.each([["10"], ["ten seconds"], ["5 m"], ["-1s"], ["1d"], [""], [-1], [Number.NaN]])(
    "%p is rejected",
    (input) => {
      expect(() => parseDuration(input)).toThrow(/duration/);
    },
  );
});

describe("parseSize", () => {
  test.each([
    ["512m", 512 * 1024 ** 2],
    ["512M", 512 * 1024 ** 2],
    ["512Mi", 512 * 1024 ** 2],
    ["1.5GiB", 1.5 * 1024 ** 3],
    ["150MB", 150_000_000],
    ["2kb", 2000],
    ["1k", 1024],
    ["1t", 1024 ** 4],
    ["100b", 100],
    ["100", 100],
    [4096, 4096],
  ])("%p → %p bytes", (input, expected) => {
    expect(parseSize(input)).toBe(expected);
  });

  test.each([
    ["big"],
    ["12 parsecs"],
    ["1.5.2m"],
    ["1x"],
    ["1i"],
    ["-5m"],
    [1.5],
    [-1],
    ["99999999999999999999t"],
  ])("%p is rejected", (input) => {
    expect(() => parseSize(input)).toThrow(/size|bytes/);
  });
});

describe("parsePortRange", () => {
  test.each([
    ["8080", { from: 8080, to: 8080 }],
    [8080, { from: 8080, to: 8080 }],
    ["8000-8099", { from: 8000, to: 8099 }],
    ["1-65535", { from: 1, to: 65535 }],
  ])("%p → %p", (input, expected) => {
    expect(parsePortRange(input)).toEqual(expected);
  });

  test.each([
    ["0", /out of range/],
    ["65536", /out of range/],
    ["8099-8000", /ends before it starts/],
    ["80-", /expected a port/],
    ["http", /expected a port/],
    ["123456", /expected a port/],
  ])("%p is rejected with %p", (input, message) => {
    expect(() => parsePortRange(input)).toThrow(message);
  });
});
