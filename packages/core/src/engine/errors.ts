import { UsageError } from "../errors";

/** An operation the environment's engine does not have: said plainly, never a silent no-op. */
export class EngineUnsupportedError extends UsageError {
  constructor(engine: string, operation: string, hint?: string) {
    super(`engine ${engine} has no ${operation}${hint ? `: ${hint}` : ""}`);
  }
}
