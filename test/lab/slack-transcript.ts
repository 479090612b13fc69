import type { SignedResponse } from "../slack/signed-requests.ts";
import type { RecordedCall, RecordedResponse, SlackStandin } from "../slack/standin/index.ts";

/** Reads the stand-in's Web API calls and response_url posts that arrived since the last read. */
export class Transcript {
  private callsRead: number;
  private responsesRead: number;

  /** Starts after what the stand-in has already received, such as the bot's auth.test. */
  constructor(private readonly standin: SlackStandin) {
    this.callsRead = standin.calls.length;
    this.responsesRead = standin.responses.length;
  }

  /** Counts every call and response_url post so far. */
  arrivals(): number {
    return this.standin.calls.length + this.standin.responses.length;
  }

  /** Describes the calls and posts that arrived since the last read, oldest first. */
  takeNew(): string[] {
    const calls = this.standin.calls.slice(this.callsRead);
    const responses = this.standin.responses.slice(this.responsesRead);
    this.callsRead += calls.length;
    this.responsesRead += responses.length;

    const arrivals = [
      ...calls.map((call) => ({ time: call.time, lines: describeCall(call) })),
      ...responses.map((post) => ({ time: post.time, lines: describeResponse(post) })),
    ];
    arrivals.sort((a, b) => a.time.getTime() - b.time.getTime());
    return arrivals.flatMap((arrival) => arrival.lines);
  }
}

function describeCall(call: RecordedCall): string[] {
  const { channel, thread_ts: thread, ts, user, text, blocks } = call.body;
  const place = [
    typeof channel === "string" ? ` in ${channel}` : "",
    typeof thread === "string" ? `, thread ${thread}` : "",
    call.method === "chat.update" && typeof ts === "string" ? `, message ${ts}` : "",
    typeof user === "string" ? ` (only ${user})` : "",
  ].join("");
  return [`${call.method}${place}${blockCount(blocks)}${callFailure(call)}`, ...indent(text)];
}

function callFailure(call: RecordedCall): string {
  const response = typeof call.response === "object" ? call.response : null;
  const { ok, error } = (response ?? {}) as { ok?: unknown; error?: unknown };
  if (call.status === 200 && ok === true) {
    return "";
  }
  return ` -> failed: ${typeof error === "string" ? error : `HTTP ${call.status}`}`;
}

function describeResponse(post: RecordedResponse): string[] {
  const { text, blocks } = post.body;
  return [`response_url (${audience(post.body)})${blockCount(blocks)}`, ...indent(text)];
}

/** Describes the bot's reply to a slash command or click in the HTTP response, if any. */
export function describeAck(ack: SignedResponse): string[] {
  if (ack.status !== 200) {
    return [`ack: HTTP ${ack.status} ${ack.body}`.trimEnd()];
  }
  if (ack.body === "") {
    return [];
  }
  if (typeof ack.json !== "object" || ack.json === null) {
    return [`ack: ${ack.body}`];
  }
  const body = ack.json as Record<string, unknown>;
  return [`ack (${audience(body)})${blockCount(body.blocks)}`, ...indent(body.text)];
}

/**
 * Describes who Slack shows a reply to. An ack or response_url reply without `response_type`
 * is ephemeral, shown to the user who sent the command or click.
 */
function audience(body: Record<string, unknown>): string {
  if (body.delete_original === true || body.delete_original === "true") {
    return "deletes the original message";
  }
  if (body.replace_original === true || body.replace_original === "true") {
    return "replaces the original message";
  }
  return body.response_type === "in_channel" ? "in channel" : "only you";
}

function blockCount(blocks: unknown): string {
  if (!Array.isArray(blocks)) {
    return "";
  }
  return ` [${blocks.length} ${blocks.length === 1 ? "block" : "blocks"}]`;
}

function indent(text: unknown): string[] {
  if (typeof text !== "string" || text === "") {
    return [];
  }
  return text.split("\n").map((line) => `    ${line}`);
}
