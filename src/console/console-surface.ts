import { renderCard, statusLabel } from "../core/render.ts";
import { type ChangeRequest, OPEN_STATUSES } from "../core/request.ts";
import type { ChatContext, ChatSurface } from "../core/surface.ts";

/** One reply as `--json` prints it. */
export interface ConsoleReply {
  kind: "ephemeral" | "message" | "card" | "card_update" | "thread";
  requestId?: string;
  status?: string;
  text: string;
}

/**
 * Renders the bot's replies in a terminal, like Hubot's shell adapter: ephemeral replies are
 * marked `(only you)`, thread replies are indented, and buttons are shown as `[Approve]`.
 */
export class ConsoleSurface implements ChatSurface {
  /** The id of the latest request card posted, for `$REQ` in scripts. */
  lastRequestId: string | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly json: boolean,
  ) {}

  async ephemeral(_ctx: ChatContext, text: string): Promise<void> {
    this.emit({ kind: "ephemeral", text });
  }

  async reply(_ctx: ChatContext, text: string): Promise<void> {
    this.emit({ kind: "message", text });
  }

  async postCard(_ctx: ChatContext, request: ChangeRequest): Promise<string> {
    this.lastRequestId = request.id;
    this.emit({
      kind: "card",
      requestId: request.id,
      status: request.status,
      text: `${renderCard(request)}${buttons(request)}`,
    });
    return request.id;
  }

  async updateCard(request: ChangeRequest): Promise<void> {
    const outcome =
      request.outcome && !OPEN_STATUSES.has(request.status)
        ? ` — ${request.outcome.split("\n")[0]}`
        : "";
    const text = `[card ${request.id}] ${statusLabel(request)}${outcome}${buttons(request)}`;
    this.emit({ kind: "card_update", requestId: request.id, status: request.status, text });
  }

  async postThread(request: ChangeRequest, text: string): Promise<void> {
    this.emit({ kind: "thread", requestId: request.id, status: request.status, text });
  }

  private emit(reply: ConsoleReply): void {
    if (this.json) {
      this.write(JSON.stringify(reply));
      return;
    }
    this.write(format(reply));
  }
}

function format(reply: ConsoleReply): string {
  if (reply.kind === "ephemeral")
    return `(only you) ${reply.text.replaceAll("\n", "\n           ")}`;
  if (reply.kind === "thread")
    return reply.text
      .split("\n")
      .map((line) => `    ${line}`)
      .join("\n");
  return reply.text;
}

function buttons(request: ChangeRequest): string {
  if (OPEN_STATUSES.has(request.status)) return "\n[Approve] [Reject] [Cancel]";
  if (request.status === "interrupted") return "\n[Undo] [Resume]";
  return request.status === "approved" || request.status === "running" ? "\n[Cancel]" : "";
}
