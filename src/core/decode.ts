/**
 * Decoding of `/psa` command text into plain tokens, and quoting of tokens for messages.
 *
 * Slack sends the text of a slash command whose `should_escape` option is on with `&`, `<` and
 * `>` typed by the user escaped as `&amp;`, `&lt;` and `&gt;`. Mentions arrive as control
 * sequences in angle brackets: `<@U123|name>`, `<!subteam^S123|@sre>`, `<#C123|name>`.
 */

/**
 * One Slack control sequence or one entity. A control sequence cannot contain a raw `<` or `>`
 * because Slack escapes those when the user types them.
 */
const SLACK_ESCAPE = /<([^<>]*)>|&(amp|lt|gt);/g;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">" };

/** A user (U or W id), user group or channel mention, with an optional `|label`. */
const MENTION = /^(?:@([UW][A-Z0-9]+)|!subteam\^([A-Z0-9]+)|#([CGD][A-Z0-9]+))(?:\|.*)?$/s;

/**
 * Characters that mobile keyboards and word processors substitute for plain ASCII ones.
 * `\p{Zs}` covers U+00A0, U+2007, U+2009, U+202F and every other Unicode space separator.
 */
const TYPOGRAPHY: Array<[RegExp, string]> = [
  [/[\u2018\u2019\u201A\u201B]/g, "'"],
  [/[\u201C\u201D\u201E\u201F]/g, '"'],
  [/\p{Zs}/gu, " "],
  [/[\u2010-\u2013\u2212]/g, "-"],
];

/** Decodes Slack slash command text: entities, mentions, then typography. */
export function decodeCommandText(text: string): string {
  return normalizeTypography(decodeSlackEscapes(text));
}

/**
 * Replaces `&amp;`, `&lt;` and `&gt;` with their characters and mention sequences with the bare
 * id (U123, S123, C123). Each escape is decoded exactly once, so `&amp;lt;` becomes `&lt;`.
 * Other control sequences, such as `<!here>` or links, stay as they are.
 */
export function decodeSlackEscapes(text: string): string {
  return text.replace(SLACK_ESCAPE, (match: string, control?: string, entity?: string) => {
    if (entity !== undefined) {
      return ENTITIES[entity] ?? match;
    }
    return mentionId(control ?? "") ?? match;
  });
}

function mentionId(control: string): string | undefined {
  const found = MENTION.exec(control);
  if (found === null) {
    return undefined;
  }
  return found[1] ?? found[2] ?? found[3];
}

/**
 * Replaces smart quotes with plain quotes, Unicode spaces with a plain space, and the hyphen
 * variants, the en dash (U+2013) and the minus sign (U+2212) with `-`. The em dash stays,
 * because keyboards produce it from `--`, which is not a single minus.
 */
export function normalizeTypography(text: string): string {
  let normalized = text;
  for (const [pattern, replacement] of TYPOGRAPHY) {
    normalized = normalized.replace(pattern, replacement);
  }
  return normalized;
}

/** Splits text on runs of spaces and tabs. Newlines stay inside tokens. */
export function tokenize(text: string): string[] {
  return text.split(/[ \t]+/).filter((token) => token.length > 0);
}

const MAX_SHOWN_LENGTH = 40;

/**
 * Formats a token for a message inside backticks, cut to 40 characters. Backslashes, backticks,
 * control characters and non-ASCII characters are escaped, so a token cannot break the code span,
 * add lines or hide characters. `&`, `<` and `>` stay literal: a Slack sender must escape them.
 */
export function quoteToken(token: string): string {
  const characters = Array.from(token);
  const escaped = characters.slice(0, MAX_SHOWN_LENGTH).map(escapeCharacter).join("");
  const cut =
    characters.length > MAX_SHOWN_LENGTH
      ? ` (first ${MAX_SHOWN_LENGTH} of ${characters.length} characters)`
      : "";
  return `\`${escaped}\`${cut}`;
}

const NAMED_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeCharacter(character: string): string {
  const named = NAMED_ESCAPES[character];
  if (named !== undefined) {
    return named;
  }

  const code = character.codePointAt(0) ?? 0;
  const printable = code >= 0x20 && code < 0x7f && character !== "`";
  return printable ? character : `\\u{${code.toString(16)}}`;
}

/** Returns the U+XXXX name of a character. */
export function codePointName(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}
