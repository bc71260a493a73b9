import { PowertrainError } from "../errors";

/** A deploy, rollback or operation on a host failed; the message says where and why. */
export class DeployError extends PowertrainError {}

/** The configured host port range has no room for the new instances. */
export class PortRangeError extends PowertrainError {
  override readonly userError = true;
}
