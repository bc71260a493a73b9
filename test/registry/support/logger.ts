/** A Logger that records every line (with masking applied) so tests can assert on logs. */
import type { Logger } from "../../../packages/core/src/log";

export interface RecordingLogger extends Logger {
  lines: string[];
  /** Every message as the library passed it, before masking: proves secrets never reach the logger. */
  raw: string[];
  text(): string;
}

export function recordingLogger(onLine?: (line: string) => void): RecordingLogger {
  const secrets: string[] = [];
  const lines: string[] = [];
  const raw: string[] = [];
  const add = (level: string) => (message: string) => {
    raw.push(message);
    let text = `${level}: ${message}`;
    for (const s of secrets) text = text.split(s).join("***");
    lines.push(text);
    onLine?.(text);
  };
  return {
    lines,
    raw,
    text: () => lines.join("\n"),
    debug: add("debug"),
    info: add("info"),
    warn: add("warn"),
    error: add("error"),
    group: (_name, fn) => fn(),
    mask: (v) => {
      if (v) secrets.push(v);
    },
  };
}
