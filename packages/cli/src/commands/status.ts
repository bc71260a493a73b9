/**
 * `powertrain status`: with --env, what `ps` shows (every container of that environment); without,
 * the fleet view — every environment of powertrain.yml, host by host, in one table.
 */
import {
  type DeployEnvironment,
  engineFor,
  fleetStatus,
  formatFleet,
  listEnvironments,
  loadConfig,
  resolveEnvironment,
  UsageError,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, sshOptions, type TargetFlags, targetOptions } from "../target";
import { formatTable } from "./ps";

export function registerStatus(program: Command, ctx: CliContext): void {
  const cmd = targetOptions(
    program
      .command("status")
      .description(
        "Every environment × host: version, commit, age, healthy/total instances, drift. With --env: that environment's containers (as ps).",
      ),
  );
  // --env is what narrows the view here, not a requirement.
  const env = cmd.options.find((o) => o.long === "--env")!;
  env.mandatory = false;
  env.description = "one environment's containers (as ps) instead of the fleet";
  cmd.action(async (flags: Partial<TargetFlags>) => {
    if (flags.env !== undefined) {
      const environment = await loadTargetEnvironment(flags as TargetFlags);
      const list = await engineFor(environment).status(engineRequest(flags as TargetFlags, environment, ctx));
      ctx.out.write(flags.json ? `${JSON.stringify(list, null, 2)}\n` : formatTable(list));
      return;
    }
    if (flags.resolved !== undefined || flags.hosts !== undefined) {
      throw new UsageError("--resolved and --hosts name one environment's hosts: use them with --env");
    }
    const environments = await allEnvironments(flags.config ?? "powertrain.yml");
    ctx.logger.info(
      `asking ${environments.reduce((n, e) => n + Math.max(1, e.hosts.length), 0)} host(s) of ${environments.length} environment(s)`,
    );
    const fleet = await fleetStatus({
      environments,
      ssh: sshOptions(flags as TargetFlags),
      logger: ctx.logger,
    });
    ctx.out.write(flags.json ? `${JSON.stringify({ environments: fleet }, null, 2)}\n` : formatFleet(fleet));
  });
}

/** Every environment of the file that has somewhere to look (hosts, or a Swarm manager). */
async function allEnvironments(file: string): Promise<DeployEnvironment[]> {
  const { config, file: path } = await loadConfig(file);
  const names = listEnvironments(config);
  if (names.length === 0) {
    throw new UsageError(`${path} defines no environments`, { hint: "add them under environments:" });
  }
  return names
    .map((name) => resolveEnvironment(config, name, path))
    .filter((e) => e.hosts.length > 0 || engineFor(e).name === "swarm");
}
