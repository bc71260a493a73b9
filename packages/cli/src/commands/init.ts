/** `powertrain init [--name NAME] [--force]`: write a commented starter powertrain.yml. */
import { access, writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, starterConfig, toAppName, UsageError } from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../context";

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description("Write a commented starter powertrain.yml.")
    .option("-n, --name <name>", "the application's name (default: the directory's name)")
    .option("-o, --output <file>", "where to write it", DEFAULT_CONFIG_FILE)
    .option("-f, --force", "overwrite an existing file")
    .action(async (options: { name?: string; output: string; force?: boolean }) => {
      const name = toAppName(options.name ?? basename(dirname(resolve(options.output))));
      await writeNew(options.output, starterConfig(name), Boolean(options.force));
      ctx.logger.info(`wrote ${options.output} for "${name}"; check it with \`powertrain validate\``);
    });
}

/** Write `text` to `file`, refusing to replace an existing file unless `force`. */
export async function writeNew(file: string, text: string, force: boolean): Promise<void> {
  if (!force && (await exists(file))) {
    throw new UsageError(`${file} already exists`, { hint: "use --force to overwrite it" });
  }
  await writeFile(file, text, { flag: force ? "w" : "wx" });
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
