import { ExecError, ExecTimeoutError, PowertrainError } from "../errors";
import { StreamLogger } from "../log";
import { exec, maskSecrets } from "./exec";

describe("exec", () => {
  test("captures stdout, stderr and the exit code", async () => {
    const r = await exec("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], { allowFailure: true });
    expect(r).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
  });

  test("throws an ExecError with the stderr tail on failure", async () => {
    const err = await exec("/bin/sh", ["-c", "echo broken >&2; exit 7"]).catch((e) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect(err.exitCode).toBe(7);
    expect(err.message).toMatch(/exited with code 7: broken/);
  });

  test("passes arguments without a shell", async () => {
    const r = await exec("printf", ["%s", "$(id) `id` ; rm -rf /"]);
    expect(r.stdout).toBe("$(id) `id` ; rm -rf /");
  });

  test("writes input to stdin", async () => {
    const r = await exec("cat", [], { input: "secret-on-stdin" });
    expect(r.stdout).toBe("secret-on-stdin");
  });

  test("masks secrets in results, errors and streamed lines", async () => {
    const lines: string[] = [];
    const logger = new StreamLogger({
      write: (s: string) => lines.push(s),
    } as unknown as NodeJS.WritableStream);
    const err = await exec("/bin/sh", ["-c", "echo token=hunter2; echo hunter2 >&2; exit 1"], {
      secrets: ["hunter2"],
      stream: true,
      logger,
    }).catch((e) => e);
    expect(err.message).not.toContain("hunter2");
    expect(lines.join("")).toContain("token=***");
    expect(lines.join("")).not.toContain("hunter2");
  });

  test("adds to the environment instead of replacing it", async () => {
    const r = await exec("/bin/sh", ["-c", 'echo "$PT_EXEC_TEST:$PATH"'], { env: { PT_EXEC_TEST: "x" } });
    expect(r.stdout.startsWith("x:")).toBe(true);
    expect(r.stdout.length).toBeGreaterThan(3);
  });

  test("a missing program is a clear error", async () => {
    const err = await exec("powertrain-no-such-program", []).catch((e) => e);
    expect(err).toBeInstanceOf(PowertrainError);
    expect(err.message).toMatch(/not installed or not on PATH/);
  });
});

test.each([
  ["a secret here", ["secret"], "a *** here"],
  ["nothing", [""], "nothing"],
  ["x-y-x", ["x"], "***-y-***"],
])("maskSecrets(%j)", (text, secrets, expected) => {
  expect(maskSecrets(text, secrets)).toBe(expected);
});

describe("exec's time limit", () => {
  test("a command past its limit is stopped and is an ExecTimeoutError, even with allowFailure", async () => {
    const t0 = Date.now();
    const err = await exec("sleep", ["30"], { timeoutMs: 300, allowFailure: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ExecTimeoutError);
    expect(err.message).toMatch(/sleep 30 did not finish within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  test("a command that ignores SIGTERM is killed after the grace", async () => {
    const t0 = Date.now();
    const err = await exec("/bin/sh", ["-c", "trap '' TERM; sleep 30 & wait; sleep 30"], {
      timeoutMs: 200,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ExecTimeoutError);
    expect(Date.now() - t0).toBeLessThan(8_000);
  });

  test("a command within its limit returns as usual", async () => {
    const r = await exec("/bin/sh", ["-c", "echo ok"], { timeoutMs: 5_000 });
    expect(r.stdout).toBe("ok\n");
  });

  test("an abort signal stops the command and throws its reason", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stopped by the test")), 100);
    const err = await exec("sleep", ["30"], { signal: controller.signal }).catch((e) => e);
    expect(err.message).toBe("stopped by the test");
  });

  test("a command that exits without reading its input is not an error", async () => {
    const r = await exec("true", [], { input: "x".repeat(1 << 20) });
    expect(r.exitCode).toBe(0);
  });
});
