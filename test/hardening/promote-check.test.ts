/**
 * promote.yml refuses an image whose commit (its org.opencontainers.image.revision label, the
 * extract-config `revision` output) is not on the default branch: the step's own bash runs
 * against real git repositories — a plain one (the default branch local) and a clone as
 * actions/checkout leaves it (branches as origin/<name>) — and allow-unmerged skips it.
 */
import { exec } from "../../packages/core/src/exec/exec";
import { tempDir } from "../support/helpers";
import { readWorkflow, runStep, stepScript } from "./support/workflow-step";

const WORKFLOW = ".github/workflows/promote.yml";
const script = stepScript(WORKFLOW, "resolve", "on-default-branch");
const IMAGE = "127.0.0.1:5000/team/app@sha256:" + "1".repeat(64);

async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await exec(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main", ...args],
    { cwd },
  );
  return r.stdout.trim();
}

async function commit(cwd: string, message: string): Promise<string> {
  await git(cwd, "commit", "-q", "--allow-empty", "-m", message);
  return git(cwd, "rev-parse", "HEAD");
}

let repo: string;
let clone: string;
let onMain: string;
let onPr: string;

beforeAll(async () => {
  repo = tempDir("pt-promote-check-");
  await git(repo, "init", "-q", "-b", "main");
  await commit(repo, "one");
  onMain = await commit(repo, "two");
  await git(repo, "checkout", "-q", "-b", "pr-branch");
  onPr = await commit(repo, "a pull request's commit");
  await git(repo, "checkout", "-q", "main");
  // As actions/checkout with fetch-depth 0 leaves it for a dispatch on another branch.
  clone = tempDir("pt-promote-check-clone-");
  await git(clone, "clone", "-q", "--no-checkout", repo, ".");
  await git(clone, "checkout", "-q", "-b", "release", onPr);
  await git(clone, "branch", "-q", "-D", "main");
});

function check(cwd: string, revision: string, defaultBranch = "main") {
  return runStep(script, { REVISION: revision, IMAGE, DEFAULT_BRANCH: defaultBranch }, cwd);
}

describe.each([
  ["a plain repository", () => repo],
  ["an actions/checkout clone", () => clone],
])("in %s", (_name, dir) => {
  test("a commit on the default branch passes", async () => {
    const r = await check(dir(), onMain);
    expect({ code: r.exitCode, out: r.stdout.trim() }).toEqual({
      code: 0,
      out: `commit ${onMain} is on main`,
    });
  });

  test("a pull request's commit is refused, naming the opt-out", async () => {
    const r = await check(dir(), onPr);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `::error::${IMAGE} was built from commit ${onPr}, which is not on main (a pull request's or another branch's build); pass allow-unmerged to promote it anyway`,
    );
  });
});

test.each([
  ["no commit label", ""],
  ["a label that is no sha", "main"],
  ["an option-like label", "--all"],
])("%s is refused", async (_name, revision) => {
  const r = await check(repo, revision);
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain("has no commit label (org.opencontainers.image.revision)");
});

test("a commit the repository does not know is refused", async () => {
  const r = await check(repo, "ab".repeat(20));
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain("which is not on main");
});

test("a default branch the checkout lacks is an error, not a pass", async () => {
  const r = await check(repo, onMain, "trunk");
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain("the default branch trunk is not in the checkout");
});

test("the check runs unless allow-unmerged (false by default for both triggers) is true", () => {
  const wf = readWorkflow(WORKFLOW);
  for (const trigger of ["workflow_dispatch", "workflow_call"]) {
    expect(wf.on[trigger]?.inputs?.["allow-unmerged"]).toMatchObject({ type: "boolean", default: false });
  }
  const steps = wf.jobs.resolve!.steps;
  const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout@"));
  const gate = steps.find((s) => s.id === "on-default-branch");
  for (const step of [checkout, gate]) expect(step?.if).toBe("${{ inputs.allow-unmerged != true }}");
  expect(checkout?.with).toMatchObject({ "fetch-depth": 0, "persist-credentials": false });
  // Before anything is deployed: the gate is in the resolve job, which the deploy job needs.
  expect(gate?.env?.REVISION).toBe("${{ steps.config.outputs.revision }}");
});
