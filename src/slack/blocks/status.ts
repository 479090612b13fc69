import { type SlackMessage, sectionsWithin } from "./elements.ts";
import {
  MAX_FALLBACK_TEXT,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
  type PackedText,
  splitText,
  truncate,
} from "./limits.ts";
import { escapeCode, escapeKeepingMentions, FENCE_LENGTH, fence } from "./mrkdwn.ts";

/** A piece of a section: one line of text or one code block, and the status lines in it. */
interface StatusPiece {
  text: string;
  lines: number;
  /** Whether the piece begins a paragraph, so a blank line goes before it. */
  opensParagraph: boolean;
}

/**
 * Renders the core's status text as sections. Unindented lines, such as "web: 3 replica(s), …"
 * or "Frozen: …", stay text, and indented lines, one per container or drift item, go into code
 * blocks so their columns line up. Lines share sections up to Slack's 3000 characters, so 60
 * replicas need about three sections; lines beyond 50 blocks are counted in a last note.
 */
export function statusBlocks(text: string): SlackMessage {
  const paragraphs = text.split(/\n[ \t]*\n/).filter((p) => p.trim() !== "");
  const pieces = paragraphs.flatMap((paragraph) => paragraphPieces(paragraph));
  const blocks = sectionsWithin(packPieces(pieces), MAX_MESSAGE_BLOCKS, (left) =>
    left === 1 ? "… and 1 more status line." : `… and ${left} more status lines.`,
  );
  return { text: truncate(escapeKeepingMentions(text), MAX_FALLBACK_TEXT), blocks };
}

function paragraphPieces(paragraph: string): StatusPiece[] {
  const pieces: StatusPiece[] = [];
  let indented: string[] = [];
  const flushCode = () => {
    if (indented.length > 0) pieces.push(...codePieces(indented));
    indented = [];
  };

  for (const line of paragraph.split("\n")) {
    if (/^\s/.test(line)) {
      indented.push(line);
      continue;
    }
    flushCode();
    const escaped = truncate(escapeKeepingMentions(line), MAX_SECTION_TEXT);
    pieces.push({ text: escaped, lines: 1, opensParagraph: false });
  }
  flushCode();

  if (pieces[0]) pieces[0].opensParagraph = true;
  return pieces;
}

function codePieces(lines: string[]): StatusPiece[] {
  const indent = Math.min(...lines.map((line) => /^\s*/.exec(line)![0].length));
  const code = escapeCode(lines.map((line) => line.slice(indent)).join("\n"));
  return splitText(code, MAX_SECTION_TEXT - FENCE_LENGTH).map((chunk) => ({
    text: fence(chunk),
    lines: chunk.split("\n").length,
    opensParagraph: false,
  }));
}

function packPieces(pieces: StatusPiece[]): PackedText[] {
  const packed: PackedText[] = [];
  for (const piece of pieces) {
    const last = packed.at(-1);
    const separator = piece.opensParagraph ? "\n\n" : "\n";
    if (last && last.text.length + separator.length + piece.text.length <= MAX_SECTION_TEXT) {
      last.text = `${last.text}${separator}${piece.text}`;
      last.parts += piece.lines;
      continue;
    }
    packed.push({ text: piece.text, parts: piece.lines });
  }
  return packed;
}
