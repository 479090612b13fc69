/**
 * Finds the line of a key path in block-style YAML, for error messages. js-yaml returns plain
 * values without positions, so this walks the text by indentation: good enough for the config
 * files people write by hand, and it falls back to the nearest parent that it finds.
 */
export function lineOfPath(text: string, path: ReadonlyArray<PropertyKey>): number {
  const lines = text.split(/\r?\n/);
  let line = 0;
  let indent = -1;
  let end = lines.length;

  for (const key of path) {
    const found =
      typeof key === "number"
        ? findItem(lines, line, end, indent, key)
        : findKey(lines, line, end, indent, String(key));
    if (!found) break;
    line = found.line;
    indent = found.indent;
    end = blockEnd(lines, line, indent);
  }
  return line + 1;
}

interface Found {
  line: number;
  indent: number;
}

function findKey(lines: string[], from: number, end: number, parent: number, key: string) {
  const pattern = new RegExp(`^(\\s*)(?:- +)?["']?${escapeRegExp(key)}["']?\\s*:(\\s|$)`);
  // Inside a list item the first key shares the line with the dash.
  const first = parent < 0 || /^\s*- /.test(lines[from] ?? "") ? from : from + 1;
  for (let i = first; i < end; i++) {
    const match = pattern.exec(lines[i] ?? "");
    if (match && ((match[1] ?? "").length > parent || (i === from && parent >= 0))) {
      return { line: i, indent: (match[1] ?? "").length } satisfies Found;
    }
  }
  return undefined;
}

function findItem(lines: string[], from: number, end: number, parent: number, index: number) {
  let seen = -1;
  let itemIndent: number | undefined;
  for (let i = from + 1; i < end; i++) {
    const match = /^(\s*)- /.exec(lines[i] ?? "");
    if (!match) continue;
    const indent = (match[1] ?? "").length;
    if (indent <= parent && parent >= 0 && indent !== parent) continue;
    itemIndent ??= indent;
    if (indent !== itemIndent) continue;
    seen++;
    if (seen === index) return { line: i, indent } satisfies Found;
  }
  return undefined;
}

function blockEnd(lines: string[], start: number, indent: number): number {
  const isItem = /^\s*- /.test(lines[start] ?? "");
  for (let i = start + 1; i < lines.length; i++) {
    const text = lines[i] ?? "";
    if (text.trim() === "" || text.trimStart().startsWith("#")) continue;
    const own = text.length - text.trimStart().length;
    const sibling = own === indent && (isItem || !text.trimStart().startsWith("- "));
    if (own < indent || sibling) return i;
  }
  return lines.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
