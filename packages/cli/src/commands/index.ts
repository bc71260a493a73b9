import type { Command } from "commander";
import type { CliContext } from "../main";

/** Every subcommand registers itself here; one file per command under commands/. */
export function registerCommands(_program: Command, _ctx: CliContext): void {}
