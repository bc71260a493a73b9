import { PowertrainError } from "../errors";
import type { ImageReport } from "./image-report";
import type { TestSummary } from "./tests";

/** What a failed build got as far as, so the summary can still show it. */
export interface PartialBuild {
  tests?: TestSummary;
  report?: ImageReport;
  /** The test stage's exit status as it recorded it. */
  testStatus?: number;
}

/** The build failed: a stage did not build, tests failed, or a check (size, root) failed. */
export class BuildError extends PowertrainError {
  constructor(
    message: string,
    readonly partial: PartialBuild = {},
  ) {
    super(message);
  }
}
