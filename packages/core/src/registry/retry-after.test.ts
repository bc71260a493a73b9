import { parseRetryAfter } from "./retry-after";

const now = Date.parse("2026-01-01T00:00:00Z");

test.each([
  [undefined, undefined],
  ["", undefined],
  ["0", 0],
  ["3", 3000],
  [" 120 ", 120_000],
  ["Thu, 01 Jan 2026 00:00:05 GMT", 5000],
  ["Wed, 31 Dec 2025 23:00:00 GMT", 0],
  ["soon", undefined],
  ["-1", undefined],
])("parseRetryAfter(%j) = %j", (value, expected) => {
  expect(parseRetryAfter(value, now)).toBe(expected);
});
