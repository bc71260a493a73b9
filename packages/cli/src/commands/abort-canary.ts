/** `powertrain abort-canary --env NAME`: the canary leaves the load balancer and is removed. */
import { engineFor } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, type TargetFlags, targetOptions } from "../target";
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
    const results = await engineFor(environment).abortCanary(engineRequest(flags, environment, ctx));
    writeCanaryResults(ctx, results, flags.json, "aborted");
  });
}
