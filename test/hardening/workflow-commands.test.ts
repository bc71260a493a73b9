/**
 * Streamed external output cannot issue workflow commands: a step under act (a real command
 * processor) streams output holding `::set-output …` through core's exec wrapper into the
 * actions' logger; the next step sees none of those outputs, while a command of our own issued
 * after the stream still works.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { ACT_BIN, assertActBuilt } from "../e2e/support/act";
import { tempDir } from "../support/helpers";

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, "../..");

test("set-output lines in streamed output set nothing; our own command after them does", async () => {
  assertActBuilt();
  const repo = tempDir("pt-hardening-commands-");
  mkdirSync(join(repo, ".github/workflows"), { recursive: true });
  const tsx = join(ROOT, "node_modules/.bin/tsx");
  const script = join(ROOT, "test/hardening/support/hostile-output.ts");
  writeFileSync(
    join(repo, ".github/workflows/w.yml"),
    [
      "on: push",
      "jobs:",
      "  j:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - id: stream",
      `        run: ${tsx} ${script}`,
      "      - run: |",
      '          echo "RESULT pwned=[${{ steps.stream.outputs.pwned }}] indented=[${{ steps.stream.outputs.indented }}] legacy=[${{ steps.stream.outputs.legacy }}] ours=[${{ steps.stream.outputs.ours }}]"',
      "",
    ].join("\n"),
  );
  await exec("git", ["init", "-q", "-b", "main"], { cwd: repo });
  await exec(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@x.invalid", "commit", "-q", "--allow-empty", "-m", "x"],
    {
      cwd: repo,
    },
  );
  const r = await exec(ACT_BIN, ["push", "--platform", "ubuntu-latest=-self-hosted"], {
    cwd: repo,
    allowFailure: true,
  });
  const output = r.stdout + r.stderr;
  const result = /RESULT pwned=\[.*?\] indented=\[.*?\] legacy=\[.*?\] ours=\[.*?\]/.exec(output)?.[0];
  expect({ code: r.exitCode, result }).toEqual({
    code: 0,
    result: "RESULT pwned=[] indented=[] legacy=[] ours=[still-works]",
  });
});
