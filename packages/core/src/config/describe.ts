/**
 * Turns zod's issues into plain problems: the dotted path, what was expected
 * (described from the schema itself, e.g. "a positive integer") and what was
 * got. zod's internals are read through a narrow, defensive view so that a
 * schema shape this file does not know still gives a sensible message.
 */
import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";

type Segment = string | number;

interface SchemaView {
  _zod: { def: Record<string, unknown> & { type: string } };
}

/** A problem before it gets a file position: where (path) and what. `atKey` positions it at the map key. */
export interface PathProblem {
  path: Segment[];
  message: string;
  atKey?: boolean;
}

export function formatPath(path: readonly Segment[]): string {
  return path.map(String).join(".");
}

/** The sub-schema at a path, looking through optional wrappers and into unions; undefined if unknown. */
export function schemaAt(schema: z.ZodType, path: readonly Segment[]): z.ZodType | undefined {
  let current: SchemaView | undefined = schema as unknown as SchemaView;
  for (const segment of path) {
    if (!current) return undefined;
    current = step(unwrap(current), segment);
  }
  return current as unknown as z.ZodType | undefined;
}

function unwrap(schema: SchemaView): SchemaView {
  let s = schema;
  while (["optional", "nullable", "default", "readonly"].includes(s._zod.def.type)) {
    s = s._zod.def.innerType as SchemaView;
  }
  if (s._zod.def.type === "pipe") return unwrap(s._zod.def.in as SchemaView);
  return s;
}

function step(schema: SchemaView, segment: Segment): SchemaView | undefined {
  const def = schema._zod.def;
  switch (def.type) {
    case "object":
      return (def.shape as Record<string, SchemaView>)[String(segment)];
    case "record":
      return def.valueType as SchemaView;
    case "array":
      return def.element as SchemaView;
    case "union":
      for (const option of def.options as SchemaView[]) {
        const found = step(unwrap(option), segment);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The keys an object schema allows, for did-you-mean. */
export function allowedKeys(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const s = unwrap(schema as unknown as SchemaView);
  if (s._zod.def.type === "object") return Object.keys(s._zod.def.shape as object);
  if (s._zod.def.type === "union") {
    return (s._zod.def.options as z.ZodType[]).flatMap((o) => allowedKeys(o));
  }
  return [];
}

/** "a positive integer", "one of rolling, blue-green, canary", "a map"… */
export function describeSchema(schema: z.ZodType | undefined): string {
  if (!schema) return "a valid value";
  const s = unwrap(schema as unknown as SchemaView);
  const def = s._zod.def;
  switch (def.type) {
    case "number":
    case "int":
      return describeNumber(def);
    case "string":
      return describeString(def);
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "enum":
      return `one of ${Object.values(def.entries as Record<string, string>).join(", ")}`;
    case "literal":
      return (def.values as unknown[]).map((v) => JSON.stringify(v)).join(" or ");
    case "object":
    case "record":
      return "a map";
    case "array":
      return "a list";
    case "union": {
      const parts = [...new Set((def.options as z.ZodType[]).map((o) => describeSchema(o)))];
      return parts.length <= 1
        ? (parts[0] ?? "a valid value")
        : `${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}`;
    }
    default:
      return "a valid value";
  }
}

interface CheckView {
  _zod: { def: { check: string; value?: number; inclusive?: boolean; error?: unknown; minimum?: number } };
}

function checksOf(def: Record<string, unknown>): CheckView["_zod"]["def"][] {
  return ((def.checks as CheckView[] | undefined) ?? []).map((c) => c._zod.def);
}

function describeNumber(def: Record<string, unknown>): string {
  const integer = typeof def.format === "string" && def.format.includes("int");
  let min: number | undefined;
  let max: number | undefined;
  let exclusiveMin = false;
  for (const check of checksOf(def)) {
    if (check.check === "greater_than") {
      min = check.value;
      exclusiveMin = !check.inclusive;
    }
    if (check.check === "less_than") max = check.value;
  }
  const noun = integer ? "integer" : "number";
  if (min !== undefined && max !== undefined)
    return `${integer ? "an integer" : "a number"} from ${min} to ${max}`;
  if (min === 0 && exclusiveMin) return `a positive ${noun}`;
  if (min === 1 && integer) return "a positive integer";
  if (min === 0) return `a non-negative ${noun}`;
  return integer ? "an integer" : "a number";
}

function describeString(def: Record<string, unknown>): string {
  for (const check of checksOf(def)) {
    const custom = customMessage(check.error);
    if (custom) return custom.replace(/^expected /, "");
  }
  const nonEmpty = checksOf(def).some((c) => c.check === "min_length" && (c.minimum ?? 0) > 0);
  return nonEmpty ? "a non-empty string" : "a string";
}

function customMessage(error: unknown): string | undefined {
  if (typeof error === "string") return error;
  if (typeof error === "function") {
    try {
      const result = (error as (issue: unknown) => unknown)({});
      if (typeof result === "string") return result;
      if (result && typeof (result as { message?: unknown }).message === "string") {
        return (result as { message: string }).message;
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A short, safe rendering of a value for "got …". */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

/** "did you mean "x"?" when something allowed is close enough to be a typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  const limit = Math.max(1, Math.floor(word.length / 3));
  if (distance(word.toLowerCase(), best.toLowerCase()) <= limit) return best;
  // Swapped letters ("prdo" for "prod") cost 2 edits but are the commonest typo.
  const letters = (s: string) => [...s.toLowerCase()].sort().join("");
  return candidates.find((c) => letters(c) === letters(word));
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

type Issue = z.core.$ZodIssue;

/** One zod issue → one or more plain problems (unknown keys give one problem per key). */
export function issueToProblems(issue: Issue, root: z.ZodType, data: unknown): PathProblem[] {
  const path = issue.path.filter((p): p is Segment => typeof p !== "symbol");
  const schema = schemaAt(root, path);
  const value = valueAt(data, path);
  const expected = describeSchema(schema);
  const got = `, got ${describeValue(value)}`;
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(schema);
      return issue.keys.map((key) => {
        const suggestion = didYouMean(key, allowed);
        const hint = suggestion
          ? `; did you mean "${suggestion}"?`
          : allowed.length > 0
            ? `; expected one of: ${allowed.join(", ")}`
            : "";
        return { path: [...path, key], message: `unknown key "${key}"${hint}`, atKey: true };
      });
    }
    case "invalid_type":
      if (value === undefined) return [{ path, message: `is required: expected ${expected}` }];
      return [{ path, message: `expected ${expected}${got}` }];
    case "invalid_key": {
      const inner = issue.issues[0];
      const reason = inner && /^expected /.test(inner.message) ? inner.message : "expected a simple name";
      return [
        { path, message: `invalid key ${JSON.stringify(String(path.at(-1)))}: ${reason}`, atKey: true },
      ];
    }
    case "too_small":
    case "too_big":
      if (issue.origin === "array") {
        const limit = issue.code === "too_small" ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
        return [{ path, message: `expected a list of ${limit} items${got}` }];
      }
      if (issue.origin === "string" && issue.code === "too_small") {
        return [{ path, message: `expected a non-empty string${got}` }];
      }
      return [{ path, message: `expected ${expected}${got}` }];
    case "invalid_format": {
      const message = issue.message.startsWith("expected ") ? issue.message : `expected ${expected}`;
      return [{ path, message: `${message}${got}` }];
    }
    case "invalid_value":
      return [
        {
          path,
          message: `expected ${issue.values.length === 1 ? expected : `one of ${issue.values.join(", ")}`}${got}`,
        },
      ];
    case "invalid_union":
      return [{ path, message: `expected ${expected}${got}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** What each runtime option of a resolved run does, one line each, for `powertrain validate`. */
export function explainRuntime(run: {
  hardened?: boolean;
  readOnly?: boolean;
  tmpfs?: { target: string; sizeBytes?: number; mode?: string; options?: string[] }[];
  capAdd?: string[];
  capDrop?: string[];
  noNewPrivileges?: boolean;
  securityOpt?: string[];
  pidsLimit?: number;
  ulimits?: Partial<Record<string, { soft: number; hard: number }>>;
  logDriver?: string;
  logOptions?: Record<string, string>;
  extraHosts?: Record<string, string>;
  workdir?: string;
  hostname?: string;
  dns?: string[];
  sysctls?: Record<string, string>;
}): [string, string][] {
  const rows: [string, string][] = [];
  const kv = (m: Record<string, string>) =>
    Object.entries(m)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
  if (run.hardened)
    rows.push(["hardened", "read-only root, all capabilities dropped, no-new-privileges, /tmp in memory"]);
  if (run.readOnly !== undefined)
    rows.push([
      "read-only",
      run.readOnly
        ? "root file system read-only: writes go to tmpfs and volumes only"
        : "root file system writable",
    ]);
  for (const t of run.tmpfs ?? []) {
    const opts = [
      t.sizeBytes ? `${t.sizeBytes} bytes` : "no size limit",
      t.mode ? `mode ${t.mode}` : "",
      ...(t.options ?? []),
    ];
    rows.push([
      "tmpfs",
      `${t.target} in memory, emptied at every start (${opts.filter(Boolean).join(", ")})`,
    ]);
  }
  if (run.capDrop?.length)
    rows.push([
      "cap-drop",
      run.capDrop.includes("ALL")
        ? "every Linux capability dropped"
        : `capabilities dropped: ${run.capDrop.join(", ")}`,
    ]);
  if (run.capAdd?.length) rows.push(["cap-add", `capabilities granted: ${run.capAdd.join(", ")}`]);
  if (run.noNewPrivileges !== undefined)
    rows.push([
      "no-new-privileges",
      run.noNewPrivileges ? "setuid binaries and file capabilities cannot raise privileges" : "off",
    ]);
  if (run.securityOpt?.length) rows.push(["security-opt", run.securityOpt.join(", ")]);
  if (run.pidsLimit !== undefined) rows.push(["pids-limit", `at most ${run.pidsLimit} processes`]);
  for (const [name, u] of Object.entries(run.ulimits ?? {}))
    if (u) rows.push(["ulimit", `${name}: soft ${u.soft}, hard ${u.hard} (-1 = unlimited)`]);
  if (run.logDriver)
    rows.push(["log-driver", `${run.logDriver}${run.logOptions ? ` (${kv(run.logOptions)})` : ""}`]);
  else if (run.logOptions) rows.push(["log-options", `for docker's default driver: ${kv(run.logOptions)}`]);
  if (run.extraHosts)
    rows.push(["extra-hosts", `in /etc/hosts: ${kv(run.extraHosts).replaceAll("=", " → ")}`]);
  if (run.workdir) rows.push(["workdir", `processes start in ${run.workdir}`]);
  if (run.hostname) rows.push(["hostname", run.hostname]);
  if (run.dns?.length) rows.push(["dns", `name servers: ${run.dns.join(", ")}`]);
  if (run.sysctls) rows.push(["sysctls", kv(run.sysctls)]);
  return rows;
}
