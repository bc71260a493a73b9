/**
 * `powertrain run -e ENV [--host H] -- COMMAND…`: a one-off container of the deployed version on
 * the environment's first host (or --host), with its run configuration; interactive (a terminal)
 * when stdin is one, otherwise stdin, stdout and stderr stream through. Exits with the command's
 * exit status.
 */
import { engineFor, parseHostSpec, type SshTarget } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, type TargetFlags, targetOptions } from "../target";

interface RunFlags extends TargetFlags {
  host?: string;
  dryRun?: boolean;
}

export function registerRun(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("run")
      .description(
        "Run a command in a one-off container of the deployed version (a console, a task), with the environment's settings.",
      )
      .argument("<command...>", "the command and its arguments, after --")
      .passThroughOptions(),
  )
    .option("--host <host>", "[user@]host[:port] to run on (default: the environment's first host)")
    .option("--dry-run", "print the docker command that would run, run nothing")
    .action(async (command: string[], flags: RunFlags) => {
      const environment = await loadTargetEnvironment(flags);
      const hosts = flags.host ? [pickHost(flags.host, environment.hosts)] : undefined;
      const result = await engineFor(environment).run({
        ...engineRequest(flags, environment, ctx, hosts ? { hosts } : {}),
        command,
        tty: Boolean(process.stdin.isTTY && process.stdout.isTTY),
        dryRun: flags.dryRun,
      });
      if (flags.json) ctx.out.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (flags.dryRun) ctx.out.write(`${result.host}: ${result.command}\n`);
      ctx.exitCode = result.exitCode;
    });
}

/** --host: the environment's own entry for that host (its user, port, jump) when it has one. */
function pickHost(spec: string, hosts: readonly SshTarget[]): SshTarget {
  const wanted = parseHostSpec(spec);
  const known = hosts.find(
    (h) =>
      h.host === wanted.host &&
      (wanted.port === undefined || h.port === wanted.port) &&
      (wanted.user === undefined || h.user === wanted.user),
  );
  return known ?? wanted;
}
