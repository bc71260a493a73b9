/**
 * The shell of the workflow steps added for promotions, run with bash as a runner runs it: whether
 * the pipeline publishes, which image the environment runs now (from its GitHub deployments), and
 * the deployments promote and rollback record — against a stand-in `gh` that answers from JSON
 * files through the real jq, and records what it was asked.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readWorkflow, runStep, stepScript } from "../hardening/support/workflow-step";
import { tempDir } from "../support/helpers";

const PROMOTE = ".github/workflows/promote.yml";
const IMAGE1 = `127.0.0.1:5000/team/app@sha256:${"1".repeat(64)}`;
const IMAGE2 = `127.0.0.1:5000/team/app@sha256:${"2".repeat(64)}`;
const COMMIT = "c".repeat(40);

/** A directory with a fake `gh`: `api PATH` answers the file named after PATH, `--input -` is kept. */
function fakeGh(answers: Record<string, unknown>): { bin: string; dir: string; calls: () => string[] } {
  const dir = tempDir("pt-fake-gh-");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  for (const [path, body] of Object.entries(answers))
    writeFileSync(join(dir, path.replace(/[^A-Za-z0-9]/g, "_")), JSON.stringify(body));
  writeFileSync(
    join(bin, "gh"),
    `#!/bin/bash
dir=${JSON.stringify(dir)}
echo "$*" >>"$dir/calls"
path="" filter=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    api) ;;
    --jq) filter="$2"; shift ;;
    --input) cat >"$dir/input-$(ls "$dir" | grep -c '^input-')"; shift ;;
    -f|-F|-H) shift ;;
    *) [[ -z "$path" ]] && path="$1" ;;
  esac
  shift
done
file="$dir/$(printf '%s' "$path" | tr -c 'A-Za-z0-9' '_')"
[[ -f "$file" ]] || { echo "gh: HTTP 404: Not Found ($path)" >&2; exit 1; }
if [[ -n "$filter" ]]; then jq -r "$filter" "$file"; else cat "$file"; fi
`,
  );
  chmodSync(join(bin, "gh"), 0o755);
  const calls = () =>
    existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8").trim().split("\n") : [];
  return { bin, dir, calls };
}

const runner = (bin: string, env: Record<string, string>) => ({
  PATH: `${bin}:${process.env.PATH}`,
  GH_TOKEN: "t0ken",
  GITHUB_REPOSITORY: "acme/shop",
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_RUN_ID: "99",
  ...env,
});

describe("the deploy side's powertrain.yml off the default branch", () => {
  const step = (workflow: string, job: string) => {
    const found = readWorkflow(workflow).jobs[job]!.steps.find(
      (s) => s.name === "the deploy side's powertrain.yml, from the default branch",
    );
    if (!found?.run) throw new Error(`${workflow}: no API read of powertrain.yml in ${job}`);
    return found.run;
  };

  test.each([
    [PROMOTE, "deploy"],
    [".github/workflows/rollback.yml", "to-previous"],
    [".github/workflows/pipeline.yml", "deploy"],
  ])("%s: the file of the default branch, or none", async (workflow, job) => {
    const gh = fakeGh({ "repos/acme/shop/contents/deploy/powertrain.yml?ref=main": "name: shop" });
    const work = tempDir("pt-deploy-side-");
    const env = runner(gh.bin, { FILE: "deploy/powertrain.yml", BRANCH: "main" });
    const r = await runStep(step(workflow, job), env, work);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(work, ".powertrain-deploy-side/deploy/powertrain.yml"), "utf8")).toBe(
      '"name: shop"',
    );
    expect(gh.calls()[0]).toContain(
      "-H Accept: application/vnd.github.raw repos/acme/shop/contents/deploy/powertrain.yml?ref=main",
    );
    // Not on the default branch: nothing is left behind, so the image's own hosts are used.
    const none = await runStep(step(workflow, job), { ...env, FILE: "other.yml" }, work);
    expect(none.exitCode).toBe(0);
    expect(existsSync(join(work, ".powertrain-deploy-side/other.yml"))).toBe(false);
  });
});

describe("pipeline.yml: publish or not", () => {
  const script = stepScript(".github/workflows/pipeline.yml", "build", "publishing");
  test.each([
    ["on-push", "push", "true"],
    ["on-push", "workflow_dispatch", "true"],
    ["on-push", "pull_request", "false"],
    ["on-push", "pull_request_target", "false"],
    ["always", "pull_request", "true"],
    ["never", "push", "false"],
  ])("publish %s on %s → %s", async (publish, event, expected) => {
    const r = await runStep(script, { PUBLISH: publish, EVENT: event });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.publish).toBe(expected);
  });

  test("anything else is an error naming the choices", async () => {
    const r = await runStep(script, { PUBLISH: "sometimes", EVENT: "push" });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("::error::input publish: expected on-push, always or never, got 'sometimes'");
  });
});

describe("promote.yml: the image the environment runs now", () => {
  const script = stepScript(PROMOTE, "resolve", "current");
  const list = "repos/acme/shop/deployments?environment=prod&per_page=30";
  const deployment = (id: number, image: unknown) => ({ id, payload: { image, version: `v${id}` } });

  test("the newest deployment whose last status is success", async () => {
    const gh = fakeGh({
      // Newest first, as GitHub lists them: 3 failed, 2 is the one running, 1 is older; 9 is not ours.
      [list]: [{ id: 9, payload: "" }, deployment(3, IMAGE2), deployment(2, IMAGE1), deployment(1, IMAGE2)],
      "repos/acme/shop/deployments/3/statuses?per_page=1": [{ state: "failure" }],
      "repos/acme/shop/deployments/2/statuses?per_page=1": [{ state: "success" }],
      "repos/acme/shop/deployments/2": deployment(2, IMAGE1),
    });
    const r = await runStep(script, runner(gh.bin, { ENVIRONMENT: "prod" }));
    expect(r.exitCode).toBe(0);
    expect(r.outputs.image).toBe(IMAGE1);
    expect(gh.calls().some((c) => c.includes("deployments/1/"))).toBe(false);
  });

  test("nothing deployed yet: none", async () => {
    const gh = fakeGh({ [list]: [] });
    const r = await runStep(script, runner(gh.bin, { ENVIRONMENT: "prod" }));
    expect(r.outputs.image).toBe("none");
  });

  test("a payload that is not a pinned image is not used", async () => {
    const gh = fakeGh({
      [list]: [deployment(4, "evil; rm -rf /")],
      "repos/acme/shop/deployments/4/statuses?per_page=1": [{ state: "success" }],
      "repos/acme/shop/deployments/4": deployment(4, "evil; rm -rf /"),
    });
    const r = await runStep(script, runner(gh.bin, { ENVIRONMENT: "prod" }));
    expect(r.exitCode).toBe(0);
    expect(r.outputs.image).toBeUndefined();
    expect(r.stdout).toContain("::warning::the last deployment of prod names no pinned image");
  });

  test("no permission to read deployments: a warning, no comparison, the promotion goes on", async () => {
    const gh = fakeGh({});
    const r = await runStep(script, runner(gh.bin, { ENVIRONMENT: "prod" }));
    expect(r.exitCode).toBe(0);
    expect(r.outputs.image).toBeUndefined();
    expect(r.stdout).toContain("grant deployments: read");
  });

  test("without gh or a token (act, a bare runner): a notice", async () => {
    const r = await runStep(script, { ENVIRONMENT: "prod", GH_TOKEN: "", PATH: "/usr/bin:/bin" });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("::notice::no GitHub API here");
  });
});

describe("the deployments promote and rollback record", () => {
  test("promote: a deployment of the image's commit with the image as payload, then in progress", async () => {
    const gh = fakeGh({
      "repos/acme/shop/deployments": { id: 17 },
      "repos/acme/shop/deployments/17/statuses": {},
    });
    const script = stepScript(PROMOTE, "deploy", "deployment");
    const env = { REVISION: COMMIT, IMAGE: IMAGE2, VERSION: "42-ccccccc", ENVIRONMENT: "prod" };
    const r = await runStep(script, runner(gh.bin, env));
    expect(r.exitCode).toBe(0);
    expect(r.outputs.id).toBe("17");
    expect(JSON.parse(readFileSync(join(gh.dir, "input-0"), "utf8"))).toEqual({
      ref: COMMIT,
      environment: "prod",
      auto_merge: false,
      required_contexts: [],
      description: "powertrain 42-ccccccc",
      payload: { image: IMAGE2, version: "42-ccccccc" },
    });
    expect(gh.calls()[1]).toMatch(/^api repos\/acme\/shop\/deployments\/17\/statuses -f state=in_progress/);
  });

  test("promote: an image without a commit label records nothing", async () => {
    const gh = fakeGh({});
    const script = stepScript(PROMOTE, "deploy", "deployment");
    const r = await runStep(
      script,
      runner(gh.bin, { REVISION: "", IMAGE: IMAGE2, VERSION: "1", ENVIRONMENT: "prod" }),
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("has no commit label: no deployment recorded");
    expect(gh.calls()).toEqual([]);
  });

  test("promote: without deployments write, a warning; the deploy is not failed for it", async () => {
    const gh = fakeGh({});
    const script = stepScript(PROMOTE, "deploy", "deployment");
    const r = await runStep(
      script,
      runner(gh.bin, { REVISION: COMMIT, IMAGE: IMAGE2, VERSION: "1", ENVIRONMENT: "prod" }),
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("::warning::could not record a deployment");
    expect(r.outputs.id).toBeUndefined();
  });

  test("rollback: the commit and image the hosts report, with the environment's url", async () => {
    const gh = fakeGh({
      "repos/acme/shop/deployments": { id: 5 },
      "repos/acme/shop/deployments/5/statuses": {},
    });
    const script = stepScript(".github/workflows/rollback.yml", "to-previous", "record-deployment");
    const deployed = JSON.stringify([
      {
        host: "h1",
        container: "c1",
        port: 8100,
        version: "41-ccccccc",
        digest: "sha256:1",
        image: IMAGE1,
        commit: COMMIT,
      },
    ]);
    const r = await runStep(
      script,
      runner(gh.bin, { DEPLOYED: deployed, URL: "http://h1:8100/", ENVIRONMENT: "dev" }),
    );
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(gh.dir, "input-0"), "utf8"))).toMatchObject({
      ref: COMMIT,
      environment: "dev",
      payload: { image: IMAGE1, version: "41-ccccccc" },
    });
    expect(gh.calls()[1]).toContain("-f state=success -f environment_url=http://h1:8100/");
  });
});
