/** `powertrain deploy <image> --env NAME`: the health-gated rollout with the environment's engine. */
import {
  analysisJson,
  DeployError,
  type DeployReport,
  engineFor,
  imageVersionLabel,
  RolloutError,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import {
  engineRequest,
  loadTarget,
  positive,
  registryAuthFor,
  type TargetFlags,
  targetOptions,
} from "../target";
import { deployGate, type VerifyFlags, verifyOptions } from "../verify-gate";

interface DeployFlags extends TargetFlags, VerifyFlags {
  version?: string;
  strategy?: string;
  instances?: string;
  maxParallel?: string;
  bindAddress?: string;
  dryRun?: boolean;
  analysis?: boolean;
}

export function registerDeploy(program: Command, ctx: CliContext): void {
  verifyOptions(
    targetOptions(
      program
        .command("deploy")
        .description(
          "Roll a pinned image out to the environment's hosts: start, gate on health, then stop the old.",
        )
        .argument("<image>", "pinned image: registry/repository[:tag]@sha256:<digest>"),
    )
      .option(
        "--version <version>",
        "version label (default: the image's org.opencontainers.image.version label, else its tag)",
      )
      .option(
        "--strategy <name>",
        "rolling, blue-green or canary (default: deploy.strategy); the last two need deploy.router",
      )
      .option("--instances <n>", "instances per host (default: from the configuration)")
      .option("--max-parallel <n>", "hosts deployed at once")
      .option("--bind-address <ip>", "address published ports bind to (default all)")
      .option("--dry-run", "print the plan for every host without changing anything")
      .option("--no-analysis", "a canary: do not wait for deploy.canary.analysis's verdict"),
  ).action(async (image: string, flags: DeployFlags) => {
    const loaded = await loadTarget(flags);
    const env = loaded.environment;
    // Before any host, --dry-run included: the deploy side's policy, never only the image's.
    await deployGate(flags, loaded, ctx.logger)(image);
    const registryAuth = await registryAuthFor(env, image);
    if (registryAuth) ctx.logger.mask(registryAuth.password);
    let report: DeployReport;
    try {
      report = await engineFor(env).deploy({
        ...engineRequest(flags, env, ctx, { registryAuth, bindAddress: flags.bindAddress }),
        image,
        // The image's own version label first, then its tag, then its short digest.
        version: flags.version ?? (await imageVersionLabel(image, ctx.logger)),
        instances: positive("--instances", flags.instances),
        maxParallel: positive("--max-parallel", flags.maxParallel),
        strategy: flags.strategy,
        dryRun: flags.dryRun,
      });
    } catch (err) {
      if (err instanceof RolloutError && flags.json)
        ctx.out.write(`${JSON.stringify(jsonReport(err.report), null, 2)}\n`);
      throw err;
    }
    const analyse =
      report.strategy === "canary" &&
      !flags.dryRun &&
      flags.analysis !== false &&
      env.deploy.canary?.analysis;
    if (analyse && !flags.json) writeDeployed(ctx, report, true);
    const analysis = analyse
      ? await engineFor(env).analyzeCanary(
          engineRequest(flags, env, ctx, { registryAuth, bindAddress: flags.bindAddress }),
        )
      : undefined;
    if (flags.json) {
      const out = { ...(jsonReport(report) as object), analysis: analysis && analysisJson(analysis) };
      ctx.out.write(`${JSON.stringify(out, null, 2)}\n`);
    } else if (analysis) {
      ctx.out.write(`canary ${analysis.canaryVersion}\t${analysis.outcome}\t${analysis.action}\n`);
    } else if (!flags.dryRun) writeDeployed(ctx, report);
    if (analysis?.outcome === "inconclusive")
      ctx.logger.warn(
        `canary ${analysis.canaryVersion}: inconclusive (${analysis.reasons.join("; ")}); ${analysis.action === "hold" ? "it keeps running: promote-canary or abort-canary ends it" : analysis.action}`,
      );
    if (analysis?.outcome === "fail") {
      throw new DeployError(
        `canary ${analysis.canaryVersion} failed its analysis (${analysis.reasons.join("; ")}); ${analysis.action === "abort" ? "it was aborted, the old version serves" : `on-fail: ${analysis.action}`}`,
      );
    }
  });
}

function writeDeployed(ctx: CliContext, report: DeployReport, analysed = false): void {
  const switched = report.switchMs === undefined ? "" : `, load balancer switched in ${report.switchMs} ms`;
  ctx.logger.info(
    `deployed ${report.version} (${report.strategy}) in ${(report.durationMs / 1000).toFixed(1)} s${switched}`,
  );
  if (report.strategy === "canary" && !analysed)
    ctx.logger.info("canary running: powertrain promote-canary or abort-canary ends it");
  for (const d of report.deployed)
    ctx.out.write(`${d.host}\t${d.container}\t${d.port ?? "-"}\t${d.version}\n`);
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
