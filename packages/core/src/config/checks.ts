/**
 * Checks the schema cannot express (so they are not in the JSON Schema
 * either): port ranges that end before they start, and malformed `${…}`
 * references in env values. They run after the schema passed.
 */
import type { PathProblem } from "./describe";
import { parseTemplate } from "./references";
import type { PowertrainConfig, RunConfig } from "./schema";
import { parsePortRange } from "./units";

export function checkConfig(config: PowertrainConfig): PathProblem[] {
  const problems = checkRun(config.run, ["run"]);
  for (const [name, environment] of Object.entries(config.environments ?? {})) {
    problems.push(...checkRun(environment.run, ["environments", name, "run"]));
  }
  return problems;
}

function checkRun(run: RunConfig | undefined, path: (string | number)[]): PathProblem[] {
  const problems: PathProblem[] = [];
  (run?.ports ?? []).forEach((port, index) => {
    const host =
      typeof port === "string"
        ? port
            .replace(/\/(tcp|udp)$/, "")
            .split(":")
            .at(-2)
        : port.host;
    const container =
      typeof port === "string"
        ? port
            .replace(/\/(tcp|udp)$/, "")
            .split(":")
            .at(-1)
        : undefined;
    for (const value of [host, container]) {
      if (value === undefined) continue;
      try {
        parsePortRange(value);
      } catch (err) {
        const at = typeof port === "string" ? [...path, "ports", index] : [...path, "ports", index, "host"];
        problems.push({ path: at, message: (err as Error).message });
      }
    }
  });
  for (const [key, value] of Object.entries(run?.env ?? {})) {
    if (typeof value !== "string") continue;
    try {
      parseTemplate(value);
    } catch (err) {
      problems.push({ path: [...path, "env", key], message: (err as Error).message });
    }
  }
  return problems;
}
