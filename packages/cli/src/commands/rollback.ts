/** `powertrain rollback --env NAME [--to VERSION]`: restart the kept previous containers, else redeploy. */
import { rollback, swarmRollback, usesSwarm } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";
import {
  loadTargetEnvironment,
  registryAuthFor,
  sshOptions,
  type TargetFlags,
  targetOptions,
} from "./deploy";

export function registerRollback(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("rollback")
      .description(
        "Go back to the previous version: an idle blue-green set is switched back to, kept containers restart, else it is redeployed.",
      ),
  )
    .option("--to <version>", "version to go back to (default: the one before the current)")
    .action(async (flags: TargetFlags & { to?: string }) => {
      const environment = await loadTargetEnvironment(flags);
      const t0 = Date.now();
      const results = usesSwarm(environment)
        ? await swarmRollback({ environment, to: flags.to, ssh: sshOptions(flags), logger: ctx.logger })
        : await rollback({
            environment,
            // ${NAME} references are resolved for the version actually started.
            referenceSource: process.env,
            to: flags.to,
            ssh: sshOptions(flags),
            registryAuth: registryAuthFor(""), // its registry is set from the image rolled back to
            logger: ctx.logger,
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
