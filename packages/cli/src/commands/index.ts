import type { Command } from "commander";
import type { CliContext } from "../main";
import { registerImport } from "./import";
import { registerInit } from "./init";
import { registerValidate } from "./validate";

/** Every subcommand registers itself here; one file per command under commands/. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerValidate(program, ctx);
  registerInit(program, ctx);
  registerImport(program, ctx);
}
