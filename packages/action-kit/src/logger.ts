/** A core Logger backed by @actions/core: log groups, annotations, masking. */
import { randomBytes } from "node:crypto";
import * as actions from "@actions/core";
import type { Logger } from "@powertrain/core";

type Position = { file: string; line?: number; column?: number };

function annotation(position?: Position): actions.AnnotationProperties | undefined {
  if (!position) return undefined;
  return { file: position.file, startLine: position.line, startColumn: position.column };
}

/**
 * Text that could hold a workflow command: the runner reads `::name::` (and the legacy
 * `##[name]`) at the start of any output line, leading spaces ignored.
 */
const COMMAND_LIKE = /::|##\[/;

/**
 * `message` made safe for the runner's log: info is the one raw channel (debug, warnings, errors
 * and group names go out escaped), and much of it is external output — docker's build and pull
 * lines, remote scripts' output streamed through the exec wrapper. Text that could hold a
 * workflow command (`::set-output …`, `::add-mask::`, `::stop-commands::`…) is wrapped in
 * `::stop-commands::<random token>` … `::<token>::`, so the runner shows it and runs none of it.
 */
export function commandSafe(message: string, token = newToken()): string {
  if (!COMMAND_LIKE.test(message)) return message;
  // The text itself must not be able to end the pause.
  let resume = token;
  while (message.includes(resume)) resume = newToken();
  return `::stop-commands::${resume}\n${message}\n::${resume}::`;
}

function newToken(): string {
  return `pt-${randomBytes(16).toString("hex")}`;
}

export const actionsLogger: Logger = {
  debug: (m) => actions.debug(m),
  info: (m) => actions.info(commandSafe(m)),
  warn: (m, p) => actions.warning(m, annotation(p)),
  error: (m, p) => actions.error(m, annotation(p)),
  group: (name, fn) => actions.group(name, fn),
  mask: (v) => actions.setSecret(v),
};
