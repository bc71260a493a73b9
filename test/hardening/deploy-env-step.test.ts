/**
 * The "deploy-time variables" step of each reusable workflow, run with bash as a runner runs it:
 * DEPLOY_ENV lines become masked variables and their keys the `names` output (the allowlist
 * ssh-deploy's env-from takes); a malformed line fails the step without echoing its text.
 */
import { runStep, stepScript } from "./support/workflow-step";

const WORKFLOWS = [
  [".github/workflows/pipeline.yml", "deploy"],
  [".github/workflows/promote.yml", "deploy"],
  [".github/workflows/rollback.yml", "to-previous"],
] as const;

describe.each(WORKFLOWS)("%s", (workflow, job) => {
  const script = stepScript(workflow, job, "deploy-env");

  test("the keys of DEPLOY_ENV are the names output; values are masked and exported", async () => {
    const r = await runStep(script, {
      DEPLOY_ENV: "API_TOKEN=s3cr3t\n# a comment\n\nDB_URL=postgres://u:p@db/x=1\nEMPTY=",
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.names).toBe("API_TOKEN DB_URL EMPTY");
    expect(r.stdout).toContain("::add-mask::s3cr3t");
    expect(r.envFile).toBe("API_TOKEN=s3cr3t\nDB_URL=postgres://u:p@db/x=1\nEMPTY=\n");
  });

  test("no DEPLOY_ENV: no names", async () => {
    const r = await runStep(script, { DEPLOY_ENV: "" });
    expect({ code: r.exitCode, names: r.outputs.names }).toEqual({ code: 0, names: "" });
  });

  test("a line that is not KEY=value fails without printing it", async () => {
    const r = await runStep(script, { DEPLOY_ENV: "A=1\nghp_pastedTokenWithoutKey" });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain("::error::deploy-env: expected KEY=value lines, line 2 is not one");
    expect(r.stdout + r.stderr).not.toContain("ghp_pastedTokenWithoutKey");
  });
});
