/**
 * Line and section model of an HAProxy 2.6 configuration file, shared by the editors in
 * `haproxy-config.ts`. Lines keep their own line endings so that edits leave untouched lines
 * byte for byte as they were.
 */

/** Keywords that open a section in HAProxy 2.6. Every other line belongs to the open section. */
export const SECTION_KEYWORDS: ReadonlySet<string> = new Set([
  "global",
  "defaults",
  "frontend",
  "backend",
  "listen",
  "peers",
  "resolvers",
  "userlist",
  "program",
  "mailers",
  "cache",
  "ring",
  "http-errors",
  "log-forward",
]);

/** One line of the file without its line ending, which is kept apart. */
export interface ConfigLine {
  content: string;
  /** `\n`, `\r\n`, or `` for a last line without a line ending. */
  eol: string;
  /** Words of the line up to the first word that starts with `#`. */
  words: string[];
}

/** A section: its keyword line and the lines up to the next keyword line. */
export interface ConfigSection {
  keyword: string;
  name?: string;
  /** Defaults section named after `from`, as in `backend api from tuned`. */
  from?: string;
  /** Index of the keyword line. */
  start: number;
  /** Index after the last line of the section. */
  end: number;
}

/** Splits a file into lines, keeping each line's ending. */
export function splitConfigLines(text: string): ConfigLine[] {
  const parts = text.split(/(\r?\n)/);
  const lines: ConfigLine[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    lines.push(makeLine(parts[i]!, parts[i + 1] ?? ""));
  }

  // A final line ending leaves an empty last part, which is not a line.
  const last = lines[lines.length - 1];
  if (last && last.content === "" && last.eol === "") lines.pop();
  return lines;
}

/** Builds a line and its words. */
export function makeLine(content: string, eol: string): ConfigLine {
  return { content, eol, words: wordsOf(content) };
}

/** Joins lines back into file text. */
export function joinConfigLines(lines: readonly ConfigLine[]): string {
  return lines.map((line) => line.content + line.eol).join("");
}

// NOTE: quotes and backslash escapes, which HAProxy 2.6 also parses, are not handled. They do
// not occur in the section and server lines that the editors read.
function wordsOf(content: string): string[] {
  const words = content
    .trim()
    .split(/\s+/)
    .filter((word) => word !== "");
  const comment = words.findIndex((word) => word.startsWith("#"));
  return comment === -1 ? words : words.slice(0, comment);
}

/** Lists the sections of a file in order. Lines before the first section belong to none. */
export function listSections(lines: readonly ConfigLine[]): ConfigSection[] {
  const sections: ConfigSection[] = [];

  lines.forEach((line, index) => {
    const keyword = line.words[0];
    if (keyword === undefined || !SECTION_KEYWORDS.has(keyword)) return;

    const previous = sections[sections.length - 1];
    if (previous) previous.end = index;
    sections.push(describeSection(line.words, index, lines.length));
  });

  return sections;
}

function describeSection(words: string[], start: number, end: number): ConfigSection {
  const section: ConfigSection = { keyword: words[0]!, start, end };
  if (words[1] !== undefined) section.name = words[1];
  if (words[2] === "from" && words[3] !== undefined) section.from = words[3];
  return section;
}

/**
 * Returns the index after the section's last line that is neither blank nor a comment, so
 * that blank lines and comments before the next section stay with the next section.
 */
export function contentEnd(lines: readonly ConfigLine[], section: ConfigSection): number {
  let end = section.end;
  while (end > section.start + 1 && lines[end - 1]!.words.length === 0) {
    end -= 1;
  }
  return end;
}

/** Returns the leading spaces and tabs of a line. */
export function indentOf(line: ConfigLine): string {
  return /^[ \t]*/.exec(line.content)![0];
}

/** Returns the most common line ending of the file, `\n` when it has none. */
export function dominantEol(lines: readonly ConfigLine[]): string {
  const crlf = lines.filter((line) => line.eol === "\r\n").length;
  const lf = lines.filter((line) => line.eol === "\n").length;
  return crlf > lf ? "\r\n" : "\n";
}
