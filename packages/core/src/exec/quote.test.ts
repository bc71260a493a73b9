import { execFileSync } from "node:child_process";
import { shellCommand, shellQuote } from "./quote";

const hostile = [
  "",
  "plain",
  "with space",
  "it's",
  "'",
  "''",
  '"double"',
  "$(id)",
  "`id`",
  "${HOME}",
  "a;b",
  "a && b || c",
  "line1\nline2",
  "tab\there",
  "*",
  "~",
  "--flag=value",
  "back\\slash",
  "ünïcødé ✓",
  "#comment",
  "a|b>c<d",
  "!history",
  "\r\n",
];

describe("shellQuote", () => {
  test.each([
    ["simple", "simple"],
    ["a/b.c:d=e,f@g%h+i-j_k", "a/b.c:d=e,f@g%h+i-j_k"],
    ["", "''"],
    ["a b", "'a b'"],
    ["it's", "'it'\\''s'"],
    ["$x", "'$x'"],
  ])("%j → %s", (input, expected) => {
    expect(shellQuote(input)).toBe(expected);
  });

  test("refuses a NUL byte", () => {
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });

  test.each(hostile)("%j arrives literally through a real sh -c", (value) => {
    // printf %s prints each argument exactly once; a NUL separator keeps them apart.
    const line = shellCommand(["printf", "%s\\0", value, "after"]);
    const out = execFileSync("/bin/sh", ["-c", line]).toString("utf8");
    expect(out.split("\0")).toEqual([value, "after", ""]);
  });
});
