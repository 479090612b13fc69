/**
 * POSIX shell quoting for command lines sent over SSH, where the remote login shell parses the
 * command string again.
 */

const BARE_ARG = /^[A-Za-z0-9_./:=+@%,-]+$/;

/**
 * Quotes one argument for a POSIX shell. Arguments made only of `[A-Za-z0-9_./:=+@%,-]` stay
 * bare because no shell expands those characters. Everything else goes inside single quotes,
 * where no character is special, and each embedded `'` becomes `'\''`.
 * Throws `RangeError` on a NUL byte, which no shell argument can carry.
 */
export function quoteArg(arg: string): string {
  if (arg.includes("\0")) {
    throw new RangeError("invalid argument: contains a NUL byte");
  }

  return BARE_ARG.test(arg) ? arg : singleQuote(arg);
}

/**
 * Joins an argument vector into one shell command line. The command word is quoted when it
 * contains `=`, because a bare `NAME=value` first word is a variable assignment, not a command.
 */
export function toCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new RangeError("invalid argument vector: it is empty");
  }

  const [command, ...args] = argv as [string, ...string[]];
  return [quoteCommandWord(command), ...args.map(quoteArg)].join(" ");
}

function quoteCommandWord(command: string): string {
  const quoted = quoteArg(command);
  return quoted === command && command.includes("=") ? singleQuote(command) : quoted;
}

function singleQuote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}
