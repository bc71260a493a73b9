/**
 * The one wrapper through which powertrain runs every external command
 * (docker, ssh, git…). Arguments are a list — never a shell string — so
 * nothing is interpreted on the way; secrets travel on stdin (`input`), never
 * on argv; output is captured, masked and optionally streamed to the logger;
 * a command given a time limit is killed when it passes it. That last one is
 * why this is node's own spawn and not @actions/exec, which cannot stop a
 * command it started.
 */
import { spawn } from "node:child_process";
import { ExecError, ExecTimeoutError, PowertrainError } from "../errors";
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
  /**
   * Wall-clock limit: past it the command gets SIGTERM, then SIGKILL, and exec throws
   * ExecTimeoutError (even with allowFailure: a command that never ended has no result).
   * 0 or unset: no limit.
   */
  timeoutMs?: number;
  /** Stops the command like a timeout does, and throws the signal's reason. */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** The command line as it would be typed, quoted; for logs and dry runs. */
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** After SIGTERM, how long a command has before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/**
 * After the command exits, how long to wait for its output pipes to close: an ssh ControlPersist
 * master forked by the first command keeps them open for as long as it lives.
 */
const PIPE_GRACE_MS = 200;

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
  const ended = await run(file, args, options, {
    stdout: (chunk) => streams?.out.push(chunk),
    stderr: (chunk) => streams?.err.push(chunk),
    keep: !onLine,
  });
  streams?.out.flush();
  streams?.err.flush();

  if ("spawnError" in ended) {
    if (ended.spawnError.code === "ENOENT") {
      throw new PowertrainError(`${file} is not installed or not on PATH`, { cause: ended.spawnError });
    }
    throw new ExecError(command, -1, ended.spawnError.message);
  }
  if (ended.stopped === "timeout") throw new ExecTimeoutError(command, options.timeoutMs ?? 0);
  if (ended.stopped === "aborted") throw options.signal?.reason ?? new Error("aborted");
  const result = {
    command,
    exitCode: ended.exitCode,
    stdout: hide(ended.stdout),
    stderr: hide(ended.stderr),
  };
  if (result.exitCode !== 0 && !options.allowFailure) {
    throw new ExecError(command, result.exitCode, result.stderr || result.stdout);
  }
  return result;
}

type Ended =
  | { spawnError: NodeJS.ErrnoException }
  | { exitCode: number; stdout: string; stderr: string; stopped?: "timeout" | "aborted" };

/** Spawns the command and settles once it exited and its pipes closed (or PIPE_GRACE_MS passed). */
function run(
  file: string,
  args: readonly string[],
  o: ExecOptions,
  on: { stdout(chunk: Buffer): void; stderr(chunk: Buffer): void; keep: boolean },
): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(file, [...args], {
      cwd: o.cwd,
      env: mergeEnv(o.env),
      stdio: [o.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => {
      if (on.keep) out.push(chunk);
      on.stdout(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (on.keep) err.push(chunk);
      on.stderr(chunk);
    });
    if (o.input !== undefined) {
      // A command that exits without reading its input must not fail the write.
      child.stdin?.on("error", () => {});
      child.stdin?.end(Buffer.from(o.input));
    }

    let stopped: "timeout" | "aborted" | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: "timeout" | "aborted") => {
      if (stopped || child.exitCode !== null) return;
      stopped = why;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    };
    const limit = o.timeoutMs ? setTimeout(() => stop("timeout"), o.timeoutMs) : undefined;
    const onAbort = () => stop("aborted");
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener("abort", onAbort, { once: true });

    let settled = false;
    const settle = (ended: Ended) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      clearTimeout(killTimer);
      o.signal?.removeEventListener("abort", onAbort);
      resolve(ended);
    };
    const finish = (code: number | null, signal: NodeJS.Signals | null) =>
      settle({
        exitCode: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ...(stopped ? { stopped } : {}),
      });
    child.once("error", (e: NodeJS.ErrnoException) => settle({ spawnError: e }));
    child.once("exit", (code, signal) => {
      setTimeout(() => {
        // Let go of pipes a forked master still holds, so they keep nothing alive.
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, PIPE_GRACE_MS);
    });
    child.once("close", finish);
  });
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
