import { PowertrainError } from "../errors";

/** SSH could not connect, authenticate or verify a host. */
export class SshError extends PowertrainError {
  constructor(
    readonly host: string,
    message: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, options);
  }
}
