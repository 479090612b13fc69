import { CARD_ACTIONS, type CardAction } from "../core/bot.ts";

/** One input of a console script. */
export type ScriptLine =
  | { kind: "blank" }
  | { kind: "command"; text: string }
  | { kind: "as"; userId: string }
  | { kind: "click"; action: CardAction; requestId: string }
  | { kind: "wait" }
  | { kind: "invalid"; message: string };

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const REQUEST_ID = /^R[0-9]{1,12}$/;

/** Parses one script line; `$REQ` stands for the latest request id, when there is one. */
export function parseScriptLine(line: string, lastRequestId: string | undefined): ScriptLine {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return { kind: "blank" };
  if (text === "/psa" || text.startsWith("/psa "))
    return { kind: "command", text: text.slice(4).trim() };
  if (text === "wait") return { kind: "wait" };

  const [word, ...rest] = text.split(/\s+/);
  if (word === "as") return parseAs(rest);
  if (word === "click") return parseClick(rest, lastRequestId);
  return {
    kind: "invalid",
    message: `unknown input "${text.slice(0, 40)}"; type /psa COMMAND, as USER_ID, click approve|reject|cancel|undo|resume REQ, or wait`,
  };
}

function parseAs(rest: string[]): ScriptLine {
  const [userId, extra] = rest;
  if (!userId || extra !== undefined || !USER_ID.test(userId)) {
    return { kind: "invalid", message: "usage: as USER_ID (a Slack user id such as U0LABSRE1)" };
  }
  return { kind: "as", userId };
}

function parseClick(rest: string[], lastRequestId: string | undefined): ScriptLine {
  const [action, target, extra] = rest;
  if (!CARD_ACTIONS.includes(action as CardAction) || !target || extra !== undefined) {
    const usage = `usage: click ${CARD_ACTIONS.join("|")} REQ (a request id such as R1, or $REQ)`;
    return { kind: "invalid", message: usage };
  }
  const requestId = target === "$REQ" ? lastRequestId : target;
  if (!requestId)
    return { kind: "invalid", message: "$REQ is not set: no request was created yet" };
  if (!REQUEST_ID.test(requestId)) {
    return {
      kind: "invalid",
      message: `invalid request id "${requestId.slice(0, 20)}"; ids look like R12`,
    };
  }
  return { kind: "click", action: action as CardAction, requestId };
}
