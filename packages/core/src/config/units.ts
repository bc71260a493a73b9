/**
 * Units used in powertrain.yml: durations, sizes and port ranges. Each parser
 * takes what the schema accepts and throws a plain Error naming the bad value;
 * callers that know the config path wrap it into a ConfigError.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "30s", "5m", "1h", or a number of seconds → milliseconds (rounded to a whole ms). */
export function parseDuration(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`expected a non-negative duration, got ${value}`);
    return Math.round(value * 1000);
  }
  const match = DURATION.exec(value.trim());
  if (!match)
    throw new Error(`expected a duration such as "30s", "5m" or "500ms", got ${JSON.stringify(value)}`);
  return Math.round(Number(match[1]) * DURATION_MS[match[2]!]!);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)$/i;
const POWER: Record<string, number> = { "": 0, k: 1, m: 2, g: 3, t: 4 };

/**
 * A size → bytes. Docker's own style is binary: "512m" and "512Mi" are 512 MiB,
 * "1.5GiB" is 1.5 GiB. Two-letter SI units are decimal: "150MB" is 150·10^6.
 * A bare number or "100b" is bytes.
 */
export function parseSize(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`expected a whole number of bytes, got ${value}`);
    return value;
  }
  const match = SIZE.exec(value.trim());
  if (!match)
    throw new Error(`expected a size such as "150MB", "1.5GiB" or "512m", got ${JSON.stringify(value)}`);
  const [, amount, unitLetter, binaryMark, byteMark] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const unit = unitLetter.toLowerCase();
  if (unit === "" && binaryMark !== "") {
    throw new Error(`expected a size such as "150MB", "1.5GiB" or "512m", got ${JSON.stringify(value)}`);
  }
  // "MB" (unit + B, no i) is decimal; "m", "Mi" and "MiB" are binary like docker.
  const decimal = unit !== "" && binaryMark === "" && byteMark !== "";
  const bytes = Number(amount) * (decimal ? 1000 : 1024) ** POWER[unit]!;
  if (!Number.isSafeInteger(Math.round(bytes))) throw new Error(`size ${JSON.stringify(value)} is too large`);
  return Math.round(bytes);
}

/** An inclusive range of port numbers; a single port is a range of one. */
export interface PortRange {
  from: number;
  to: number;
}

/** "8080" or "8000-8099" (or a number) → { from, to }, checking 1–65535 and from ≤ to. */
export function parsePortRange(value: string | number): PortRange {
  const text = String(value).trim();
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) throw new Error(`expected a port or a range such as "8000-8099", got ${JSON.stringify(value)}`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  for (const port of [from, to]) {
    if (port < 1 || port > 65535)
      throw new Error(`port ${port} is out of range (1-65535) in ${JSON.stringify(text)}`);
  }
  if (from > to) throw new Error(`port range ${JSON.stringify(text)} ends before it starts`);
  return { from, to };
}
