import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ciMetadata, type GitRunner, semverFromTag } from "./ci";

const SHA = "1111111111111111111111111111111111111111";
const HEAD = "2222222222222222222222222222222222222222";

const fakeGit =
  (answers: Record<string, string>): GitRunner =>
  async (args) =>
    answers[args.join(" ")];

let dir: string;
let eventPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pt-version-"));
  eventPath = join(dir, "event.json");
  writeFileSync(eventPath, JSON.stringify({ pull_request: { head: { sha: HEAD } } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noGit = fakeGit({});

describe("ciMetadata", () => {
  test.each([
    [
      "GitHub push to a branch",
      {
        GITHUB_ACTIONS: "true",
        GITHUB_RUN_NUMBER: "412",
        GITHUB_SHA: SHA,
        GITHUB_REF_TYPE: "branch",
        GITHUB_REF_NAME: "main",
        GITHUB_EVENT_NAME: "push",
      },
      { ci: "github", buildNumber: 412, sha: SHA, branch: "main", tagRef: undefined, semver: undefined },
    ],
    [
      "GitHub tag",
      {
        GITHUB_ACTIONS: "true",
        GITHUB_RUN_NUMBER: "7",
        GITHUB_SHA: SHA,
        GITHUB_REF: "refs/tags/v1.2.3",
        GITHUB_REF_TYPE: "tag",
        GITHUB_REF_NAME: "v1.2.3",
      },
      { buildNumber: 7, branch: undefined, tagRef: "v1.2.3", semver: "1.2.3" },
    ],
    [
      "Jenkins",
      {
        JENKINS_URL: "http://ci",
        BUILD_NUMBER: "99",
        GIT_COMMIT: SHA,
        GIT_BRANCH: "origin/develop",
        BUILD_URL: "http://ci/job/1",
      },
      { ci: "jenkins", buildNumber: 99, sha: SHA, branch: "develop", runUrl: "http://ci/job/1" },
    ],
    [
      "Jenkins multibranch",
      { BUILD_NUMBER: "3", GIT_COMMIT: SHA, BRANCH_NAME: "feature/x", TAG_NAME: "v2.0.0" },
      { ci: "jenkins", buildNumber: 3, branch: "feature/x", semver: "2.0.0" },
    ],
    [
      "bad build number",
      { GITHUB_ACTIONS: "true", GITHUB_RUN_NUMBER: "abc", GITHUB_SHA: SHA },
      { buildNumber: 0 },
    ],
  ])("%s", async (_name, env, expected) => {
    expect(await ciMetadata(env, noGit)).toMatchObject(expected);
  });

  test("a pull request uses the PR head sha from the event payload, not the merge commit", async () => {
    const meta = await ciMetadata(
      {
        GITHUB_ACTIONS: "true",
        GITHUB_RUN_NUMBER: "5",
        GITHUB_SHA: SHA,
        GITHUB_EVENT_NAME: "pull_request_target",
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_HEAD_REF: "feature/y",
        GITHUB_REF: "refs/pull/9/merge",
        GITHUB_SERVER_URL: "https://github.example",
        GITHUB_REPOSITORY: "acme/app",
        GITHUB_RUN_ID: "123",
      },
      noGit,
    );
    expect(meta).toMatchObject({
      sha: HEAD,
      prHeadSha: HEAD,
      branch: "feature/y",
      pullRequest: 9,
      runUrl: "https://github.example/acme/app/actions/runs/123",
      repositoryUrl: "https://github.example/acme/app",
    });
  });

  test.each<[string, Record<string, string>, number | undefined]>([
    [
      "GitHub PR: number from the payload",
      { GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: "numbered" },
      31,
    ],
    [
      "GitHub PR: number from GITHUB_REF",
      { GITHUB_EVENT_NAME: "pull_request", GITHUB_REF: "refs/pull/8/merge" },
      8,
    ],
    ["GitHub PR without a number", { GITHUB_EVENT_NAME: "pull_request" }, 0],
    ["GitHub push to main", { GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/heads/main" }, undefined],
    ["Jenkins change request", { JENKINS_URL: "http://ci", CHANGE_ID: "12" }, 12],
    ["Jenkins branch build", { JENKINS_URL: "http://ci", BRANCH_NAME: "main" }, undefined],
  ])("pullRequest: %s", async (_name, env, expected) => {
    const numbered = join(dir, "numbered.json");
    writeFileSync(numbered, JSON.stringify({ pull_request: { number: 31, head: { sha: HEAD } } }));
    const github = env.GITHUB_EVENT_NAME ? { GITHUB_ACTIONS: "true", GITHUB_HEAD_REF: "main" } : {};
    const path = env.GITHUB_EVENT_PATH ? { GITHUB_EVENT_PATH: numbered } : {};
    const meta = await ciMetadata({ ...github, ...env, ...path }, noGit);
    expect(meta.pullRequest).toBe(expected);
  });

  test.each([
    ["on a branch", "main", "main"],
    ["detached HEAD", "HEAD", undefined],
  ])("locally from git, %s", async (_name, abbrev, branch) => {
    const git = fakeGit({ "rev-parse HEAD": SHA, "rev-parse --abbrev-ref HEAD": abbrev });
    expect(await ciMetadata({}, git)).toMatchObject({ ci: "local", buildNumber: 0, sha: SHA, branch });
  });
});

test.each([
  ["v1.2.3", "1.2.3"],
  ["1.2.3", "1.2.3"],
  ["v1.2.3-rc.1", "1.2.3-rc.1"],
  ["v1.2", undefined],
  ["release", undefined],
  [undefined, undefined],
])("semverFromTag(%j) = %j", (tag, expected) => {
  expect(semverFromTag(tag)).toBe(expected);
});
