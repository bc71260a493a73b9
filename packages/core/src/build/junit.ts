/**
 * JUnit XML → test results. Reads the dialects test runners actually write:
 * <testsuites>/<testsuite>/<testcase> nested to any depth (node:test nests
 * suites; some runners omit <testsuites>), failures as <failure> or <error>,
 * skips as <skipped>. A failure's location comes from the `file`/`line`
 * attributes when the runner writes them, else from the first stack frame of
 * the failure text that is not the runtime's own.
 */
import { XMLParser } from "fast-xml-parser";
import { PowertrainError } from "../errors";

export type TestStatus = "passed" | "failed" | "skipped";

export interface TestLocation {
  /** Path as the test runner saw it (inside the test stage). */
  file: string;
  line?: number;
  column?: number;
}

export interface TestCaseResult {
  name: string;
  classname?: string;
  status: TestStatus;
  durationMs: number;
  failure?: { message: string; details: string; location?: TestLocation };
}

const ARRAYS = new Set(["testsuite", "testcase", "failure", "error", "skipped"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  // node:test writes a `failure` attribute next to the <failure> element; a prefix keeps them apart.
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ARRAYS.has(name),
});

type Node = Record<string, unknown>;

/** Every test case of one JUnit XML document; `source` names the report in errors. */
export function parseJUnit(xml: string, source: string): TestCaseResult[] {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (err) {
    throw new PowertrainError(`${source}: not valid JUnit XML: ${(err as Error).message}`);
  }
  if (!doc.testsuites && !doc.testsuite && !doc.testcase) {
    throw new PowertrainError(`${source}: not a JUnit report (no <testsuites>, <testsuite> or <testcase>)`);
  }
  const cases: TestCaseResult[] = [];
  collect(doc, undefined, cases);
  return cases;
}

function collect(node: Node, suiteFile: string | undefined, out: TestCaseResult[]): void {
  for (const tc of asNodes(node.testcase)) out.push(toResult(tc, suiteFile));
  for (const key of ["testsuites", "testsuite"]) {
    for (const child of asNodes(node[key])) collect(child, str(child["@_file"]) ?? suiteFile, out);
  }
}

function toResult(tc: Node, suiteFile: string | undefined): TestCaseResult {
  const name = str(tc["@_name"]) ?? "(unnamed)";
  const classname = str(tc["@_classname"]);
  const durationMs = Math.round((Number(tc["@_time"]) || 0) * 1000);
  const problem = asNodes(tc.failure)[0] ?? asNodes(tc.error)[0];
  if (problem) {
    const details = text(problem).trim();
    const message = str(problem["@_message"]) ?? str(tc["@_failure"]) ?? firstLine(details) ?? "failed";
    const attrFile = str(tc["@_file"]) ?? suiteFile;
    const attrLine = Number(tc["@_line"]) || undefined;
    const location = attrFile
      ? { file: attrFile, line: attrLine ?? frameIn(details, attrFile)?.line }
      : firstUserFrame(details);
    return { name, classname, status: "failed", durationMs, failure: { message, details, location } };
  }
  if (tc.skipped !== undefined) return { name, classname, status: "skipped", durationMs };
  return { name, classname, status: "passed", durationMs };
}

const FRAME = /(?:\(|\bat )((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?/g;

/** The first stack frame in `details` that points at user code (not node: internals or node_modules). */
export function firstUserFrame(details: string): TestLocation | undefined {
  for (const m of details.matchAll(FRAME)) {
    const file = m[1]!.replace(/^file:\/\//, "");
    if (/^node:|\/node_modules\/|^internal\//.test(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

function frameIn(details: string, file: string): TestLocation | undefined {
  for (const m of details.matchAll(FRAME)) {
    const f = m[1]!.replace(/^file:\/\//, "");
    if (f === file || f.endsWith(`/${file}`)) return { file, line: Number(m[2]) };
  }
  return undefined;
}

function asNodes(value: unknown): Node[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === "object" && v !== null ? (v as Node) : { "#text": String(v) }));
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function text(node: Node): string {
  return typeof node["#text"] === "string" ? node["#text"] : "";
}

function firstLine(s: string): string | undefined {
  return s
    .split("\n")
    .find((l) => l.trim())
    ?.trim();
}
