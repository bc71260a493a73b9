/** `powertrain logs --env NAME`: the last log lines of every serving container, prefixed by host and container. */
import { logs } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";
import { loadTargetEnvironment, positive, sshOptions, type TargetFlags, targetOptions } from "./deploy";

export function registerLogs(program: Command, ctx: CliContext): void {
  targetOptions(
    program.command("logs").description("Show the last log lines of the app's containers on every host."),
  )
    .option("-n, --tail <lines>", "lines per container", "100")
    .action(async (flags: TargetFlags & { tail: string }) => {
      const environment = await loadTargetEnvironment(flags);
      await logs(
        {
          environment,
          tail: positive("--tail", flags.tail) ?? 100,
          ssh: sshOptions(flags),
          logger: ctx.logger,
        },
        (line) => ctx.out.write(`${line}\n`),
      );
    });
}
