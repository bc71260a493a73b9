/**
 * `runAction(main, post)` owns the try/catch of every action: it runs the
 * main step (or, on the second invocation, the post step that cleans up),
 * turns typed errors into `setFailed` with file/line annotations, and keeps
 * stack traces for real bugs only.
 */
import * as actions from "@actions/core";
import { ConfigError, isUserError, type Logger, PowertrainError } from "@powertrain/core";
import { actionsLogger } from "./logger";

export interface ActionContext {
  logger: Logger;
}

const POST_STATE = "powertrain-is-post";

export async function runAction(
  main: (ctx: ActionContext) => Promise<void>,
  post?: (ctx: ActionContext) => Promise<void>,
): Promise<void> {
  const ctx: ActionContext = { logger: actionsLogger };
  const isPost = actions.getState(POST_STATE) === "true";
  try {
    if (!isPost) actions.saveState(POST_STATE, "true");
    if (isPost) {
      if (post) await post(ctx);
    } else {
      await main(ctx);
    }
  } catch (err) {
    failWith(err, isPost);
  }
}

export function failWith(err: unknown, isPost = false): void {
  if (err instanceof ConfigError) {
    for (const p of err.problems) {
      actions.error(p.path ? `${p.path}: ${p.message}` : p.message, {
        title: "powertrain.yml",
        file: p.position?.file ?? err.file,
        startLine: p.position?.line,
        startColumn: p.position?.column,
      });
    }
    actions.setFailed(
      `${err.file} is not valid (${err.problems.length} problem${err.problems.length === 1 ? "" : "s"})`,
    );
    return;
  }
  const message =
    err instanceof PowertrainError
      ? err.message + (err.hint ? `\nhint: ${err.hint}` : "")
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
  if (isPost) {
    // A failed clean-up must not hide the main step's result.
    actions.warning(`post step: ${message}`);
    return;
  }
  if (!isUserError(err) && !(err instanceof PowertrainError)) actions.error(message);
  actions.setFailed(
    isUserError(err) || err instanceof PowertrainError ? message : "unexpected error, see above",
  );
}
