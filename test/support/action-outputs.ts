/** The outputs an action wrote to its GITHUB_OUTPUT file: `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core writes them. */
import { readFileSync } from "node:fs";

export function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of readFileSync(file, "utf8").matchAll(pattern)) outputs[m[1]!] = m[3]!;
  return outputs;
}
