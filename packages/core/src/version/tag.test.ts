import { isValidTag, sanitizeTag } from "./tag";

describe("sanitizeTag", () => {
  test.each([
    ["412-3f2a9c1", "412-3f2a9c1"],
    ["latest", "latest"],
    ["feature/login", "feature-login"],
    ["feature//double", "feature-double"],
    ["Ärger über Öl", "Arger-uber-Ol"],
    ["café", "cafe"],
    ["日本語", "_"],
    ["emoji 🚀 rocket", "emoji-rocket"],
    ["", "_"],
    ["   ", "_"],
    ["-leading-dash", "leading-dash"],
    [".hidden", "hidden"],
    ["trailing.", "trailing"],
    ["_underscore_ok", "_underscore_ok"],
    ["$(rm -rf /)", "rm-rf"],
    ["a;b&&c|d", "a-b-c-d"],
    ["line1\nline2", "line1-line2"],
    ["refs/heads/main", "refs-heads-main"],
    ["v1.2.3+build.7", "v1.2.3-build.7"],
    ["dependabot/npm_and_yarn/lodash-4.17.21", "dependabot-npm_and_yarn-lodash-4.17.21"],
  ])("%j → %j", (input, expected) => {
    expect(sanitizeTag(input)).toBe(expected);
    expect(isValidTag(sanitizeTag(input))).toBe(true);
  });

  test.each([
    ["long ascii", "a".repeat(300), 128],
    ["long with separators", "ab/".repeat(100), 128],
    ["long cut before a dash", `${"x".repeat(127)}/y`, 127],
  ])("%s is cut to at most 128 characters", (_name, input, length) => {
    const tag = sanitizeTag(input);
    expect(tag.length).toBe(length);
    expect(isValidTag(tag)).toBe(true);
  });

  test.each([["x".repeat(128)], ["1"], ["_"], ["A.b-c_d"]])("%j is already valid and unchanged", (tag) => {
    expect(isValidTag(tag)).toBe(true);
    expect(sanitizeTag(tag)).toBe(tag);
  });

  test.each([["x".repeat(129)], [""], ["-a"], [".a"], ["a/b"], ["a b"], ["ä"]])("%j is invalid", (tag) => {
    expect(isValidTag(tag)).toBe(false);
  });
});
