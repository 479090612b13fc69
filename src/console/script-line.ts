import { CARD_ACTIONS, type CardAction } from "../core/bot.ts";
import { normalizeTypography, quoteToken } from "../core/decode.ts";

/** One input of a console script. */
export type ScriptLine =
  | { kind: "blank" }
  | { kind: "command"; text: string }
  | { kind: "as"; userId: string }
  | { kind: "click"; action: CardAction; requestId: string }
  | { kind: "wait" }
  | { kind: "invalid"; message: string };

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const REQUEST_ID = /^R[1-9][0-9]{0,11}$/;
const CLICK_USAGE = `click ${CARD_ACTIONS.join("|")} REQ (a request id such as R1, or $REQ)`;

/** Parses one script line; `$REQ` stands for the latest request id, when there is one. */
export function parseScriptLine(line: string, lastRequestId: string | undefined): ScriptLine {
  // Spaces typed as non-breaking spaces count as spaces here too, as in the command itself.
  const text = normalizeTypography(line).trim();
  if (text === "" || text.startsWith("#")) return { kind: "blank" };
  if (text === "/psa" || text.startsWith("/psa "))
    return { kind: "command", text: text.slice(4).trim() };
  if (text === "wait") return { kind: "wait" };

  const [word, ...rest] = text.split(/\s+/);
  if (word === "as") return parseAs(rest);
  if (word === "click") return parseClick(rest, lastRequestId);
  return {
    kind: "invalid",
    message: `${quoteToken(word ?? "")} is not a console input; type /psa COMMAND, as USER_ID, ${CLICK_USAGE.split(" (")[0]}, or wait`,
  };
}

function parseAs(rest: string[]): ScriptLine {
  const [userId, extra] = rest;
  if (userId === undefined)
    return {
      kind: "invalid",
      message: "The user id is missing: as USER_ID, such as as U0LABSRE1.",
    };
  if (extra !== undefined)
    return {
      kind: "invalid",
      message: `${quoteToken(extra)} is an extra argument: as takes one user id.`,
    };
  if (!USER_ID.test(userId)) {
    return {
      kind: "invalid",
      message: `${quoteToken(userId)} is not a Slack user id: ids are a capital U or W, then capitals and digits, such as U0LABSRE1.`,
    };
  }
  return { kind: "as", userId };
}

function parseClick(rest: string[], lastRequestId: string | undefined): ScriptLine {
  const [action, target, extra] = rest;
  if (action === undefined || !CARD_ACTIONS.includes(action as CardAction)) {
    const named =
      action === undefined ? "The button is missing" : `${quoteToken(action)} is not a button`;
    return { kind: "invalid", message: `${named}: ${CLICK_USAGE}.` };
  }
  if (target === undefined)
    return { kind: "invalid", message: `The request id is missing: ${CLICK_USAGE}.` };
  if (extra !== undefined)
    return {
      kind: "invalid",
      message: `${quoteToken(extra)} is an extra argument: ${CLICK_USAGE}.`,
    };

  const requestId = target === "$REQ" ? lastRequestId : target;
  if (!requestId)
    return { kind: "invalid", message: "$REQ is not set: no request was created yet." };
  if (!REQUEST_ID.test(requestId)) {
    return {
      kind: "invalid",
      message: `${quoteToken(requestId)} is not a request id: ids look like R12.`,
    };
  }
  return { kind: "click", action: action as CardAction, requestId };
}

/** Shows control characters of an echoed line as escapes, so input cannot drive the terminal. */
export function printable(line: string): string {
  return line.replace(/[\p{Cc}\p{Cf}]/gu, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}
