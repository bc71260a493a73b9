/**
 * Running the remote scripts (the .sh files in this folder, generated into scripts.generated.ts)
 * on a host, and reading the @@section output several of them print. Each script has one typed
 * caller that owns its arguments; they all go through runScript.
 */
import type { ExecResult } from "../exec/exec";
import type { RemoteHost, RemoteRunOptions } from "../ssh/session";
import { REMOTE_SCRIPTS, type RemoteScript } from "./scripts.generated";

export { REMOTE_SCRIPTS, type RemoteScript } from "./scripts.generated";

/** Run script `name` on `host` as `sh -c SCRIPT sh ARG…`: values arrive as arguments, never spliced in. */
export function runScript(
  host: Pick<RemoteHost, "run">,
  name: RemoteScript,
  args: readonly string[],
  options?: RemoteRunOptions,
): Promise<ExecResult> {
  return host.run(["sh", "-c", REMOTE_SCRIPTS[name], "sh", ...args], options);
}

/** Which script an argument list runs (for hosts that answer by name, such as a test's fake host). */
export function scriptOf(args: readonly string[]): { name: RemoteScript; args: string[] } | undefined {
  if (args[0] !== "sh" || args[1] !== "-c") return undefined;
  const name = (Object.keys(REMOTE_SCRIPTS) as RemoteScript[]).find((n) => REMOTE_SCRIPTS[n] === args[2]);
  return name && { name, args: args.slice(4) };
}

/** Output lines `@@name` start a section; what precedes the first one goes under "". */
export function parseSections(text: string): Record<string, string> {
  const out: Record<string, string> = { "": "" };
  let current = "";
  for (const line of text.split("\n")) {
    const m = /^@@(\w+)$/.exec(line.trim());
    if (m) {
      current = m[1]!;
      out[current] = "";
    } else out[current] += `${line}\n`;
  }
  return out;
}
