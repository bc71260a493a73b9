import { PowertrainError } from "../errors";

/** Swarm refused, rolled back or did not converge; the message says which service and why. */
export class SwarmError extends PowertrainError {}

/** A configuration Swarm cannot express (e.g. a port range in ingress mode). */
export class SwarmConfigError extends PowertrainError {
  override readonly userError = true;
}
