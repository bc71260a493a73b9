/** `powertrain build`: build, test and check the image as the build action does, from a terminal. */

import {
  BuildError,
  dryRunBuild,
  formatImageReport,
  formatTestSummary,
  loadConfig,
  parseSecretLines,
  runBuild,
  UsageError,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";

interface BuildFlags {
  config: string;
  tests: boolean;
  dryRun?: boolean;
  json?: boolean;
  image?: string;
  buildArg: string[];
  builder?: string;
  cacheFrom: string[];
  cacheTo: string[];
  secretEnv: string[];
  secretFile: string[];
  ssh: string[];
  platform: string[];
  push?: string;
}

export function registerBuild(program: Command, ctx: CliContext): void {
  program
    .command("build")
    .description(
      "Build the image: unit tests inside the Dockerfile first, then the final image, its report and checks.",
    )
    .option("-c, --config <file>", "powertrain.yml to use", "powertrain.yml")
    .option("--no-tests", "skip the test stage")
    .option("--dry-run", "print the docker commands it would run, and build nothing")
    .option("--json", "print the result as JSON on stdout")
    .option("--image <ref>", "local image reference to tag (default <name>:local)")
    .option("--build-arg <KEY=value>", "extra build argument (repeatable)", collect, [])
    .option("--builder <name>", "buildx builder to use (default build.builder, else buildx's current one)")
    .option("--cache-from <spec>", 'cache source in buildx syntax, or "registry" (repeatable)', collect, [])
    .option("--cache-to <spec>", 'cache export in buildx syntax, or "registry" (repeatable)', collect, [])
    .option(
      "--secret-env <id=VARIABLE>",
      "build secret from an environment variable (repeatable)",
      collect,
      [],
    )
    .option("--secret-file <id=path>", "build secret from a file (repeatable)", collect, [])
    .option(
      "--ssh <default|id[=path]>",
      "SSH agent socket or key for RUN --mount=type=ssh (repeatable)",
      collect,
      [],
    )
    .option(
      "--platform <os/arch>",
      "a platform of the index the builder pushes (repeatable, or comma-separated)",
      collect,
      [],
    )
    .option(
      "--push <ref>",
      "where the builder pushes the index (default <image.registry>/<repository>:<tag>)",
    )
    .action(async (flags: BuildFlags) => {
      const { config } = await loadConfig(flags.config);
      const request = {
        configFile: flags.config,
        config,
        skipTests: !flags.tests,
        image: flags.image,
        buildArgs: parseBuildArgs(flags.buildArg),
        builder: flags.builder,
        cacheFrom: flags.cacheFrom,
        cacheTo: flags.cacheTo,
        // No secret by value here: it would sit on the command line.
        secrets: [
          ...parseSecretLines(flags.secretEnv, "env", "--secret-env"),
          ...parseSecretLines(flags.secretFile, "file", "--secret-file"),
        ],
        ssh: flags.ssh,
        platforms: flags.platform
          .flatMap((p) => p.split(","))
          .map((p) => p.trim())
          .filter(Boolean),
        push: flags.push,
      };
      if (flags.dryRun) {
        const { commands, plan } = await dryRunBuild(request, { logger: ctx.logger });
        for (const w of plan.warnings) ctx.logger.warn(w);
        ctx.out.write(
          flags.json
            ? `${JSON.stringify({ image: plan.image, commands }, null, 2)}\n`
            : `${commands.join("\n")}\n`,
        );
        return;
      }
      try {
        const result = await runBuild(request, { logger: ctx.logger });
        if (result.tests) ctx.logger.info(formatTestSummary(result.tests));
        ctx.logger.info(formatImageReport(result.report));
        if (result.smoke) ctx.logger.info(`smoke test: ${result.smoke.message}`);
        ctx.logger.info(`built ${result.image} (${result.imageId})`);
        if (flags.json) {
          const { labels: _labels, ...rest } = result;
          ctx.out.write(`${JSON.stringify(rest, null, 2)}\n`);
        }
      } catch (err) {
        if (err instanceof BuildError) {
          if (err.partial.tests) ctx.logger.info(formatTestSummary(err.partial.tests));
          if (err.partial.report) ctx.logger.info(formatImageReport(err.partial.report));
          if (flags.json)
            ctx.out.write(`${JSON.stringify({ error: err.message, ...err.partial }, null, 2)}\n`);
        }
        throw err;
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseBuildArgs(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`--build-arg: expected KEY=value, got "${v}"`);
    }
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
