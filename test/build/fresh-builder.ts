/**
 * A fresh builder, as every hosted runner job gets one: a buildkitd of its own with an empty
 * state directory, registered as a throwaway remote buildx builder. Only a cache in the registry
 * carries layers from one to the next (the cache tests and bench/build's registry-cache figure).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import type { TestEnv } from "../support/env";

export interface FreshBuilder {
  name: string;
  dispose(): Promise<void>;
}

/** A buildkitd with an empty cache on a socket of its own, registered as buildx builder `name`. */
export async function freshBuilder(env: TestEnv, name: string): Promise<FreshBuilder> {
  if (!env.buildkit) throw new Error("the test env has no buildkitd — run ./scripts/setup");
  const dir = mkdtempSync(join(tmpdir(), "pt-bench-buildkitd-"));
  const socket = `unix://${join(dir, "buildkitd.sock")}`;
  const child = spawn(
    env.buildkit.buildkitd,
    [
      "--config",
      env.buildkit.config,
      "--root",
      join(dir, "state"),
      "--addr",
      socket,
      "--oci-worker=true",
      "--containerd-worker=false",
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const dispose = async () => {
    await exec("docker", ["buildx", "rm", name], { allowFailure: true });
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await exec("docker", ["buildx", "create", "--name", name, "--driver", "remote", socket]);
    for (let i = 0; ; i++) {
      const r = await exec("docker", ["buildx", "inspect", name, "--bootstrap"], { allowFailure: true });
      if (r.exitCode === 0 && /Status:\s+running/.test(r.stdout)) break;
      if (i > 100 || child.exitCode !== null) throw new Error(`buildkitd for ${name} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return { name, dispose };
}
