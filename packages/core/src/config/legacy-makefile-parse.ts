/**
 * Reading a powertrain.mk for `powertrain import` (legacy-makefile.ts): make's assignments with
 * continuation lines, comments, `?=` and `+=`; `$(VAR)` expansion; shell-like word splitting.
 */

/** One assignment in the Makefile, continuation lines joined. */
export interface MakeVariable {
  name: string;
  value: string;
  /** 1-based line where the assignment starts. */
  line: number;
}

/** Something the importer could not carry over. */
export interface ImportNote {
  /** The variable (or the start of the line) concerned. */
  variable: string;
  line: number;
  reason: string;
}

const ASSIGNMENT =
  /^(?:(?:export|override)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(::?=|:::=|\?=|\+=|!=|=)\s*(.*)$/;

/** Variables and the lines that are not assignments (rules, includes…). */
export function parseMakefile(text: string): { variables: MakeVariable[]; other: ImportNote[] } {
  const variables: MakeVariable[] = [];
  const other: ImportNote[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = `${line.slice(0, -1).trimEnd()} ${lines[++i]!.trimStart()}`;
    }
    if (line.startsWith("\t")) continue; // a rule's recipe; the rule line itself is reported
    const content = stripComment(line).trim();
    if (!content) continue;
    const match = ASSIGNMENT.exec(content);
    if (!match) {
      other.push({
        variable: content.split(/\s/)[0]!,
        line: start + 1,
        reason: "not a variable assignment; ignored",
      });
      continue;
    }
    const [, name, op, value] = match as unknown as [string, string, string, string];
    if (op === "!=") {
      other.push({
        variable: name,
        line: start + 1,
        reason: "set from a shell command (!=); cannot be converted",
      });
      continue;
    }
    const existing = variables.find((v) => v.name === name);
    if (existing && op === "?=") continue;
    if (existing && op === "+=") {
      existing.value = `${existing.value} ${value}`.trim();
      continue;
    }
    if (existing) variables.splice(variables.indexOf(existing), 1);
    variables.push({ name, value: value.trim(), line: start + 1 });
  }
  return { variables, other };
}

function stripComment(line: string): string {
  const at = line.search(/(^|[^\\])#/);
  if (at < 0) return line.replace(/\\#/g, "#");
  return line.slice(0, line[at] === "#" ? at : at + 1).replace(/\\#/g, "#");
}

/** `$(VAR)` / `${VAR}` of Makefile variables expanded; undefined ones become `${VAR}` deploy-time references. */
export function expand(value: string, vars: Map<string, string>, depth = 0): string {
  if (depth > 10) throw new Error("variables reference each other in a loop");
  return value.replace(/\$(?:\$|\(([^()]*)\)|\{([^{}]*)\})/g, (all, paren?: string, brace?: string) => {
    if (all === "$$") return "$"; // make's escape for a literal $ (which the recipe's shell then saw)
    const inner = (paren ?? brace ?? "").trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) throw new Error(`uses a make function "$(${inner})"`);
    const found = vars.get(inner);
    return found === undefined ? `\${${inner}}` : expand(found, vars, depth + 1);
  });
}

/** Split like a shell would: whitespace-separated words, '…' and "…" quoting, backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word = `${word ?? ""}${text[++i]}`;
      else word = `${word ?? ""}${c}`;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (word !== undefined) words.push(word);
  return words;
}
