/** `powertrain scale -e ENV <N>`: more or fewer instances of the running version, without a redeploy. */
import { engineFor, UsageError } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, positive, type TargetFlags, targetOptions } from "../target";

export function registerScale(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("scale")
      .description(
        "Run N instances per host of the version that runs now: new ones pass the health gate before the router takes them, leaving ones drain first. The next deploy keeps N unless run.instances changes or --instances says otherwise.",
      )
      .argument("<instances>", "instances per host (Swarm: tasks of the service)"),
  )
    .option("--dry-run", "say what would change, change nothing")
    .action(async (count: string, flags: TargetFlags & { dryRun?: boolean }) => {
      const instances = positive("<instances>", count);
      if (instances === undefined) throw new UsageError("scale: give the number of instances");
      const environment = await loadTargetEnvironment(flags);
      const t0 = Date.now();
      const results = await engineFor(environment).scale({
        ...engineRequest(flags, environment, ctx),
        instances,
        dryRun: flags.dryRun,
      });
      if (flags.json) {
        ctx.out.write(`${JSON.stringify({ durationMs: Date.now() - t0, hosts: results }, null, 2)}\n`);
        return;
      }
      for (const r of results) {
        const what = r.planned
          ? "planned"
          : r.started.length
            ? `+${r.started.length}`
            : r.removed.length
              ? `-${r.removed.length}`
              : "unchanged";
        ctx.out.write(`${r.host}\t${r.version}\t${r.from} → ${r.to}\t(${what})\n`);
      }
    });
}
