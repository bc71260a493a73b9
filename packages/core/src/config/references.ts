/**
 * `${NAME}` references in env values, resolved at deploy time from the deploy
 * step's environment (so secrets never live in powertrain.yml, which is baked
 * into the image). `$${` writes a literal `${`. Text is scanned left to
 * right, so "$$${A}" is "$" followed by the literal "${A}".
 */
import { PowertrainError } from "../errors";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A piece of an env value: literal text or a reference to a variable. */
export type TemplatePart = { text: string } | { ref: string };

/** An env value that is not a valid template, e.g. "${1A}" or an unclosed "${A". */
export class ReferenceSyntaxError extends PowertrainError {
  override readonly userError = true;
}

/** Split a value into literal text and references; throws ReferenceSyntaxError on a malformed `${…}`. */
export function parseTemplate(value: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  let i = 0;
  while (i < value.length) {
    if (value.startsWith("$${", i)) {
      text += "${";
      i += 3;
    } else if (value.startsWith("${", i)) {
      const end = value.indexOf("}", i + 2);
      if (end < 0) {
        throw new ReferenceSyntaxError(
          `unclosed reference "${value.slice(i, i + 20)}…" (write $\${ for a literal \${)`,
        );
      }
      const name = value.slice(i + 2, end);
      if (!NAME.test(name)) {
        throw new ReferenceSyntaxError(
          `invalid reference "\${${name}}": expected \${NAME} with letters, digits and _ (write $\${ for a literal \${)`,
        );
      }
      if (text) parts.push({ text });
      text = "";
      parts.push({ ref: name });
      i = end + 1;
    } else {
      text += value[i];
      i += 1;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

/** The names a value references, in order of first appearance. */
export function findReferences(value: string): string[] {
  const names = parseTemplate(value).flatMap((p) => ("ref" in p ? [p.ref] : []));
  return [...new Set(names)];
}

/** Every name referenced by the env values of a resolved environment (or a plain env map), sorted. */
export function listReferences(
  resolved: { run: { env: Record<string, string> } } | Record<string, string>,
): string[] {
  const env = isResolved(resolved) ? resolved.run.env : resolved;
  const names = new Set<string>();
  for (const value of Object.values(env)) for (const name of findReferences(value)) names.add(name);
  return [...names].sort();
}

/** Referenced variables that the deploy environment does not define. */
export class MissingReferenceError extends PowertrainError {
  override readonly userError = true;
  constructor(readonly names: string[]) {
    super(
      `env references ${names.length === 1 ? "a variable that is" : "variables that are"} not set: ${names.join(", ")}`,
      { hint: "set them in the deploy step's environment (for secrets, from the CI secret store)" },
    );
  }
}

/**
 * Replace every `${NAME}` with `source[NAME]`. An empty string counts as set.
 * Throws one MissingReferenceError listing every missing name, sorted.
 */
export function substituteReferences(
  env: Record<string, string>,
  source: Record<string, string | undefined>,
): Record<string, string> {
  const missing = new Set<string>();
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    result[key] = parseTemplate(value)
      .map((part) => {
        if ("text" in part) return part.text;
        const found = Object.hasOwn(source, part.ref) ? source[part.ref] : undefined;
        if (found === undefined) missing.add(part.ref);
        return found ?? "";
      })
      .join("");
  }
  if (missing.size > 0) throw new MissingReferenceError([...missing].sort());
  return result;
}

function isResolved(value: object): value is { run: { env: Record<string, string> } } {
  const run = (value as { run?: unknown }).run;
  return typeof run === "object" && run !== null && "env" in run;
}
