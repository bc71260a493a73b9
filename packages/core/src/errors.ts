/**
 * Typed errors. Library code throws these; only entry points (CLI, actions)
 * turn them into exit codes or `setFailed`. `userError` tells a mistake the
 * user can fix (bad config, bad flag, unknown environment) from a failure of
 * the tool or of something it talks to — the former never shows a stack trace.
 */

export class PowertrainError extends Error {
  /** A mistake the user can fix: print the message only, exit code 2. */
  readonly userError: boolean = false;
  /** An optional one-line hint on what to do next. */
  hint?: string;

  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.hint) this.hint = options.hint;
  }
}

/** Where in a file something is; 1-based like every editor. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** A problem with one value in a config file. */
export interface ConfigProblem {
  /** Dotted path of the value, e.g. `environments.prod.run.instances`. */
  path: string;
  message: string;
  position?: SourcePosition;
}

/** A config file that cannot be used; lists every problem found, each with file:line:column. */
export class ConfigError extends PowertrainError {
  override readonly userError = true;
  readonly problems: ConfigProblem[];
  readonly file: string;

  constructor(file: string, problems: ConfigProblem[]) {
    super(ConfigError.format(file, problems));
    this.file = file;
    this.problems = problems;
  }

  /** The first problem's position, for annotations. */
  get position(): SourcePosition | undefined {
    return this.problems.find((p) => p.position)?.position;
  }

  static format(file: string, problems: ConfigProblem[]): string {
    const lines = problems.map((p) => {
      const where = p.position ? ` (${p.position.file}:${p.position.line}:${p.position.column})` : "";
      return p.path ? `${p.path}: ${p.message}${where}` : `${p.message}${where}`;
    });
    if (lines.length === 1) return `${file}: ${lines[0]}`;
    return `${file}: ${problems.length} problems\n${lines.map((l) => `  - ${l}`).join("\n")}`;
  }
}

/** Bad command-line usage or action input. */
export class UsageError extends PowertrainError {
  override readonly userError = true;
}

/** An external command (docker, ssh, git…) failed. */
export class ExecError extends PowertrainError {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    message?: string,
  ) {
    super(message ?? `${command} exited with code ${exitCode}${stderrTail(stderr)}`);
  }
}

/** An external command passed its time limit and was stopped. */
export class ExecTimeoutError extends ExecError {
  constructor(
    command: string,
    readonly timeoutMs: number,
    message?: string,
  ) {
    super(
      command,
      -1,
      "",
      message ?? `${command} did not finish within ${formatSeconds(timeoutMs)} and was stopped`,
    );
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** A feature whose issue has not landed yet — said plainly instead of pretending. */
export class NotImplementedError extends PowertrainError {
  constructor(what: string) {
    super(`${what} is not implemented yet`);
  }
}

function stderrTail(stderr: string): string {
  const lines = stderr.trim().split("\n").filter(Boolean);
  if (lines.length === 0) return "";
  return `: ${lines.slice(-5).join("\n")}`;
}

/** True for errors the user caused and can fix: no stack trace, exit code 2. */
export function isUserError(err: unknown): boolean {
  return err instanceof PowertrainError && err.userError;
}
