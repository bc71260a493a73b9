/**
 * Read action inputs into one typed object. Each input is declared once with
 * its kind; a bad value is a UsageError naming the input.
 */
import * as actions from "@actions/core";
import { UsageError } from "@powertrain/core";

export type InputSpec =
  | { kind: "string"; required?: boolean; default?: string; secret?: boolean }
  | { kind: "boolean"; default?: boolean }
  | { kind: "integer"; default?: number; min?: number }
  | { kind: "list" }
  | { kind: "map" };

type ValueOf<S extends InputSpec> = S extends { kind: "string" }
  ? S extends { required: true } | { default: string }
    ? string
    : string | undefined
  : S extends { kind: "boolean" }
    ? boolean
    : S extends { kind: "integer" }
      ? S extends { default: number }
        ? number
        : number | undefined
      : S extends { kind: "list" }
        ? string[]
        : Record<string, string>;

export type Inputs<T extends Record<string, InputSpec>> = { [K in keyof T]: ValueOf<T[K]> };

/** Read every input in `specs` (names are the kebab-case input names of action.yml). */
export function readInputs<T extends Record<string, InputSpec>>(specs: T): Inputs<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = readInput(name, spec);
  return out as Inputs<T>;
}

function readInput(name: string, spec: InputSpec): unknown {
  const raw = actions.getInput(name);
  switch (spec.kind) {
    case "string": {
      if (spec.secret && raw) actions.setSecret(raw);
      if (!raw && spec.required) throw new UsageError(`input "${name}" is required`);
      return raw || spec.default;
    }
    case "boolean": {
      if (!raw) return spec.default ?? false;
      if (/^(true|yes|on|1)$/i.test(raw)) return true;
      if (/^(false|no|off|0)$/i.test(raw)) return false;
      throw new UsageError(`input "${name}": expected true or false, got "${raw}"`);
    }
    case "integer": {
      if (!raw) return spec.default;
      if (!/^\d+$/.test(raw.trim()))
        throw new UsageError(`input "${name}": expected a whole number, got "${raw}"`);
      const n = Number(raw.trim());
      if (spec.min !== undefined && n < spec.min)
        throw new UsageError(`input "${name}": must be at least ${spec.min}`);
      return n;
    }
    case "list":
      return parseList(raw);
    case "map":
      return parseMap(name, raw);
  }
}

/** Newline- or comma-separated values, trimmed, empty ones dropped. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `KEY=value` lines; the value may contain `=` and commas. */
export function parseMap(name: string, raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    const eq = t.indexOf("=");
    if (eq <= 0) throw new UsageError(`input "${name}": expected KEY=value lines, got "${t}"`);
    out[t.slice(0, eq).trim()] = t.slice(eq + 1);
  }
  return out;
}
