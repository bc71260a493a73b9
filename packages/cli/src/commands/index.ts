import type { Command } from "commander";
import type { CliContext } from "../main";
import { registerExtractConfig } from "./extract-config";
import { registerFind } from "./find";
import { registerImages } from "./images";
import { registerImport } from "./import";
import { registerInit } from "./init";
import { registerPromote } from "./promote";
import { registerPublish } from "./publish";
import { registerValidate } from "./validate";

/** Every subcommand registers itself here; one file per command under commands/. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerValidate(program, ctx);
  registerInit(program, ctx);
  registerImport(program, ctx);
  registerPublish(program, ctx);
  registerPromote(program, ctx);
  registerImages(program, ctx);
  registerFind(program, ctx);
  registerExtractConfig(program, ctx);
}
