/**
 * The deploy gate's flags, shared by every command that puts an image on hosts (deploy, rollback):
 * the deploy side's policy from --verify-key/--verify-require, else the deploy checkout's
 * powertrain.yml, tightened by the image's own (core's gateDeploy).
 */
import { type DeployEnvironments, deployGateFor, type Logger } from "@powertrain/core";
import type { Command } from "commander";

export interface VerifyFlags {
  verifyKey?: string;
  verifyRequire?: string;
  insecureSkipVerify?: boolean;
}

export function verifyOptions(cmd: Command): Command {
  return cmd
    .option(
      "--verify-key <key>",
      "public key the image must be signed with (path, PEM or ${NAME}); default deploy.verify.key",
    )
    .option("--verify-require <list>", "what must verify: signature, tests (default signature)")
    .option("--insecure-skip-verify", "deploy without checking the verify policy (warns loudly)");
}

/** Checks `image` against the policy; throws (nothing touched yet) when it does not verify. */
export function deployGate(
  flags: VerifyFlags,
  loaded: DeployEnvironments,
  logger: Logger,
): (image: string) => Promise<void> {
  const gate = deployGateFor({
    key: flags.verifyKey,
    require: flags.verifyRequire,
    where: "--verify-require",
    deploySide: loaded.deploySide?.deploy.verify,
    imageSide: loaded.image?.deploy.verify,
    insecureSkipVerify: flags.insecureSkipVerify,
    logger,
  });
  return async (image) => {
    await gate(image);
  };
}
