import { PowertrainError } from "../errors";

/**
 * `integrity`: bytes that do not hash to the digest asked for; `rate-limited`: 429s beyond
 * what this client waits out.
 */
export type RegistryErrorKind =
  | "auth"
  | "not-found"
  | "network"
  | "server"
  | "protocol"
  | "integrity"
  | "rate-limited";

export interface RegistryErrorDetails {
  kind: RegistryErrorKind;
  registry: string;
  repository?: string;
  user?: string;
  /** HTTP status, when the registry answered. */
  status?: number;
}

/** A registry refused, could not be reached, or answered something unexpected. */
export class RegistryError extends PowertrainError {
  /** Wrong credentials and unknown versions are mistakes the user can fix. */
  override readonly userError: boolean;
  readonly kind: RegistryErrorKind;
  readonly registry: string;
  readonly repository?: string;
  readonly user?: string;
  readonly status?: number;

  constructor(message: string, details: RegistryErrorDetails, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.kind = details.kind;
    this.registry = details.registry;
    this.repository = details.repository;
    this.user = details.user;
    this.status = details.status;
    this.userError = details.kind === "auth" || details.kind === "not-found";
  }
}
