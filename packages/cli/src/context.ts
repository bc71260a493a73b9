/** What every command is handed: where progress goes (stderr) and where results go (stdout). */
import type { StreamLogger } from "@powertrain/core";

export interface CliContext {
  logger: StreamLogger;
  /** Where results go (stdout); human progress goes to the logger (stderr). */
  out: NodeJS.WritableStream;
  /** Set by a command whose exit code is its own result (`run` passes its container's through). */
  exitCode?: number;
}
