/** `powertrain import powertrain.mk [-o powertrain.yml]`: convert the old Makefile-style config. */
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import {
  DEFAULT_CONFIG_FILE,
  importLegacyMakefile,
  MAX_CONFIG_BYTES,
  parseConfig,
  UsageError,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";
import { writeNew } from "./init";

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command("import")
    .description("Convert an old Makefile-style config (powertrain.mk) into powertrain.yml.")
    .argument("<makefile>", "the Makefile-style config to read")
    .option("-o, --output <file>", "where to write the result", DEFAULT_CONFIG_FILE)
    .option("-f, --force", "overwrite an existing output file")
    .action(async (makefile: string, options: { output: string; force?: boolean }) => {
      let text: string;
      try {
        const bytes = await readFile(makefile);
        if (bytes.length > MAX_CONFIG_BYTES) throw new UsageError(`${makefile} is larger than 1 MiB`);
        text = bytes.toString("utf8");
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`cannot read ${makefile}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      const result = importLegacyMakefile(text, basename(dirname(resolve(makefile))), basename(makefile));
      // The importer only emits values the schema accepts; this guards that promise.
      parseConfig(result.yaml, options.output);
      await writeNew(options.output, result.yaml, Boolean(options.force));
      for (const note of result.unmapped) {
        ctx.logger.warn(`${note.variable}: ${note.reason}`, { file: makefile, line: note.line });
      }
      const skipped = result.unmapped.length;
      ctx.logger.info(
        `wrote ${options.output}${skipped ? `; ${skipped} item${skipped === 1 ? "" : "s"} not converted (listed above)` : ""}`,
      );
    });
}
