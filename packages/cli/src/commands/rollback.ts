/** `powertrain rollback --env NAME [--to VERSION]`: back to the previous version, with the environment's engine. */
import { engineFor } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTarget, registryAuthFor, type TargetFlags, targetOptions } from "../target";
import { deployGate, type VerifyFlags, verifyOptions } from "../verify-gate";

export function registerRollback(program: Command, ctx: CliContext): void {
  verifyOptions(
    targetOptions(
      program
        .command("rollback")
        .description(
          "Go back to the previous version: an idle blue-green set is switched back to, kept containers restart, else it is redeployed.",
        ),
    ).option("--to <version>", "version to go back to (default: the one before the current)"),
  ).action(async (flags: TargetFlags & VerifyFlags & { to?: string }) => {
    const loaded = await loadTarget(flags);
    const environment = loaded.environment;
    const t0 = Date.now();
    const results = await engineFor(environment).rollback({
      ...engineRequest(flags, environment, ctx, { registryAuth: await registryAuthFor(environment) }),
      to: flags.to,
      // The version gone back to passes the same gate as a deploy, before anything changes.
      verifyTarget: deployGate(flags, loaded, ctx.logger),
    });
    if (flags.json) {
      ctx.out.write(`${JSON.stringify({ durationMs: Date.now() - t0, hosts: results }, null, 2)}\n`);
      return;
    }
    for (const r of results) {
      const switched = r.switchMs === undefined ? "" : `, switched in ${r.switchMs} ms`;
      ctx.out.write(`${r.host}\t${r.from ?? "-"} → ${r.to}\t(${r.method}${switched})\n`);
    }
  });
}
