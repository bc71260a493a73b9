/**
 * `powertrain merge`: per-architecture images (built on native runners, pushed by digest) merged
 * into one multi-platform index under a tag, through the registry API only.
 */
import { mergeIndex, parseReference, registryClientFor, UsageError } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";

interface MergeFlags {
  tag: string;
  json?: boolean;
}

export function registerMerge(program: Command, ctx: CliContext): void {
  program
    .command("merge")
    .description(
      "Merge images pushed by digest (one per platform, e.g. from native amd64 and arm64 runners) into one index.",
    )
    .argument("<images...>", "registry/repository@sha256:… of each platform's image (or index)")
    .requiredOption("--tag <ref>", "where the index goes: registry/repository:tag")
    .option("--json", "print the result as JSON on stdout")
    .action(async (images: string[], flags: MergeFlags) => {
      const target = parseReference(flags.tag);
      if (!target.tag || target.digest)
        throw new UsageError(`--tag ${flags.tag}: expected registry/repository:tag`);
      const sources = images.map((i) => parseReference(i));
      const client = await registryClientFor(target.registry, ctx.logger);
      try {
        const result = await mergeIndex({ client, sources, target, logger: ctx.logger });
        for (const e of result.entries) ctx.logger.info(`  ${e.platform.padEnd(14)} ${e.digest}`);
        ctx.out.write(
          flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.ref}@${result.digest}\n`,
        );
      } finally {
        await client.close();
      }
    });
}
