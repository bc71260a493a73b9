import type { Command } from "commander";
import type { CliContext } from "../context";
import { registerAbortCanary } from "./abort-canary";
import { registerAttestations } from "./attestations";
import { registerBuild } from "./build";
import { registerCompare } from "./compare";
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
import { registerSign } from "./sign";
import { registerStop } from "./stop";
import { registerValidate } from "./validate";
import { registerVerify } from "./verify";

/** Every subcommand registers itself here; one file per command under commands/. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerValidate(program, ctx);
  registerInit(program, ctx);
  registerImport(program, ctx);
  registerBuild(program, ctx);
  registerPublish(program, ctx);
  registerPromote(program, ctx);
  registerSign(program, ctx);
  registerVerify(program, ctx);
  registerAttestations(program, ctx);
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
  registerCompare(program, ctx);
}
