/** `powertrain abort-canary --env NAME`: the canary leaves the load balancer and is removed. */
import { abortCanary } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";
import { loadTargetEnvironment, sshOptions, type TargetFlags, targetOptions } from "./deploy";
import { writeCanaryResults } from "./promote-canary";

export function registerAbortCanary(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("abort-canary")
      .description(
        "Take the running canary out of the load balancer, drain and remove it; the old set gets 100%.",
      ),
  ).action(async (flags: TargetFlags) => {
    const environment = await loadTargetEnvironment(flags);
    const results = await abortCanary({ environment, ssh: sshOptions(flags), logger: ctx.logger });
    writeCanaryResults(ctx, results, flags.json, "aborted");
  });
}
