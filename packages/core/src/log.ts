/**
 * The Logger every library function takes instead of printing. The CLI gives
 * one that writes to stderr (stdout stays clean for --json); the actions give
 * one backed by @actions/core (groups, annotations, masking).
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string, position?: { file: string; line?: number; column?: number }): void;
  error(message: string, position?: { file: string; line?: number; column?: number }): void;
  /** Run `fn` with its log lines folded under `name` (a GitHub log group, an indented block in a terminal). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Never print `value`: replaced by *** wherever it would appear. */
  mask(value: string): void;
}

/** Writes to a stream (stderr by default), replacing masked values. */
export class StreamLogger implements Logger {
  private readonly secrets = new Set<string>();
  private indent = "";

  constructor(
    private readonly out: NodeJS.WritableStream = process.stderr,
    private readonly verbose = false,
  ) {}

  debug(message: string): void {
    if (this.verbose) this.write(`debug: ${message}`);
  }
  info(message: string): void {
    this.write(message);
  }
  warn(message: string, position?: { file: string; line?: number; column?: number }): void {
    this.write(`warning: ${message}${where(position)}`);
  }
  error(message: string, position?: { file: string; line?: number; column?: number }): void {
    this.write(`error: ${message}${where(position)}`);
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.write(`▸ ${name}`);
    const saved = this.indent;
    this.indent += "  ";
    try {
      return await fn();
    } finally {
      this.indent = saved;
    }
  }
  mask(value: string): void {
    if (value.trim().length > 0) this.secrets.add(value);
  }

  private write(message: string): void {
    let text = message;
    for (const s of this.secrets) text = text.split(s).join("***");
    const lines = text.split("\n").map((l) => this.indent + l);
    this.out.write(`${lines.join("\n")}\n`);
  }
}

/** Discards everything; for tests and --json runs that want silence. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  group: (_name, fn) => fn(),
  mask() {},
};

function where(position?: { file: string; line?: number; column?: number }): string {
  if (!position) return "";
  const parts = [position.file, position.line, position.column].filter((p) => p !== undefined);
  return ` (${parts.join(":")})`;
}
