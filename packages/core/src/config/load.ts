/**
 * powertrain.yml → a typed, validated PowertrainConfig. Every problem becomes
 * part of one ConfigError naming the dotted path, what was expected, what was
 * got, and file:line:column. Hostile input (alias bombs, huge or deeply
 * nested files, invalid UTF-8, custom tags) gives a ConfigError, never a
 * crash or a hang.
 */
import { readFile, stat } from "node:fs/promises";
import { type Document, LineCounter, parseAllDocuments, type YAMLError } from "yaml";
import { ConfigError, type ConfigProblem } from "../errors";
import { checkConfig } from "./checks";
import { formatPath, issueToProblems, type PathProblem } from "./describe";
import { positionAtOffset, positionOf } from "./positions";
import { PowertrainConfig } from "./schema";

/** Larger files are refused before parsing; a real powertrain.yml is a few KiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Alias expansions allowed while building values (stops "billion laughs"). */
export const MAX_ALIAS_COUNT = 1000;
/** Flow collections (`[[[…`) nested deeper than this are refused: the YAML parser would exhaust memory. */
export const MAX_FLOW_DEPTH = 64;

export const DEFAULT_CONFIG_FILE = "powertrain.yml";

export interface LoadedConfig {
  /** The path the config was read from. */
  file: string;
  /** The validated configuration. */
  config: PowertrainConfig;
  /** The file's text, e.g. to bake into an image label. */
  text: string;
}

/** Read and validate a config file (default powertrain.yml). */
export async function loadConfig(path: string = DEFAULT_CONFIG_FILE): Promise<LoadedConfig> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? "file not found (create one with `powertrain init`)"
        : `cannot read the file (${code})`;
    throw new ConfigError(path, [{ path: "", message }]);
  }
  if (size > MAX_CONFIG_BYTES) throw new ConfigError(path, [tooLarge(size)]);
  const bytes = await readFile(path);
  const config = parseConfig(bytes, path);
  return { file: path, config, text: decodeUtf8(bytes, path) };
}

/** Parse and validate config text; `file` is only used in error positions. */
export function parseConfig(text: string | Buffer, file: string): PowertrainConfig {
  const source = typeof text === "string" ? text : decodeUtf8(text, file);
  const size = typeof text === "string" ? Buffer.byteLength(text) : text.length;
  if (size > MAX_CONFIG_BYTES) throw new ConfigError(file, [tooLarge(size)]);
  const content = source.replace(/^\uFEFF/, "");
  const fail = (problems: ConfigProblem[]): never => {
    throw new ConfigError(file, problems);
  };

  const deep = tooDeep(content);
  if (deep !== undefined) {
    const lineCounter = new LineCounter();
    lineCounter.addNewLine(0);
    for (let i = content.indexOf("\n"); i >= 0; i = content.indexOf("\n", i + 1))
      lineCounter.addNewLine(i + 1);
    fail([
      {
        path: "",
        message: `collections nested more than ${MAX_FLOW_DEPTH} levels deep`,
        position: positionAtOffset(lineCounter, file, deep),
      },
    ]);
  }

  const lineCounter = new LineCounter();
  const documents = parseYaml(content, lineCounter, file);
  if (documents.length === 0 || (documents.length === 1 && documents[0]!.contents === null)) {
    fail([{ path: "", message: "the file is empty: expected a map with at least `name:`" }]);
  }
  if (documents.length > 1) {
    const second = documents[1]!.range[0];
    fail([
      {
        path: "",
        message: "expected one YAML document, found several (remove the `---` separator)",
        position: positionAtOffset(lineCounter, file, second),
      },
    ]);
  }
  const doc = documents[0]!;
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e) =>
    yamlProblem(e, content, lineCounter, file),
  );
  if (yamlProblems.length > 0) fail(sortProblems(yamlProblems));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const bomb = err instanceof ReferenceError && /alias/i.test(err.message);
    fail([
      {
        path: "",
        message: bomb
          ? `aliases expand to too many values (more than ${MAX_ALIAS_COUNT}); is this a YAML alias bomb?`
          : `cannot read the YAML: ${(err as Error).message}`,
      },
    ]);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const got = Array.isArray(data) ? "a list" : `a single value (${JSON.stringify(data)})`;
    fail([
      {
        path: "",
        message: `expected a map of settings at the top level (name:, run:, …), got ${got}`,
        position: positionOf(doc, lineCounter, file, []),
      },
    ]);
  }

  const parsed = PowertrainConfig.safeParse(data);
  const problems: PathProblem[] = parsed.success
    ? checkConfig(parsed.data)
    : parsed.error.issues.flatMap((issue) => issueToProblems(issue, PowertrainConfig, data));
  if (problems.length > 0) {
    fail(
      sortProblems(
        problems.map((p) => ({
          path: formatPath(p.path),
          message: p.message,
          position: positionOf(doc, lineCounter, file, p.path, p.atKey),
        })),
      ),
    );
  }
  return parsed.data as PowertrainConfig;
}

function parseYaml(content: string, lineCounter: LineCounter, file: string): Document.Parsed[] {
  try {
    const result = parseAllDocuments(content, {
      version: "1.2",
      schema: "core",
      merge: false,
      uniqueKeys: true,
      strict: true,
      prettyErrors: false,
      lineCounter,
    });
    return Array.isArray(result) ? result : [];
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot parse the YAML: ${(err as Error).message}` }]);
  }
}

/** yaml's errors and warnings, in plain words where they are common. */
function yamlProblem(
  error: YAMLError,
  content: string,
  lineCounter: LineCounter,
  file: string,
): ConfigProblem {
  const position = positionAtOffset(lineCounter, file, error.pos[0]);
  const snippet = content.slice(error.pos[0], Math.min(error.pos[1], error.pos[0] + 40)).trim();
  switch (error.code) {
    case "DUPLICATE_KEY":
      return { path: "", message: `duplicate key ${JSON.stringify(keyAt(content, error.pos[0]))}`, position };
    case "TAB_AS_INDENT":
      return { path: "", message: "tab used for indentation; YAML indents with spaces only", position };
    case "TAG_RESOLVE_FAILED":
      return {
        path: "",
        message: `unsupported tag ${JSON.stringify(snippet.split(/\s/)[0])}: powertrain.yml takes plain values only`,
        position,
      };
    default:
      return { path: "", message: `invalid YAML: ${error.message.split("\n")[0]}`, position };
  }
}

function keyAt(content: string, offset: number): string {
  const rest = content.slice(offset, offset + 200);
  const match = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^:\n]*?))\s*:/.exec(rest);
  return (match?.[1] ?? match?.[2] ?? match?.[3] ?? rest.split("\n")[0] ?? "").trim();
}

/** The offset where flow nesting gets too deep, ignoring quoted text and comments; a cheap pre-scan. */
function tooDeep(content: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (quote) {
      if (c === "\\" && quote === '"') i += 1;
      else if (c === quote) quote = undefined;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(content[i - 1]!))) {
      // Only where a quoted scalar can start: an apostrophe inside a word is text.
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(content[i - 1]!))) {
      const end = content.indexOf("\n", i);
      i = end < 0 ? content.length : end;
    } else if (c === "[" || c === "{") {
      depth += 1;
      if (depth > MAX_FLOW_DEPTH) return i;
    } else if (c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function tooLarge(size: number): ConfigProblem {
  return {
    path: "",
    message: `the file is ${size} bytes; config files larger than ${MAX_CONFIG_BYTES} bytes (1 MiB) are refused`,
  };
}

/** UTF-8 → string; invalid bytes are an error naming the byte offset and line. */
export function decodeUtf8(bytes: Buffer, file: string): string {
  const offset = firstInvalidUtf8(bytes);
  if (offset === undefined) return bytes.toString("utf8");
  const line = bytes.subarray(0, offset).toString("latin1").split("\n").length;
  throw new ConfigError(file, [
    {
      path: "",
      message: `not valid UTF-8: byte 0x${bytes[offset]!.toString(16).padStart(2, "0")} at offset ${offset} (line ${line}); save the file as UTF-8`,
      position: { file, line, column: offset - bytes.lastIndexOf(0x0a, offset - 1) },
    },
  ]);
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return undefined;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) =>
    p.position ? p.position.line * 1e6 + p.position.column : Number.MAX_SAFE_INTEGER;
  return [...problems].sort((a, b) => key(a) - key(b));
}
