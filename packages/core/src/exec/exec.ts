/**
 * The one wrapper through which powertrain runs every external command
 * (docker, ssh, git…). Arguments are a list — never a shell string — so
 * nothing is interpreted on the way; secrets travel on stdin (`input`), never
 * on argv; output is captured, masked and optionally streamed to the logger.
 */
import * as actionsExec from "@actions/exec";
import { ExecError, PowertrainError } from "../errors";
import { type Logger, silentLogger } from "../log";
import { shellCommand } from "./quote";

export interface ExecOptions {
  /** Bytes written to the command's stdin; how secrets reach a command. */
  input?: string | Buffer;
  /** Variables added to (not replacing) the current environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Working directory. */
  cwd?: string;
  /** Return the result instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
  /** Stream output lines to the logger as they come (long builds, pulls). */
  stream?: boolean;
  /** Where streamed lines and the command line (at debug level) go. */
  logger?: Logger;
  /** Values replaced by *** in logs and error messages. */
  secrets?: readonly string[];
  /**
   * Hand each output line (stdout and stderr) here as it comes instead of
   * keeping it: for commands that run until stopped (`logs --follow`). The
   * result's stdout and stderr are then empty.
   */
  onLine?: (line: string) => void;
}

export interface ExecResult {
  /** The command line as it would be typed, quoted; for logs and dry runs. */
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run `file` with `args`; throws ExecError on a non-zero exit unless `allowFailure`. */
export async function exec(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const logger = options.logger ?? silentLogger;
  const hide = (text: string) => maskSecrets(text, options.secrets ?? []);
  const command = hide(shellCommand([file, ...args]));
  logger.debug(`$ ${command}`);

  const onLine = options.onLine;
  const emit = onLine ? (line: string) => onLine(hide(line)) : (line: string) => logger.info(hide(line));
  const streams = options.stream || onLine ? { out: lineStreamer(emit), err: lineStreamer(emit) } : undefined;
  let exitCode: number;
  let stdout = "";
  let stderr = "";
  try {
    const execOptions: actionsExec.ExecOptions = {
      cwd: options.cwd,
      env: mergeEnv(options.env),
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      silent: true,
      ignoreReturnCode: true,
      // ssh ControlPersist masters keep inherited pipes open after exit; don't wait 10s for them.
      delay: 200,
      listeners: streams ? { stdout: streams.out.push, stderr: streams.err.push } : undefined,
    };
    if (onLine) {
      exitCode = await actionsExec.exec(file, [...args], execOptions);
    } else {
      const result = await actionsExec.getExecOutput(file, [...args], execOptions);
      exitCode = result.exitCode;
      stdout = result.stdout;
      stderr = result.stderr;
    }
    streams?.out.flush();
    streams?.err.flush();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/Unable to locate executable/i.test(message)) {
      throw new PowertrainError(`${file} is not installed or not on PATH`, { cause: err });
    }
    throw new ExecError(command, -1, message);
  }

  const result = { command, exitCode, stdout: hide(stdout), stderr: hide(stderr) };
  if (exitCode !== 0 && !options.allowFailure) {
    throw new ExecError(command, exitCode, result.stderr || result.stdout);
  }
  return result;
}

function mergeEnv(extra?: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...extra })) {
    if (v !== undefined) env[k] = v;
  }
  return env;
}

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("***");
  return out;
}

/** Buffers chunks and hands complete lines to `emit`. */
function lineStreamer(emit: (line: string) => void) {
  let pending = "";
  return {
    push(chunk: Buffer) {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) emit(line.replace(/\r$/, ""));
    },
    flush() {
      if (pending) emit(pending);
      pending = "";
    },
  };
}
