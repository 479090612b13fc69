/**
 * Slack's Block Kit limits, and text helpers that keep messages within them.
 *
 * The numbers are those of Slack's Block Kit reference, and the doc comments of `@slack/types`
 * 3.2 state most of them too. Slack rejects a message that breaks one with `invalid_blocks`.
 * Lengths are counted in UTF-16 code units (`string.length`), never fewer than the characters.
 */

import type { Block, Button } from "./elements.ts";

/** Blocks in one message. */
export const MAX_MESSAGE_BLOCKS = 50;
/** Blocks in a Home tab view. */
export const MAX_HOME_BLOCKS = 100;
/** Characters of a section's text, and of any other mrkdwn text object. */
export const MAX_SECTION_TEXT = 3000;
/** Fields in one section. */
export const MAX_FIELDS = 10;
/** Characters of one section field. */
export const MAX_FIELD_TEXT = 2000;
/** Characters of a header's plain text. */
export const MAX_HEADER_TEXT = 150;
/** Characters of a button's label. */
export const MAX_BUTTON_TEXT = 75;
/** Characters of a button's value. */
export const MAX_BUTTON_VALUE = 2000;
/** Characters of an `action_id`. */
export const MAX_ACTION_ID = 255;
/** Characters of a `block_id`. */
export const MAX_BLOCK_ID = 255;
/** Elements in one context block. */
export const MAX_CONTEXT_ELEMENTS = 10;
/** Elements in one actions block. */
export const MAX_ACTIONS_ELEMENTS = 25;
/**
 * Characters of a message's fallback text. Slack allows far longer top-level text, but
 * notifications show only its start, so this bound is our own choice.
 */
export const MAX_FALLBACK_TEXT = 3000;

/** How far back a cut looks for the `<` of a control sequence such as a date or a mention. */
const MAX_CONTROL_SEQUENCE = 255;

/** Escapes `&`, `<` and `>` as Slack requires, so the text never becomes a mention or a link. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * Moves a cut at `end` back so that the head keeps no half of a surrogate pair, of an entity
 * such as `&amp;`, or of a control sequence such as `<@U123>`.
 */
export function safeCut(text: string, end: number): number {
  let cut = Math.max(0, Math.min(end, text.length));
  if (cut > 0 && cut < text.length && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;

  const head = text.slice(0, cut);
  const amp = head.lastIndexOf("&");
  if (
    amp >= 0 &&
    cut - amp < 5 &&
    !head.includes(";", amp) &&
    /^&(amp|lt|gt);/.test(text.slice(amp))
  )
    cut = amp;

  const open = text.lastIndexOf("<", cut - 1);
  const close = text.lastIndexOf(">", cut - 1);
  if (open > close && cut - open <= MAX_CONTROL_SEQUENCE) cut = open;
  return cut;
}

/** Moves a cut at `start` forward so that the tail keeps no half of a pair, entity or sequence. */
function safeStart(text: string, start: number): number {
  let cut = start;
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut += 1;

  const amp = text.lastIndexOf("&", cut - 1);
  const entity = amp >= 0 ? /^&(amp|lt|gt);/.exec(text.slice(amp)) : null;
  if (entity && amp + entity[0].length > cut) cut = amp + entity[0].length;

  const open = text.lastIndexOf("<", cut - 1);
  const close = text.indexOf(">", cut);
  const closedBefore = text.lastIndexOf(">", cut - 1) > open;
  if (open >= 0 && !closedBefore && close >= 0 && close - open < MAX_CONTROL_SEQUENCE)
    cut = close + 1;
  return cut;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Cuts text to at most `max` characters, ending with a note of how much was left out, such as
 * "… (1234 more characters; /psa show R12 has everything)". A code block left open by the cut
 * is closed. A `max` too small for the note gets a bare cut.
 */
export function truncate(text: string, max: number, hint?: string): string {
  if (text.length <= max) return text;

  const noteFor = (left: number) => `… (${left} more characters${hint ? `; ${hint}` : ""})`;
  // The count never has more digits than the whole length, so this reserves enough room.
  const room = max - noteFor(text.length).length - "\n```".length;
  if (room <= 0) return text.slice(0, safeCut(text, max));

  const cut = safeCut(text, room);
  let head = text.slice(0, cut);
  if (countFences(head) % 2 === 1) head += "\n```";
  return `${head}${noteFor(text.length - cut)}`;
}

/**
 * Cuts text to at most `max` characters by keeping its end, where command errors usually are,
 * after a note of how much was left out.
 */
export function truncateStart(text: string, max: number, hint?: string): string {
  if (text.length <= max) return text;

  const noteFor = (left: number) => `(${left} earlier characters${hint ? `; ${hint}` : ""}) …`;
  const room = max - noteFor(text.length).length - 1;
  if (room <= 0) return text.slice(text.length - max);

  const start = safeStart(text, text.length - room);
  return `${noteFor(start)}\n${text.slice(start)}`;
}

function countFences(text: string): number {
  return text.split("```").length - 1;
}

/**
 * Splits text into chunks of at most `max` characters, at line breaks where it can. A line
 * longer than `max` is cut into pieces. Code fences are not balanced per chunk, so callers
 * wrap each chunk in its own code block after the split.
 */
export function splitText(text: string, max: number): string[] {
  const pieces = text.split("\n").flatMap((line) => splitLine(line, max));
  return packTexts(pieces, max);
}

function splitLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const cut = safeCut(rest, max);
    // A control sequence longer than `max` cannot be kept whole, so it is cut plainly.
    const end = cut > 0 ? cut : max;
    pieces.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  pieces.push(rest);
  return pieces;
}

/**
 * Joins parts with line breaks into as few texts of at most `max` characters as it can,
 * keeping their order. A part longer than `max` is split by `splitText` first.
 */
export function packTexts(parts: string[], max: number): string[] {
  const pieces = parts.flatMap((part) => (part.length > max ? splitText(part, max) : [part]));
  return packCounted(pieces, max).map((packed) => packed.text);
}

/** A text joined from consecutive parts, and the number of parts in it. */
export interface PackedText {
  text: string;
  parts: number;
}

/**
 * Joins consecutive parts with `separator` into texts of at most `max` characters, keeping
 * their order and counting the parts in each. A part longer than `max` is kept whole in a text
 * of its own, so callers cut parts to `max` first.
 */
export function packCounted(parts: string[], max: number, separator = "\n"): PackedText[] {
  const packed: PackedText[] = [];
  for (const part of parts) {
    const last = packed.at(-1);
    if (last && last.text.length + separator.length + part.length <= max) {
      last.text = `${last.text}${separator}${part}`;
      last.parts += 1;
      continue;
    }
    packed.push({ text: part, parts: 1 });
  }
  return packed;
}

/**
 * Lists every way the blocks break Slack's limits, one message per violation, empty when none.
 * `maxBlocks` is 50 for a message and 100 for a Home tab view.
 */
export function checkMessage(blocks: readonly Block[], maxBlocks = MAX_MESSAGE_BLOCKS): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks)
    problems.push(`${blocks.length} blocks, more than the maximum of ${maxBlocks}`);

  const actionIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `block ${index} (${block.type})`;
    for (const problem of checkBlock(block, actionIds)) problems.push(`${at}: ${problem}`);
  });
  return problems;
}

function checkBlock(block: Block, actionIds: Set<string>): string[] {
  const problems = checkLength("block_id", block.block_id, MAX_BLOCK_ID);
  switch (block.type) {
    case "section":
      return [...problems, ...checkSection(block, actionIds)];
    case "header":
      return [...problems, ...checkText("text", block.text.text, MAX_HEADER_TEXT)];
    case "context":
      return [...problems, ...checkContext(block)];
    case "actions":
      return [...problems, ...checkActions(block, actionIds)];
    default:
      return problems;
  }
}

function checkSection(block: Extract<Block, { type: "section" }>, actionIds: Set<string>) {
  const problems: string[] = [];
  if (!block.text && !block.fields) problems.push("has neither text nor fields");
  if (block.text) problems.push(...checkText("text", block.text.text, MAX_SECTION_TEXT));

  const fields = block.fields ?? [];
  if (fields.length > MAX_FIELDS)
    problems.push(`${fields.length} fields, more than the maximum of ${MAX_FIELDS}`);
  fields.forEach((field, i) => {
    problems.push(...checkText(`field ${i}`, field.text, MAX_FIELD_TEXT));
  });

  if (block.accessory?.type === "button") problems.push(...checkButton(block.accessory, actionIds));
  return problems;
}

function checkContext(block: Extract<Block, { type: "context" }>): string[] {
  const problems: string[] = [];
  if (block.elements.length > MAX_CONTEXT_ELEMENTS)
    problems.push(
      `${block.elements.length} elements, more than the maximum of ${MAX_CONTEXT_ELEMENTS}`,
    );
  block.elements.forEach((element, i) => {
    if (element.type === "mrkdwn" || element.type === "plain_text")
      problems.push(...checkText(`element ${i}`, element.text, MAX_SECTION_TEXT));
  });
  return problems;
}

function checkActions(block: Extract<Block, { type: "actions" }>, actionIds: Set<string>) {
  const problems: string[] = [];
  if (block.elements.length > MAX_ACTIONS_ELEMENTS)
    problems.push(
      `${block.elements.length} elements, more than the maximum of ${MAX_ACTIONS_ELEMENTS}`,
    );
  for (const element of block.elements) {
    if (element.type === "button") problems.push(...checkButton(element, actionIds));
  }
  return problems;
}

function checkButton(button: Button, seen: Set<string>): string[] {
  const name = `button "${button.text.text}"`;
  const problems = [
    ...checkText(`${name} label`, button.text.text, MAX_BUTTON_TEXT),
    ...checkLength(`${name} value`, button.value, MAX_BUTTON_VALUE),
    ...checkLength(`${name} action_id`, button.action_id, MAX_ACTION_ID),
  ];
  // Slack requires unique action_ids within a block. This check asks for them to be unique in
  // the message, so that a click always names one button.
  if (button.action_id !== undefined && seen.has(button.action_id))
    problems.push(`${name} action_id ${button.action_id} is already used in this message`);
  if (button.action_id !== undefined) seen.add(button.action_id);
  return problems;
}

function checkText(name: string, text: string, max: number): string[] {
  if (text.length === 0) return [`${name} is empty`];
  return checkLength(name, text, max);
}

function checkLength(name: string, value: string | undefined, max: number): string[] {
  if (value === undefined || value.length <= max) return [];
  return [`${name} has ${value.length} characters, more than the maximum of ${max}`];
}
