import { UsageError } from "../errors";
import { renderTemplate, resolveTags, type TemplateValues } from "./template";

const values: TemplateValues = {
  buildNumber: 412,
  sha: "3f2a9c1d0e4b5a6978812345678901234567890a",
  branch: "feature/Login Page",
  semver: "1.2.3",
  date: new Date(Date.UTC(2026, 0, 5, 23, 59)),
};

describe("renderTemplate", () => {
  test.each([
    ["{build}-{sha:7}", "412-3f2a9c1"],
    ["{sha}", values.sha],
    ["{sha:12}", "3f2a9c1d0e4b"],
    ["{branch}-{build}", "feature-Login-Page-412"],
    ["v{semver}", "v1.2.3"],
    ["{date}.{build}", "20260105.412"],
    ["{ build }", "412"],
    ["static", "static"],
  ])("%s → %s", (template, expected) => {
    expect(renderTemplate(template, values)).toBe(expected);
  });

  test.each([
    ["{nope}", /unknown placeholder \{nope\}/],
    ["{build:3}", /unknown placeholder \{build:3\}/],
    ["{sha:x}", /\{sha:x\} needs a length/],
    ["{sha:0}", /\{sha:0\} needs a length/],
    ["{}", /unknown placeholder \{\}/],
  ])("%s is a clear error", (template, message) => {
    expect(() => renderTemplate(template, values)).toThrow(UsageError);
    expect(() => renderTemplate(template, values)).toThrow(message);
  });

  test.each([
    ["{semver}", { ...values, semver: undefined }, /needs a version tag such as v1.2.3/],
    ["{branch}", { ...values, branch: undefined }, /needs a branch name/],
    ["{sha:7}", { ...values, sha: undefined }, /needs a commit sha/],
  ])("%s without the value is a clear error", (template, v, message) => {
    expect(() => renderTemplate(template, v)).toThrow(message);
  });
});

describe("resolveTags", () => {
  test.each([
    ["default template", {}, "412-3f2a9c1", ["412-3f2a9c1"]],
    ["override wins", { override: "hotfix 1", template: "{build}" }, "hotfix-1", ["hotfix-1"]],
    ["blank override ignored", { override: "  ", template: "{build}" }, "412", ["412"]],
    ["template", { template: "{semver}-{build}" }, "1.2.3-412", ["1.2.3-412"]],
    [
      "extra tags with branches",
      {
        extra: [
          "{branch}",
          { tag: "latest", branches: ["main"] },
          { tag: "feature", branches: ["feature/Login Page"] },
        ],
      },
      "412-3f2a9c1",
      ["412-3f2a9c1", "feature-Login-Page", "feature"],
    ],
    ["duplicates dropped", { extra: ["412-3f2a9c1", "x", "x"] }, "412-3f2a9c1", ["412-3f2a9c1", "x"]],
  ])("%s", (_name, options, version, tags) => {
    expect(resolveTags({ values, ...options })).toEqual({ version, tags });
  });

  test("a branch-only tag is skipped without a branch", () => {
    const r = resolveTags({
      values: { ...values, branch: undefined },
      extra: [{ tag: "latest", branches: ["main"] }],
    });
    expect(r.tags).toEqual(["412-3f2a9c1"]);
  });
});

describe("pull-request builds", () => {
  // A fork's PR whose head branch is named main: nothing gated on main may come out of it.
  const pr: TemplateValues = { ...values, branch: "main", pullRequest: 17 };
  const gated = [
    { tag: "latest", branches: ["main"] },
    { tag: "stable", branches: ["main", "release"] },
  ];

  test.each([
    ["default template", {}, "pr-17-412-3f2a9c1", ["pr-17-412-3f2a9c1"]],
    ["branch-gated extras are left out", { extra: gated }, "pr-17-412-3f2a9c1", ["pr-17-412-3f2a9c1"]],
    [
      "ungated extras (and publish's extra tags) are prefixed too",
      { extra: ["{branch}", `commit-${values.sha}`] },
      "pr-17-412-3f2a9c1",
      ["pr-17-412-3f2a9c1", "pr-17-main", `pr-17-commit-${values.sha}`],
    ],
    ["an override is prefixed", { override: "1.0.0" }, "pr-17-1.0.0", ["pr-17-1.0.0"]],
    ["a prefix already there is kept once", { override: "pr-17-x" }, "pr-17-x", ["pr-17-x"]],
    ["an unknown PR number", { values: { ...pr, pullRequest: 0 } }, "pr-0-412-3f2a9c1", ["pr-0-412-3f2a9c1"]],
  ])("%s", (_name, options, version, tags) => {
    expect(resolveTags({ values: pr, ...options })).toEqual({ version, tags });
  });

  test("the same config on a push to main still gets its gated tags", () => {
    expect(resolveTags({ values: { ...values, branch: "main" }, extra: gated }).tags).toEqual([
      "412-3f2a9c1",
      "latest",
      "stable",
    ]);
  });

  test("renderTemplate (the image's version label) carries the prefix", () => {
    expect(renderTemplate("{build}-{sha:7}", pr)).toBe("pr-17-412-3f2a9c1");
  });
});
