/** `powertrain stop --env NAME`: stop the app on every host (containers stay for a later rollback). */
import { stop } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";
import { loadTargetEnvironment, sshOptions, type TargetFlags, targetOptions } from "./deploy";

export function registerStop(program: Command, ctx: CliContext): void {
  targetOptions(
    program.command("stop").description("Stop the app's serving containers on every host."),
  ).action(async (flags: TargetFlags) => {
    const environment = await loadTargetEnvironment(flags);
    const stopped = await stop({ environment, ssh: sshOptions(flags), logger: ctx.logger });
    if (flags.json) ctx.out.write(`${JSON.stringify(stopped, null, 2)}\n`);
    else for (const c of stopped) ctx.out.write(`${c.host}\t${c.container}\tstopped\n`);
  });
}
