/**
 * The CLI run in-process as its binary would be, for tests: exit code, stdout and stderr. One
 * helper for the CLI's unit tests and the integration tests (test/support/cli.ts).
 */
import { PassThrough } from "node:stream";
import { StreamLogger } from "@powertrain/core";
import { main } from "./main";

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
