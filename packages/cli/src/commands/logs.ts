/**
 * `powertrain logs --env NAME [--follow]`: the last log lines of every serving
 * container, prefixed by host and container; with --follow, new lines as they
 * come from all of them until Ctrl-C.
 */
import { engineFor } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, positive, type TargetFlags, targetOptions } from "../target";

export function registerLogs(program: Command, ctx: CliContext): void {
  targetOptions(
    program.command("logs").description("Show the last log lines of the app's containers on every host."),
  )
    .option("-n, --tail <lines>", "lines per container", "100")
    .option("-f, --follow", "keep printing new lines, from every container at once, until interrupted")
    .action(async (flags: TargetFlags & { tail: string; follow?: boolean }) => {
      const environment = await loadTargetEnvironment(flags);
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      process.once("SIGINT", interrupt);
      process.once("SIGTERM", interrupt);
      try {
        await engineFor(environment).logs(
          {
            ...engineRequest(flags, environment, ctx),
            tail: positive("--tail", flags.tail) ?? 100,
            follow: flags.follow,
            signal: stop.signal,
          },
          (line) => ctx.out.write(`${line}\n`),
        );
      } finally {
        process.off("SIGINT", interrupt);
        process.off("SIGTERM", interrupt);
      }
    });
}
