/**
 * The release's `uses:` rewrite: pinUses on a table of workflow lines, then the whole release
 * commit (scripts/release-commit.sh) on a real git repository holding a copy of
 * .github/workflows — the pins, the two commits, and actionlint on the result.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pinUses } from "../../scripts/pin-workflows";
import { tempDir } from "../support/helpers";

const root = join(__dirname, "../..");
const SHA = "0123456789abcdef0123456789abcdef01234567";
const repo = "powertrain/powertrain";

describe("pinUses", () => {
  const cases: [string, string, string][] = [
    [
      "an action step",
      "      - uses: powertrain/powertrain/actions/build@v1",
      `      - uses: powertrain/powertrain/actions/build@${SHA} # v1.2.3`,
    ],
    [
      "a keyed step",
      "        uses: powertrain/powertrain/actions/ssh-deploy@v1",
      `        uses: powertrain/powertrain/actions/ssh-deploy@${SHA} # v1.2.3`,
    ],
    [
      "a reusable workflow job",
      "    uses: powertrain/powertrain/.github/workflows/promote.yml@v1",
      `    uses: powertrain/powertrain/.github/workflows/promote.yml@${SHA} # v1.2.3`,
    ],
    [
      "a quoted value",
      `      - uses: "powertrain/powertrain/actions/publish@v1"`,
      `      - uses: "powertrain/powertrain/actions/publish@${SHA}" # v1.2.3`,
    ],
    [
      "an old pin and its comment",
      `      - uses: powertrain/powertrain/actions/build@${"f".repeat(40)} # v1.0.0`,
      `      - uses: powertrain/powertrain/actions/build@${SHA} # v1.2.3`,
    ],
    [
      "another case of the owner",
      "      - uses: PowerTrain/powertrain/actions/build@main",
      `      - uses: PowerTrain/powertrain/actions/build@${SHA} # v1.2.3`,
    ],
    ["another repository's action", "      - uses: actions/checkout@v7", "      - uses: actions/checkout@v7"],
    [
      "a look-alike repository",
      "      - uses: powertrain/powertrain-fork/actions/build@v1",
      "      - uses: powertrain/powertrain-fork/actions/build@v1",
    ],
    [
      "a comment",
      "#       uses: powertrain/powertrain/.github/workflows/pipeline.yml@v1",
      "#       uses: powertrain/powertrain/.github/workflows/pipeline.yml@v1",
    ],
    [
      "a run line naming it",
      "        run: echo uses: powertrain/powertrain/actions/build@v1",
      "        run: echo uses: powertrain/powertrain/actions/build@v1",
    ],
  ];
  test.each(cases)("%s", (_what, line, want) => {
    expect(pinUses(line, { repo, sha: SHA, comment: "v1.2.3" }).text).toBe(want);
  });

  test("--kind picks actions or reusable workflows alone", () => {
    const text = [
      "    uses: powertrain/powertrain/.github/workflows/promote.yml@v1",
      "      - uses: powertrain/powertrain/actions/ssh-deploy@v1",
    ].join("\n");
    const actions = pinUses(text, { repo, sha: SHA, kind: "actions" });
    expect(actions.pins.map((p) => p.line)).toEqual([2]);
    expect(actions.text.split("\n")[0]).toMatch(/@v1$/);
    const workflows = pinUses(text, { repo, sha: SHA, kind: "workflows" });
    expect(workflows.pins.map((p) => p.line)).toEqual([1]);
    expect(workflows.text.split("\n")[1]).toMatch(/@v1$/);
  });

  test("refuses a short SHA and a malformed repository", () => {
    expect(() => pinUses("", { repo, sha: "0123456" })).toThrow("not a full commit SHA");
    expect(() => pinUses("", { repo: "no-slash", sha: SHA })).toThrow("not an owner/name repository");
  });
});

describe("scripts/release-commit.sh on a copy of .github/workflows", () => {
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: "release test",
    GIT_AUTHOR_EMAIL: "release@example.com",
    GIT_COMMITTER_NAME: "release test",
    GIT_COMMITTER_EMAIL: "release@example.com",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
  let dir: string;
  const git = (...args: string[]) => {
    const r = spawnSync("git", args, { cwd: dir, env: gitEnv, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const show = (rev: string, file: string) => git("show", `${rev}:.github/workflows/${file}`);
  const usesOf = (text: string) =>
    text.split("\n").filter((l) => /^\s*(-\s+)?uses:\s+powertrain\/powertrain\//.test(l));

  beforeEach(() => {
    dir = tempDir("powertrain-release-");
    git("init", "--quiet", "--initial-branch=main");
    mkdirSync(join(dir, ".github"));
    cpSync(join(root, ".github/workflows"), join(dir, ".github/workflows"), { recursive: true });
    writeFileSync(join(dir, "README.md"), "source\n");
    git("add", ".");
    git("commit", "--quiet", "-m", "source");
  });

  function release(version: string) {
    return spawnSync(join(root, "scripts/release-commit.sh"), [version], {
      cwd: dir,
      env: gitEnv,
      encoding: "utf8",
    });
  }

  test("pins actions to the source commit, the called workflow to that pinned commit", () => {
    const source = git("rev-parse", "HEAD");
    const r = release("v1.2.3");
    expect(r.status).toBe(0);
    const head = r.stdout.trim();
    expect(head).toBe(git("rev-parse", "HEAD"));
    const actionsCommit = git("rev-parse", `${head}^`);
    expect(git("rev-parse", `${actionsCommit}^`)).toBe(source);
    // Only the workflows changed between the source and the release commit.
    expect(
      git("diff", "--name-only", source, head)
        .split("\n")
        .every((f) => f.startsWith(".github/workflows/")),
    ).toBe(true);

    // In the release commit no uses: of this repository is left on a moving ref.
    for (const file of ["pipeline.yml", "promote.yml", "rollback.yml"]) {
      const uses = usesOf(show(head, file));
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses) expect(line).toMatch(/@[0-9a-f]{40} # v1\.2\.3$/);
    }
    for (const line of usesOf(show(head, "pipeline.yml"))) expect(line).toContain(`@${source}`);
    // rollback calls promote at the commit whose promote.yml has its actions pinned already.
    expect(show(head, "rollback.yml")).toContain(
      `powertrain/powertrain/.github/workflows/promote.yml@${actionsCommit} # v1.2.3`,
    );
    for (const line of usesOf(show(actionsCommit, "promote.yml"))) expect(line).toContain(`@${source}`);
    // The usage comment at the top of pipeline.yml still shows callers the @v1 form.
    expect(show(head, "pipeline.yml")).toMatch(
      /^#\s+uses: powertrain\/powertrain\/\.github\/workflows\/pipeline\.yml@v1$/m,
    );
  });

  test("the pinned workflows still pass actionlint", () => {
    expect(release("v1.2.3").status).toBe(0);
    const actionlint = join(root, ".tmp/bin/actionlint");
    if (!existsSync(actionlint)) throw new Error(`${actionlint} is missing: run ./scripts/setup`);
    const files = readdirSync(join(dir, ".github/workflows")).map((f) => `.github/workflows/${f}`);
    const lint = spawnSync(actionlint, ["-no-color", ...files], { cwd: dir, encoding: "utf8" });
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.status).toBe(0);
  });

  test("refuses a malformed version and a dirty work tree, committing nothing", () => {
    const before = git("rev-parse", "HEAD");
    const bad = release("1.2.3");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("usage:");
    writeFileSync(join(dir, "README.md"), "changed\n");
    const dirty = release("v1.2.3");
    expect(dirty.status).toBe(2);
    expect(dirty.stderr).toContain("uncommitted changes");
    expect(git("rev-parse", "HEAD")).toBe(before);
  });
});
