/**
 * The powertrain command: parse arguments, call core, print. Exit codes:
 * 0 ok, 1 failure, 2 usage or config error. Human output goes to stderr so
 * that stdout carries only what was asked for (--json).
 */
import {
  ConfigError,
  isUserError,
  POWERTRAIN_VERSION,
  PowertrainError,
  StreamLogger,
} from "@powertrain/core";
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands";
import type { CliContext } from "./context";

export type { CliContext } from "./context";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("powertrain")
    .description("Immutable build → publish → deploy for Docker applications.")
    .version(POWERTRAIN_VERSION, "-V, --version")
    .showHelpAfterError()
    // Subcommands own their options: `publish --version V` must not print powertrain's version.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out.write(s), writeErr: (s) => process.stderr.write(s) });
  registerCommands(program, ctx);
  return program;
}

export async function main(argv: string[], ctx?: Partial<CliContext>): Promise<number> {
  const context: CliContext = {
    logger: ctx?.logger ?? new StreamLogger(process.stderr, Boolean(process.env.POWERTRAIN_DEBUG)),
    out: ctx?.out ?? process.stdout,
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv);
    return context.exitCode ?? EXIT_OK;
  } catch (err) {
    return reportError(err, context);
  }
}

/** Turn any error into a message and an exit code; stack traces only for bugs. */
export function reportError(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // --help and --version end here with exit code 0; usage errors were already printed by commander.
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    // One `file:line:col: path: message` line per problem, as compilers print them.
    for (const problem of err.problems) ctx.logger.info(formatProblem(err.file, problem));
    const count = err.problems.length;
    ctx.logger.error(`${err.file}: ${count} problem${count === 1 ? "" : "s"}`);
    return EXIT_USAGE;
  }
  if (isUserError(err)) {
    const e = err as PowertrainError;
    ctx.logger.error(e.message);
    if (e.hint) ctx.logger.info(`hint: ${e.hint}`);
    return EXIT_USAGE;
  }
  if (err instanceof PowertrainError) {
    ctx.logger.error(err.message);
    if (err.hint) ctx.logger.info(`hint: ${err.hint}`);
    return EXIT_FAILURE;
  }
  ctx.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return EXIT_FAILURE;
}

export function formatProblem(file: string, problem: ConfigError["problems"][number]): string {
  const where = problem.position
    ? `${problem.position.file}:${problem.position.line}:${problem.position.column}`
    : file;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}
