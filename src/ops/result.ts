/**
 * The failed outcome of a parser or text editor in `src/ops`. Each function returns its own
 * `{ ok: true, ... }` shape or this one. Parsers return errors instead of throwing because
 * their input is the output of remote commands, which can be anything.
 */
export interface OpsFailure {
  ok: false;
  /** Message that quotes the line or value that could not be understood. */
  error: string;
}

/** Builds a failed result with the given message. */
export function fail(error: string): OpsFailure {
  return { ok: false, error };
}

/** Splits command output into lines, accepting LF and CRLF and dropping trailing empty lines. */
export function splitOutputLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") {
    lines.pop();
  }
  return lines;
}

/** Quotes a line of remote output for an error message, cut to 120 characters. */
export function quoteLine(line: string): string {
  const cut = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return JSON.stringify(cut);
}
