/** Finds where a dotted config path lives in the YAML source, for file:line:column in errors. */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { SourcePosition } from "../errors";

type Segment = string | number;

/**
 * The position of the value at `path` (or of its key with `atKey`). Walks as
 * far as the document goes: a missing key is reported at the nearest map that
 * should hold it.
 */
export function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  path: readonly Segment[],
  atKey = false,
): SourcePosition | undefined {
  let node: Node | null | undefined = doc.contents as Node | null;
  let keyNode: Node | undefined;
  for (const segment of path) {
    node = resolveAlias(doc, node);
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      // `key:` with no value has no value node of its own; point at the key.
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node) && typeof segment === "number" && node.items[segment]) {
      node = node.items[segment] as Node;
    } else {
      break;
    }
  }
  const target = atKey && keyNode ? keyNode : node;
  const offset = target?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

/** 1-based position of a character offset. */
export function positionAtOffset(lineCounter: LineCounter, file: string, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

function resolveAlias(doc: Document, node: Node | null | undefined): Node | null | undefined {
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
