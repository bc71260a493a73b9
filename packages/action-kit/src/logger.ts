/** A core Logger backed by @actions/core: log groups, annotations, masking. */
import * as actions from "@actions/core";
import type { Logger } from "@powertrain/core";

type Position = { file: string; line?: number; column?: number };

function annotation(position?: Position): actions.AnnotationProperties | undefined {
  if (!position) return undefined;
  return { file: position.file, startLine: position.line, startColumn: position.column };
}

export const actionsLogger: Logger = {
  debug: (m) => actions.debug(m),
  info: (m) => actions.info(m),
  warn: (m, p) => actions.warning(m, annotation(p)),
  error: (m, p) => actions.error(m, annotation(p)),
  group: (name, fn) => actions.group(name, fn),
  mask: (v) => actions.setSecret(v),
};
