/**
 * POSIX shell quoting. Every command that crosses a shell (ssh runs its
 * command line through the remote user's shell) is built from an argument
 * list with these, so hostile values — quotes, `$()`, backticks, newlines,
 * `;` — arrive literally.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one argument for a POSIX shell. The empty string becomes ''. */
export function shellQuote(arg: string): string {
  if (arg.includes("\0")) throw new TypeError("a shell argument cannot contain a NUL byte");
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quote an argument list into one command line for a POSIX shell. */
export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(" ");
}
