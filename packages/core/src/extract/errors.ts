import { PowertrainError } from "../errors";

/**
 * Why the run configuration could not be read out of an image:
 * - `not-found`: no such image (locally, or in the registry, or not for the platform asked for);
 * - `no-access`: the registry refused the credentials (or their absence);
 * - `no-config`: the image carries no powertrain config label (built by something else);
 * - `invalid-config`: the label no longer validates under this powertrain's schema;
 * - `unknown-environment`: the config has no such environment;
 * - `file-not-found`: a path asked for with `files` is not in the image;
 * - `not-a-regular-file`: it is (or holds) a symlink, hard link, device, FIFO or socket;
 * - `file-too-large`: the files asked for hold more than the size cap.
 */
export type ExtractErrorKind =
  | "not-found"
  | "no-access"
  | "no-config"
  | "invalid-config"
  | "unknown-environment"
  | "file-not-found"
  | "not-a-regular-file"
  | "file-too-large";

/** One clear line about what is wrong with the image or the request; always a user-fixable mistake. */
export class ExtractError extends PowertrainError {
  override readonly userError = true;

  constructor(
    readonly kind: ExtractErrorKind,
    message: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, options);
  }
}
