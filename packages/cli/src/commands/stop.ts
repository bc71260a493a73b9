/** `powertrain stop --env NAME`: stop the app on every host (containers stay for a later rollback). */
import { engineFor } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, type TargetFlags, targetOptions } from "../target";

export function registerStop(program: Command, ctx: CliContext): void {
  targetOptions(
    program.command("stop").description("Stop the app's serving containers on every host."),
  ).action(async (flags: TargetFlags) => {
    const environment = await loadTargetEnvironment(flags);
    const stopped = await engineFor(environment).stop(engineRequest(flags, environment, ctx));
    if (flags.json) ctx.out.write(`${JSON.stringify(stopped, null, 2)}\n`);
    else for (const c of stopped) ctx.out.write(`${c.host}\t${c.container}\tstopped\n`);
  });
}
