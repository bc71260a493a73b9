/**
 * An app's deploy lock held by another process (test/deploy/fixtures/lock-child.ts), so a test or
 * a benchmark can kill the holder the way a cancelled CI job or a dead runner dies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import type { AppScope } from "../../packages/core/src/deploy/types";
import type { SshSessionOptions } from "../../packages/core/src/ssh/session";
import type { SshTarget } from "../../packages/core/src/ssh/target";

/** Resolves once the child holds the lock. */
export function holdLockInChild(
  target: SshTarget,
  scope: AppScope,
  ssh: SshSessionOptions,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", resolve(__dirname, "../deploy/fixtures/lock-child.ts")],
    {
      env: { ...process.env, PT_LOCK_REQUEST: JSON.stringify({ target, scope, ssh }) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((done, fail) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("LOCKED") && done(child));
    child.once("exit", (code) => fail(new Error(`the lock holder exited with ${code} before locking`)));
  });
}
