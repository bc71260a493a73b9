/**
 * The one gate every deploy-side entry point (powertrain deploy, extract-config, the ssh-deploy
 * action) passes before any host is touched, --dry-run included: the deploy side's verify policy
 * (flags or inputs, else the deploy checkout's powertrain.yml), tightened by the image's own, checked
 * against the image. The image alone can never switch its check off nor choose its key.
 */
import { UsageError } from "../errors";
import type { Logger } from "../log";
import {
  effectivePolicy,
  REQUIREMENTS,
  type Requirement,
  type VerificationReport,
  type VerifyPolicy,
  verifyForDeploy,
} from "./policy";

export interface DeployGate {
  /** The pinned image about to be deployed. */
  image: string;
  /** The deploy side's policy: flags / inputs, or the deploy checkout's powertrain.yml. */
  deploySide?: VerifyPolicy;
  /** The policy baked into the image (extract-config's resolved environment). */
  imageSide?: VerifyPolicy;
  insecureSkipVerify?: boolean;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export async function gateDeploy(gate: DeployGate): Promise<VerificationReport> {
  const { policy, ignored } = effectivePolicy(gate.deploySide, gate.imageSide);
  if (ignored) gate.logger.warn(ignored);
  return verifyForDeploy(policy, gate.image, {
    logger: gate.logger,
    insecureSkipVerify: gate.insecureSkipVerify,
    env: gate.env,
  });
}

/**
 * A policy from a flag or an input pair: `key` (path, PEM, `${NAME}`) and `require` (a comma or
 * space separated list, default signature); undefined when no key is given.
 */
export function policyFromInputs(
  key: string | undefined,
  require: string | undefined,
  where = "verify-require",
): VerifyPolicy | undefined {
  const items = (require ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!(REQUIREMENTS as readonly string[]).includes(item)) {
      throw new UsageError(`${where}: "${item}" is not one of ${REQUIREMENTS.join(", ")}`);
    }
  }
  if (!key) {
    if (items.length) throw new UsageError(`${where} needs a key to verify with`);
    return undefined;
  }
  return { key, require: items.length ? (items as Requirement[]) : ["signature"] };
}

/**
 * The gate of an entry point that puts images on hosts (deploy, rollback): its flags or inputs
 * (`key`, `require`), else the deploy checkout's policy, tightened by the image's own.
 */
export function deployGateFor(o: {
  key?: string;
  require?: string;
  /** How the require list is named in errors, e.g. `--verify-require`. */
  where: string;
  /** The deploy checkout's deploy.verify, when no key is given. */
  deploySide?: VerifyPolicy;
  imageSide?: VerifyPolicy;
  insecureSkipVerify?: boolean;
  logger: Logger;
}): (image: string) => Promise<VerificationReport> {
  return (image) =>
    gateDeploy({
      image,
      deploySide: policyFromInputs(o.key, o.require, o.where) ?? o.deploySide,
      imageSide: o.imageSide,
      insecureSkipVerify: o.insecureSkipVerify,
      logger: o.logger,
    });
}
