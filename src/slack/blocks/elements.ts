import type { types } from "@slack/bolt";
import { MAX_BUTTON_TEXT, MAX_HEADER_TEXT, type PackedText, truncate } from "./limits.ts";

/** A Block Kit block as `@slack/types` defines it. */
export type Block = types.KnownBlock;
/** A button element. */
export type Button = types.Button;
/** A Home tab view, for `views.publish`, that holds only known blocks. */
export type HomeView = types.HomeView & { blocks: Block[] };

/** A message for `chat.postMessage` or `chat.update`. */
export interface SlackMessage {
  /**
   * Plain-text fallback in mrkdwn: Slack shows it in notifications, and alone when it rejects
   * the blocks with `invalid_blocks`.
   */
  text: string;
  blocks: Block[];
}

/** Builds a section with mrkdwn text; the caller escapes it and keeps it within the limit. */
export function sectionBlock(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text } };
}

/** Builds a context block with one mrkdwn line. */
export function contextBlock(text: string): Block {
  return { type: "context", elements: [{ type: "mrkdwn", text }] };
}

/** Builds a header, truncated to Slack's limit. Header text is plain_text, so nothing is parsed. */
export function headerBlock(text: string): Block {
  return { type: "header", text: { type: "plain_text", text: truncate(text, MAX_HEADER_TEXT) } };
}

/** Builds a divider. */
export function dividerBlock(): Block {
  return { type: "divider" };
}

/** Builds a button with a plain-text label truncated to Slack's limit. */
export function buttonElement(
  label: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
): Button {
  const button: Button = {
    type: "button",
    text: { type: "plain_text", text: truncate(label, MAX_BUTTON_TEXT) },
    action_id: actionId,
    value,
  };
  if (style) button.style = style;
  return button;
}

/** Builds an actions block holding buttons. */
export function actionsBlock(buttons: Button[]): Block {
  return { type: "actions", elements: buttons };
}

/**
 * Turns packed texts into sections, at most `maxBlocks` blocks. When they do not all fit, the
 * last block is a context line, `noteFor(left)`, where `left` counts the parts left out.
 */
export function sectionsWithin(
  packed: PackedText[],
  maxBlocks: number,
  noteFor: (left: number) => string,
): Block[] {
  // Slack rejects a section whose text is empty, so blank lines at the edges are dropped.
  const sections = (items: PackedText[]) =>
    items
      .map((item) => item.text.replace(/^\n+|\n+$/g, ""))
      .filter((text) => text.trim() !== "")
      .map(sectionBlock);
  if (packed.length <= maxBlocks) return sections(packed);

  const visible = packed.slice(0, Math.max(0, maxBlocks - 1));
  const total = packed.reduce((sum, item) => sum + item.parts, 0);
  const left = total - visible.reduce((sum, item) => sum + item.parts, 0);
  return [...sections(visible), contextBlock(noteFor(left))];
}
