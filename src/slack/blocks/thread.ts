import { type SlackMessage, sectionsWithin } from "./elements.ts";
import {
  MAX_FALLBACK_TEXT,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
  packCounted,
  truncate,
} from "./limits.ts";
import { escapeKeepingMentions, outputBlock } from "./mrkdwn.ts";

/** Settings of a progress message. */
export interface ProgressOptions {
  /** The request the progress belongs to, so notes can point to `/psa show ID`. */
  requestId?: string;
  /** The slash command that notes point to; `/psa` unless set. */
  slashCommand?: string;
}

/** Characters of an entry's headline; the rest of its section is left to its output. */
const MAX_HEADLINE = 500;

/**
 * Renders a batch of progress entries from the core as one thread message. The first line of
 * each entry is its headline, such as "3 FAILED [pve1] start CT 104 (2.1 s) — exit code 1".
 * Any further lines are output, shown in a code block that keeps their end. Entries share
 * sections while they fit, and entries beyond the block limit are counted in a last note.
 * Blank entries are skipped.
 */
export function progressBlocks(lines: string[], options: ProgressOptions = {}): SlackMessage {
  const hint = options.requestId
    ? `${options.slashCommand ?? "/psa"} show ${options.requestId} has everything`
    : undefined;
  const entries = lines.filter((line) => line.trim() !== "");
  const packed = packCounted(
    entries.map((line) => renderEntry(line, hint)),
    MAX_SECTION_TEXT,
  );
  const blocks = sectionsWithin(packed, MAX_MESSAGE_BLOCKS, (left) =>
    left === 1 ? "… and 1 more progress line." : `… and ${left} more progress lines.`,
  );

  const headlines = entries.map((line) => escapeKeepingMentions(line.split("\n")[0] ?? ""));
  return { text: truncate(headlines.join("\n"), MAX_FALLBACK_TEXT, hint), blocks };
}

function renderEntry(line: string, hint: string | undefined): string {
  const [first = "", ...rest] = line.split("\n");
  const headline = truncate(escapeKeepingMentions(first), MAX_HEADLINE, hint);
  const output = rest.join("\n");
  if (output.trim() === "") return headline;

  return `${headline}\n${outputBlock(output, MAX_SECTION_TEXT - headline.length - 1, hint)}`;
}
