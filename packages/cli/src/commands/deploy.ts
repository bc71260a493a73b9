/**
 * `powertrain deploy <image> --env NAME`: the health-gated rolling deploy over
 * SSH. Also the shared pieces of the host-facing commands (rollback, ps,
 * logs, stop): which environment, which hosts, how to reach them.
 */
import { readFile } from "node:fs/promises";
import {
  type DeployEnvironment,
  type DeployReport,
  deployWithEngine,
  loadConfig,
  parseHostSpec,
  type RegistryAuth,
  RolloutError,
  registryOf,
  resolveEnvironment,
  type SshSessionOptions,
  type SshTarget,
  UsageError,
  usesSwarm,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";

export interface TargetFlags {
  env: string;
  config?: string;
  resolved?: string;
  hosts?: string;
  sshKey?: string;
  knownHosts?: string;
  insecureIgnoreHostKey?: boolean;
  json?: boolean;
}

/** The options every host-facing command takes. */
export function targetOptions(cmd: Command): Command {
  return cmd
    .requiredOption("-e, --env <name>", "environment to act on")
    .option("-c, --config <file>", "powertrain.yml to read the environment from", "powertrain.yml")
    .option(
      "--resolved <file>",
      "use this resolved environment JSON (extract-config --out) instead of --config",
    )
    .option("--hosts <list>", "comma-separated [user@]host[:port] instead of the environment's hosts")
    .option("--ssh-key <file>", "private key (ssh-agent is used too when SSH_AUTH_SOCK is set)")
    .option("--known-hosts <file>", "known_hosts to verify host keys against (default ~/.ssh/known_hosts)")
    .option("--insecure-ignore-host-key", "do not verify host keys (dangerous; warns)")
    .option("--json", "print the result as JSON on stdout");
}

export async function loadTargetEnvironment(flags: TargetFlags): Promise<DeployEnvironment> {
  let env: DeployEnvironment;
  if (flags.resolved) {
    const text = await readFile(flags.resolved, "utf8").catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${flags.resolved}: ${err.code ?? err.message}`);
    });
    env = JSON.parse(text) as DeployEnvironment;
  } else {
    const { config, file } = await loadConfig(flags.config);
    env = resolveEnvironment(config, flags.env, file);
  }
  const hosts = flags.hosts ? parseHosts(flags.hosts) : env.hosts;
  // A Swarm environment without hosts is driven through the local docker CLI.
  if (hosts.length === 0 && !usesSwarm(env)) {
    throw new UsageError(`environment "${flags.env}" has no hosts`, {
      hint: "list them under hosts: or pass --hosts",
    });
  }
  return { ...env, hosts };
}

export function parseHosts(list: string): SshTarget[] {
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(parseHostSpec);
}

export function sshOptions(flags: TargetFlags): SshSessionOptions {
  return {
    identityFile: flags.sshKey,
    knownHostsFile: flags.knownHosts,
    insecureIgnoreHostKey: flags.insecureIgnoreHostKey,
  };
}

/** Registry credentials for the hosts' pull, from POWERTRAIN_REGISTRY_USER/PASSWORD (the registry is set per image). */
export function registryAuthFor(
  image: string,
  env: NodeJS.ProcessEnv = process.env,
): RegistryAuth | undefined {
  const username = env.POWERTRAIN_REGISTRY_USER;
  const password = env.POWERTRAIN_REGISTRY_PASSWORD;
  if (!username || !password) return undefined;
  return { registry: registryOf(image), username, password };
}

interface DeployFlags extends TargetFlags {
  version?: string;
  strategy?: string;
  instances?: string;
  maxParallel?: string;
  bindAddress?: string;
  dryRun?: boolean;
}

export function registerDeploy(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("deploy")
      .description(
        "Roll a pinned image out to the environment's hosts: start, gate on health, then stop the old.",
      )
      .argument("<image>", "pinned image: registry/repository[:tag]@sha256:<digest>"),
  )
    .option("--version <version>", "version label (default: the image's tag)")
    .option(
      "--strategy <name>",
      "rolling, blue-green or canary (default: deploy.strategy); the last two need deploy.router",
    )
    .option("--instances <n>", "instances per host (default: from the configuration)")
    .option("--max-parallel <n>", "hosts deployed at once")
    .option("--bind-address <ip>", "address published ports bind to (default all)")
    .option("--dry-run", "print the plan for every host without changing anything")
    .action(async (image: string, flags: DeployFlags) => {
      const env = await loadTargetEnvironment(flags);
      const registryAuth = registryAuthFor(image);
      if (registryAuth) ctx.logger.mask(registryAuth.password);
      let report: DeployReport;
      try {
        report = await deployWithEngine({
          environment: env,
          envSource: process.env,
          image,
          version: flags.version,
          instances: positive("--instances", flags.instances),
          maxParallel: positive("--max-parallel", flags.maxParallel),
          strategy: flags.strategy,
          bindAddress: flags.bindAddress,
          registryAuth,
          dryRun: flags.dryRun,
          ssh: sshOptions(flags),
          logger: ctx.logger,
        });
      } catch (err) {
        if (err instanceof RolloutError && flags.json)
          ctx.out.write(`${JSON.stringify(jsonReport(err.report), null, 2)}\n`);
        throw err;
      }
      if (flags.json) ctx.out.write(`${JSON.stringify(jsonReport(report), null, 2)}\n`);
      else if (!flags.dryRun) {
        const switched =
          report.switchMs === undefined ? "" : `, load balancer switched in ${report.switchMs} ms`;
        ctx.logger.info(
          `deployed ${report.version} (${report.strategy}) in ${(report.durationMs / 1000).toFixed(1)} s${switched}`,
        );
        if (report.strategy === "canary")
          ctx.logger.info("canary running: powertrain promote-canary or abort-canary ends it");
        for (const d of report.deployed)
          ctx.out.write(`${d.host}\t${d.container}\t${d.port ?? "-"}\t${d.version}\n`);
      }
    });
}

/** The report as printed by --json: plans reduced to what a person or a script reads. */
export function jsonReport(r: DeployReport): unknown {
  return {
    ...r,
    hosts: r.hosts.map(({ plan, ...h }) =>
      plan
        ? {
            ...h,
            plan: {
              upToDate: plan.upToDate,
              pull: plan.pull,
              start: plan.start.map((s) => ({ name: s.name, ports: s.hostPorts })),
              health: plan.health,
              stop: plan.stop.map((c) => c.name),
              remove: [...plan.removeFirst, ...plan.removeAfter].map((c) => c.name),
              warnings: plan.warnings,
            },
          }
        : h,
    ),
  };
}

export function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag}: expected a whole number ≥ 1, got "${value}"`);
  return Number(value);
}
