/** The powertrain CLI run in-process as its binary would be: exit code, stdout and stderr. */
import { PassThrough } from "node:stream";
import { main } from "../../packages/cli/src/main";
import { StreamLogger } from "../../packages/core/src/log";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(...args: string[]): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d: Buffer) => (stdout += d.toString()));
  err.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await main(["node", "powertrain", ...args], { out, logger: new StreamLogger(err) });
  return { code, stdout, stderr };
}
