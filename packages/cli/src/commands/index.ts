import type { Command } from "commander";
import type { CliContext } from "../main";
import { registerAbortCanary } from "./abort-canary";
import { registerBuild } from "./build";
import { registerDeploy } from "./deploy";
import { registerExtractConfig } from "./extract-config";
import { registerFind } from "./find";
import { registerImages } from "./images";
import { registerImport } from "./import";
import { registerInit } from "./init";
import { registerLogs } from "./logs";
import { registerMerge } from "./merge";
import { registerPromote } from "./promote";
import { registerPromoteCanary } from "./promote-canary";
import { registerPs } from "./ps";
import { registerPublish } from "./publish";
import { registerRollback } from "./rollback";
import { registerStop } from "./stop";
import { registerValidate } from "./validate";

/** Every subcommand registers itself here; one file per command under commands/. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerValidate(program, ctx);
  registerInit(program, ctx);
  registerImport(program, ctx);
  registerBuild(program, ctx);
  registerPublish(program, ctx);
  registerPromote(program, ctx);
  registerMerge(program, ctx);
  registerImages(program, ctx);
  registerFind(program, ctx);
  registerExtractConfig(program, ctx);
  registerDeploy(program, ctx);
  registerRollback(program, ctx);
  registerPs(program, ctx);
  registerLogs(program, ctx);
  registerStop(program, ctx);
  registerPromoteCanary(program, ctx);
  registerAbortCanary(program, ctx);
}
