/** Formatting of mrkdwn pieces: user mentions, code, and dates Slack shows in the reader's zone. */

import { escapeMrkdwn, truncateStart } from "./limits.ts";

/**
 * A user mention or channel link as the core writes it, without a label: `<@U123>`, `<@W123>`,
 * `<#C123>`. A channel link notifies nobody, so keeping it live is safe.
 */
const USER_MENTION = /(<@[UW][A-Z0-9]+>|<#[CG][A-Z0-9]+>)/;

/**
 * Escapes text from the core but keeps its user mentions (`<@U123>`) live, because the core
 * writes them to name or notify people. Everything else is escaped: `<!channel>`, `<!here>`,
 * user groups, labelled links and URLs become plain text.
 */
// NOTE: a user who types a bare `<@U123>` into a freeze reason also gets a live mention, because
// the core's text does not mark which mentions the core wrote. It reaches one user, never a broadcast.
export function escapeKeepingMentions(text: string): string {
  return text
    .split(USER_MENTION)
    .map((part, index) => (index % 2 === 1 ? part : escapeMrkdwn(part)))
    .join("");
}

/** Mentions a user by id; anything but a Slack user id (U… or W…) is escaped instead. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/**
 * Escapes text for code formatting. Slack has no escape for a backtick inside code, so each
 * backtick becomes U+02CB (modifier letter grave accent), which looks alike and keeps the length.
 */
export function escapeCode(text: string): string {
  return escapeMrkdwn(text).replaceAll("`", "\u02cb");
}

/** Formats text as inline code. */
export function inlineCode(text: string): string {
  return `\`${escapeCode(text)}\``;
}

/** Characters `fence` adds around its text. */
export const FENCE_LENGTH = 6;

/** Wraps text that `escapeCode` escaped in a code block. */
export function fence(code: string): string {
  return `\`\`\`${code}\`\`\``;
}

/**
 * Formats output as a code block of at most `max` characters, keeping the end of a long output
 * because errors are usually there.
 */
export function outputBlock(text: string, max: number, hint?: string): string {
  return fence(truncateStart(escapeCode(text), max - FENCE_LENGTH, hint));
}

/**
 * Formats a time as Slack's date token, which each reader sees in their own time zone, with
 * the UTC time as the fallback for clients that cannot render it.
 */
export function slackDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeMrkdwn(iso);

  const unix = Math.floor(date.getTime() / 1000);
  const fallback = `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${unix}^{date_short_pretty} {time}|${fallback}>`;
}
