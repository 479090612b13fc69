import { type Block, contextBlock, type SlackMessage, sectionsWithin } from "./elements.ts";
import {
  MAX_FALLBACK_TEXT,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
  packCounted,
  splitText,
  truncate,
} from "./limits.ts";
import { escapeKeepingMentions } from "./mrkdwn.ts";

/** The hint under an ephemeral message unless the caller gives another one. */
export const DEFAULT_HINT = "/psa help lists the commands.";

/**
 * Renders an ephemeral error, denial or reply from the core: its text escaped (user mentions
 * stay live), split over sections at line breaks, and a hint line below. Lines beyond the
 * block limit are counted in a note before the hint.
 */
export function errorBlocks(text: string, hint = DEFAULT_HINT): Block[] {
  const escaped = escapeKeepingMentions(text.trim() || "(no details)");
  const lines = escaped.split("\n").flatMap((line) => splitText(line, MAX_SECTION_TEXT));
  const packed = packCounted(lines, MAX_SECTION_TEXT);
  const body = sectionsWithin(packed, MAX_MESSAGE_BLOCKS - 1, (left) =>
    left === 1 ? "… and 1 more line." : `… and ${left} more lines.`,
  );
  return [...body, contextBlock(escapeKeepingMentions(hint))];
}

/** Renders an ephemeral message with `errorBlocks` and an escaped fallback text. */
export function errorMessage(text: string, hint = DEFAULT_HINT): SlackMessage {
  return {
    text: truncate(escapeKeepingMentions(text), MAX_FALLBACK_TEXT),
    blocks: errorBlocks(text, hint),
  };
}
