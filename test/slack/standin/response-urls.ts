import type { IncomingMessage, ServerResponse } from "node:http";
import { botMessage, readContent } from "./chat-methods.ts";
import { readBody } from "./http-api.ts";
import { isFailure } from "./method-support.ts";
import type { RecordedResponse } from "./types.ts";
import type { Workspace } from "./workspace.ts";

/**
 * Message that a `response_url` belongs to. Slack ties each URL to the channel and user of a
 * command, and for a button click also to the message that contains the button.
 */
export interface ResponseTarget {
  channel: string;
  user?: string;
  /** `ts` of the message that `replace_original` and `delete_original` act on. */
  ts?: string;
}

/** State that the `response_url` endpoints read and record into. */
export interface ResponseUrlState {
  workspace: Workspace;
  responses: RecordedResponse[];
  targets: Map<string, ResponseTarget>;
}

/**
 * Records every POST to `/response/ID` and, when the URL has a target, applies it as Slack does:
 * `delete_original` removes the target message, `replace_original` updates it,
 * `response_type: "in_channel"` posts a new message, and anything else posts an ephemeral
 * message to the target user. Responds with `{ ok: true }`, or with `{ ok: false }` and HTTP 400
 * for a body that is not a JSON object or content that Slack would reject.
 * NOTE: Slack limits each URL to 5 uses in 30 minutes, and the stand-in does not.
 */
export async function handleResponseUrl(
  id: string,
  request: IncomingMessage,
  response: ServerResponse,
  state: ResponseUrlState,
): Promise<void> {
  const raw = (await readBody(request)).raw;
  const body = parseJsonObject(raw);
  state.responses.push({
    id,
    body: body ?? {},
    rawBody: raw,
    headers: { ...request.headers },
    time: new Date(),
  });
  if (body === undefined) {
    writeJson(response, 400, { ok: false, error: "invalid_json" });
    return;
  }

  const target = state.targets.get(id);
  const error = target === undefined ? undefined : applyResponse(body, target, state.workspace);
  writeJson(
    response,
    error === undefined ? 200 : 400,
    error === undefined ? { ok: true } : { ok: false, error },
  );
}

/** Applies a response to its target, returning Slack's error code when it cannot. */
function applyResponse(
  body: Record<string, unknown>,
  target: ResponseTarget,
  workspace: Workspace,
): string | undefined {
  const content = readContent(body, !isTrue(body.delete_original));
  if (isFailure(content)) {
    return content.error;
  }

  if (target.ts !== undefined && isTrue(body.delete_original)) {
    workspace.deleteMessage(target.channel, target.ts);
    return undefined;
  }
  const original =
    target.ts === undefined ? undefined : workspace.findMessage(target.channel, target.ts);
  if (original !== undefined && isTrue(body.replace_original)) {
    original.text = content.text ?? original.text;
    original.blocks = content.blocks ?? original.blocks;
    return undefined;
  }
  const threadTs = typeof body.thread_ts === "string" ? body.thread_ts : undefined;
  if (body.response_type === "in_channel") {
    workspace.addMessage(botMessage(workspace, target.channel, content, threadTs));
    return undefined;
  }
  workspace.ephemerals.push({
    channel: target.channel,
    user: target.user ?? "",
    message_ts: workspace.nextTs(),
    thread_ts: threadTs,
    text: content.text ?? "",
    blocks: content.blocks,
  });
  return undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    return isObject ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}
