/** Maximum number of blocks in a message, from Slack's Block Kit reference. */
export const maxMessageBlocks = 50;

/** Maximum number of blocks in a Home tab view, from Slack's Block Kit reference. */
export const maxViewBlocks = 100;

// Length limits in characters, from Slack's Block Kit reference for each block and element.
const maxSectionText = 3000;
const maxSectionFields = 10;
const maxFieldText = 2000;
const maxHeaderText = 150;
const maxActionsElements = 25;
const maxContextElements = 10;
const maxButtonText = 75;
const maxButtonValue = 2000;
const maxButtonUrl = 3000;
const maxIdLength = 255;

type Json = Record<string, unknown>;

/**
 * Checks blocks against the Block Kit limits that Slack enforces on messages and views, and
 * returns one `[ERROR] … [json-pointer:…]` line for each violation, empty when the blocks are valid.
 *
 * Covers block count, section text and fields, header text, actions and context element
 * counts, button text, value and URL lengths, and the length and uniqueness of `block_id` and
 * `action_id`. Slack requires a `block_id` to be unique within a message and an `action_id` to
 * be unique within its block.
 * NOTE: Slack's own error lines are worded differently; tests should match `error`, not these lines.
 */
export function findBlockKitErrors(blocks: unknown, maxBlocks: number): string[] {
  if (!Array.isArray(blocks)) {
    return [errorLine("must be an array", "/blocks")];
  }

  const errors: string[] = [];
  if (blocks.length > maxBlocks) {
    errors.push(errorLine(`no more than ${maxBlocks} items allowed`, "/blocks"));
  }

  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    errors.push(...checkBlock(block, `/blocks/${index}`, blockIds));
  });
  return errors;
}

function checkBlock(block: unknown, pointer: string, blockIds: Set<string>): string[] {
  if (!isObject(block) || typeof block.type !== "string") {
    return [errorLine("must be an object with a string `type`", pointer)];
  }

  const errors = checkId(block.block_id, `${pointer}/block_id`, blockIds, "block_id");
  const actionIds = new Set<string>();
  switch (block.type) {
    case "section":
      errors.push(...checkSection(block, pointer, actionIds));
      break;
    case "header":
      errors.push(...checkText(block.text, `${pointer}/text`, maxHeaderText, true));
      break;
    case "actions":
      errors.push(...checkElements(block, pointer, maxActionsElements, actionIds));
      break;
    case "context":
      errors.push(...checkElements(block, pointer, maxContextElements, actionIds));
      break;
  }
  return errors;
}

function checkSection(block: Json, pointer: string, actionIds: Set<string>): string[] {
  if (block.text === undefined && block.fields === undefined) {
    return [errorLine("must provide `text` or `fields`", pointer)];
  }

  const errors: string[] = [];
  if (block.text !== undefined) {
    errors.push(...checkText(block.text, `${pointer}/text`, maxSectionText, false));
  }
  if (block.fields !== undefined) {
    errors.push(...checkFields(block.fields, `${pointer}/fields`));
  }
  if (block.accessory !== undefined) {
    errors.push(...checkElement(block.accessory, `${pointer}/accessory`, actionIds));
  }
  return errors;
}

function checkFields(fields: unknown, pointer: string): string[] {
  if (!Array.isArray(fields)) {
    return [errorLine("must be an array", pointer)];
  }

  const errors: string[] = [];
  if (fields.length > maxSectionFields) {
    errors.push(errorLine(`no more than ${maxSectionFields} items allowed`, pointer));
  }
  fields.forEach((field, index) => {
    errors.push(...checkText(field, `${pointer}/${index}`, maxFieldText, false));
  });
  return errors;
}

function checkElements(
  block: Json,
  pointer: string,
  maxElements: number,
  actionIds: Set<string>,
): string[] {
  if (!Array.isArray(block.elements)) {
    return [errorLine("must be an array", `${pointer}/elements`)];
  }

  const errors: string[] = [];
  if (block.elements.length > maxElements) {
    errors.push(errorLine(`no more than ${maxElements} items allowed`, `${pointer}/elements`));
  }
  block.elements.forEach((element, index) => {
    errors.push(...checkElement(element, `${pointer}/elements/${index}`, actionIds));
  });
  return errors;
}

function checkElement(element: unknown, pointer: string, actionIds: Set<string>): string[] {
  if (!isObject(element) || typeof element.type !== "string") {
    return [errorLine("must be an object with a string `type`", pointer)];
  }

  const errors = checkId(element.action_id, `${pointer}/action_id`, actionIds, "action_id");
  if (element.type === "button") {
    errors.push(...checkText(element.text, `${pointer}/text`, maxButtonText, true));
    errors.push(...checkLength(element.value, `${pointer}/value`, maxButtonValue));
    errors.push(...checkLength(element.url, `${pointer}/url`, maxButtonUrl));
  }
  return errors;
}

function checkText(text: unknown, pointer: string, maxLength: number, plainOnly: boolean) {
  if (!isObject(text) || typeof text.text !== "string") {
    return [errorLine("must be a text object with a string `text`", pointer)];
  }
  if (plainOnly && text.type !== "plain_text") {
    return [errorLine("must be a `plain_text` text object", `${pointer}/type`)];
  }
  if (!plainOnly && text.type !== "plain_text" && text.type !== "mrkdwn") {
    return [errorLine("must be a `plain_text` or `mrkdwn` text object", `${pointer}/type`)];
  }
  return checkLength(text.text, `${pointer}/text`, maxLength);
}

function checkLength(value: unknown, pointer: string, maxLength: number): string[] {
  if (value === undefined) {
    return [];
  }
  if (typeof value !== "string") {
    return [errorLine("must be a string", pointer)];
  }
  if (value.length > maxLength) {
    return [errorLine(`must be less than ${maxLength + 1} characters`, pointer)];
  }
  return [];
}

function checkId(id: unknown, pointer: string, seen: Set<string>, name: string): string[] {
  if (id === undefined) {
    return [];
  }

  const errors = checkLength(id, pointer, maxIdLength);
  if (typeof id === "string" && seen.has(id)) {
    errors.push(errorLine(`duplicate ${name} \`${id}\``, pointer));
  }
  if (typeof id === "string") {
    seen.add(id);
  }
  return errors;
}

function errorLine(message: string, pointer: string): string {
  return `[ERROR] ${message} [json-pointer:${pointer}]`;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
