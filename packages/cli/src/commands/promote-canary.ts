/** `powertrain promote-canary --env NAME`: the running canary takes all the traffic; the old set retires. */
import { type CanaryResult, engineFor } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, type TargetFlags, targetOptions } from "../target";

export function registerPromoteCanary(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("promote-canary")
      .description(
        "Give the running canary 100% of the traffic: start its missing instances, switch, drain and stop the old set.",
      ),
  )
    .option("--bind-address <ip>", "address the new instances' ports bind to (default all)")
    .action(async (flags: TargetFlags & { bindAddress?: string }) => {
      const environment = await loadTargetEnvironment(flags);
      // ${NAME} references are resolved for the version actually started.
      const results = await engineFor(environment).promoteCanary(
        engineRequest(flags, environment, ctx, { bindAddress: flags.bindAddress }),
      );
      writeCanaryResults(ctx, results, flags.json, "promoted");
    });
}

export function writeCanaryResults(
  ctx: CliContext,
  results: CanaryResult[],
  json: boolean | undefined,
  verb: string,
): void {
  if (json) {
    ctx.out.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  for (const r of results) {
    ctx.out.write(
      `${r.host}\t${verb} ${r.version}\t${r.serving.length} instance(s) serving\t(switched in ${r.switchMs} ms)\n`,
    );
  }
}
