/**
 * A command attached to this process's own terminal or pipes (stdin, stdout, stderr inherited):
 * for `powertrain run`, where a person types into a remote console or pipes data through a task.
 * Nothing is captured or masked — the output is the user's own command's. Part of the one exec
 * wrapper: every external command still starts in this folder.
 */
import { spawn } from "node:child_process";
import { PowertrainError } from "../errors";
import { type Logger, silentLogger } from "../log";
import { shellCommand } from "./quote";

/** Run `file` with `args` on the inherited stdio; settles with its exit code (128+n for signal n). */
export function execAttached(
  file: string,
  args: readonly string[],
  o: { logger?: Logger } = {},
): Promise<number> {
  (o.logger ?? silentLogger).debug(`$ ${shellCommand([file, ...args])} (attached)`);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: "inherit" });
    child.once("error", (e) =>
      reject(new PowertrainError(`${file} could not be started: ${e.message}`, { cause: e })),
    );
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}
