/**
 * `powertrain compare --env NAME`: the running canary and the stable set side by side — requests,
 * error rate, p50/p95/p99 — from every host's load balancer, over the last --since; `--html`
 * writes the same with a chart of both versions' latency distributions and error rates.
 */
import { writeFileSync } from "node:fs";
import {
  chartSpec,
  comparisonJson,
  comparisonTable,
  engineFor,
  htmlReport,
  parseDuration,
  UsageError,
} from "@powertrain/core";
// Deep import: the index leaves the SVG renderer (and vega) out of the actions' bundles.
import { renderSvg } from "@powertrain/core/src/canary/svg";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { engineRequest, loadTargetEnvironment, type TargetFlags, targetOptions } from "../target";

interface CompareFlags extends TargetFlags {
  since: string;
  html?: string;
}

export function registerCompare(program: Command, ctx: CliContext): void {
  targetOptions(
    program
      .command("compare")
      .description(
        "The running canary against the stable set: requests, error rate and p50/p95/p99 latency from the load balancer.",
      ),
  )
    .option("--since <duration>", "the window: requests of the last 30s, 5m, 1h…", "5m")
    .option("--html <file>", "also write an HTML report with a chart of both versions")
    .action(async (flags: CompareFlags) => {
      let sinceMs: number;
      try {
        sinceMs = parseDuration(flags.since);
      } catch (err) {
        throw new UsageError(`--since: ${(err as Error).message}`);
      }
      const environment = await loadTargetEnvironment(flags);
      const report = await engineFor(environment).compareCanary({
        ...engineRequest(flags, environment, ctx),
        sinceMs,
      });
      const c = report.comparison;
      if (flags.html) {
        const title = `${environment.app} in ${environment.name}: canary ${c.canary.version} against ${c.stable.version}`;
        const svg = await renderSvg(chartSpec(c, `the last ${flags.since}, ${report.hosts.length} host(s)`));
        writeFileSync(flags.html, htmlReport(c, svg, title));
        ctx.logger.info(`wrote ${flags.html}`);
      }
      if (flags.json) {
        const json = { ...comparisonJson(c), hosts: report.hosts, from: report.from, to: report.to };
        ctx.out.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      ctx.logger.info(`the last ${flags.since} on ${report.hosts.length} host(s):`);
      ctx.out.write(comparisonTable(c));
    });
}
