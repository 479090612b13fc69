import type { ChangeRequest } from "../core/request.ts";
import type { ChatContext, ChatSurface } from "../core/surface.ts";
import type { SlackMessage } from "./blocks/elements.ts";
import { errorMessage } from "./blocks/ephemeral.ts";
import { checkMessage } from "./blocks/limits.ts";
import { requestCardBlocks } from "./blocks/request-card.ts";
import { statusBlocks } from "./blocks/status.ts";
import { progressBlocks } from "./blocks/thread.ts";
import { callSlack, type SlackCallDeps, slackErrorOf } from "./slack-calls.ts";

/** Settings of the Slack surface. */
export interface SlackSurfaceOptions {
  /** Where request cards go when the bot is not a member of the channel the command came from. */
  approvalsChannel?: string;
  /** Thread progress is batched and posted at most this often per card (Slack allows ~1/s). */
  progressIntervalMs: number;
  /** Posts to an interaction's response_url. */
  respond(url: string, body: object): Promise<void>;
}

/** Slack errors that mean the bot cannot post in a channel. */
const NOT_POSTABLE = new Set(["not_in_channel", "channel_not_found", "is_archived"]);

/**
 * Renders the bot's replies in Slack: ephemeral replies through the interaction's response_url,
 * request cards with buttons, card edits on every change, and batched progress in the thread.
 */
export class SlackSurface implements ChatSurface {
  private readonly pending = new Map<string, { lines: string[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly deps: SlackCallDeps,
    private readonly options: SlackSurfaceOptions,
  ) {}

  async ephemeral(ctx: ChatContext, text: string): Promise<void> {
    // The fallback text is escaped too, so a quoted token cannot become a mention or a link.
    const message = { response_type: "ephemeral", ...errorMessage(text) };
    if (ctx.responseUrl) {
      await this.options.respond(ctx.responseUrl, message);
      return;
    }
    const channel = ctx.origin.channelId;
    if (!channel) return;
    await callSlack(this.deps, "chat.postEphemeral", () =>
      this.deps.client.chat.postEphemeral({
        channel,
        user: ctx.userId,
        text: message.text,
        blocks: message.blocks,
      }),
    );
  }

  async reply(ctx: ChatContext, text: string): Promise<void> {
    const channel = ctx.origin.channelId;
    if (!channel) return;
    const message = statusBlocks(text);
    try {
      await this.post(channel, message);
    } catch (error) {
      if (!NOT_POSTABLE.has(slackErrorOf(error) ?? "")) throw error;
      // The bot cannot post here (a private channel or a DM), so only the user sees the reply.
      await this.ephemeral(ctx, text);
    }
  }

  async postCard(ctx: ChatContext, request: ChangeRequest): Promise<string | undefined> {
    const message = requestCardBlocks(request);
    const channel = ctx.origin.channelId;
    if (channel) {
      try {
        return await this.post(channel, message);
      } catch (error) {
        if (!NOT_POSTABLE.has(slackErrorOf(error) ?? "")) throw error;
      }
    }

    const fallback = this.options.approvalsChannel;
    if (!fallback) {
      await this.ephemeral(
        ctx,
        `I cannot post in this channel and no approvals channel is configured, so request ${request.id} has no card. Invite me here, or set SLACK_APPROVALS_CHANNEL.`,
      );
      return undefined;
    }
    const ref = await this.post(fallback, message);
    await this.ephemeral(
      ctx,
      `I am not a member of this channel, so the card of request ${request.id} is in <#${fallback}>.`,
    );
    return ref;
  }

  async updateCard(request: ChangeRequest): Promise<void> {
    const ref = parseCardRef(request.origin.cardRef);
    if (!ref) return;
    const message = requestCardBlocks(request);
    await this.withPlainFallback(message, (blocks) =>
      callSlack(this.deps, "chat.update", () =>
        this.deps.client.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: message.text,
          ...(blocks ? { blocks } : { blocks: [] }),
        }),
      ),
    );
  }

  async postThread(request: ChangeRequest, text: string): Promise<void> {
    const ref = parseCardRef(request.origin.cardRef);
    if (!ref) return;
    await this.queue(`${ref.channel}:${ref.ts}`, text);
  }

  /** Posts every queued progress line now; for shutdown and tests. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((key) => this.flushKey(key)));
  }

  /**
   * Queues a progress line and returns at once: a run must not wait for Slack, and lines that
   * arrive within the interval go out as one message. `flush` sends what is left at shutdown.
   */
  private async queue(key: string, text: string): Promise<void> {
    const existing = this.pending.get(key);
    if (existing) {
      existing.lines.push(text);
      return;
    }
    const timer = setTimeout(() => void this.flushKey(key), this.options.progressIntervalMs);
    this.pending.set(key, { lines: [text], timer });
  }

  private async flushKey(key: string): Promise<void> {
    const batch = this.pending.get(key);
    if (!batch) return;
    this.pending.delete(key);
    clearTimeout(batch.timer);

    const [channel, ts] = key.split(":") as [string, string];
    const message = progressBlocks(batch.lines);
    try {
      await this.withPlainFallback(message, (blocks) =>
        callSlack(this.deps, "chat.postMessage", () =>
          this.deps.client.chat.postMessage({
            channel,
            thread_ts: ts,
            text: message.text,
            ...(blocks ? { blocks } : {}),
          }),
        ),
      );
    } catch (error) {
      this.deps.logger.error({ err: error, channel, ts }, "posting progress to the thread failed");
    }
  }

  private async post(channel: string, message: SlackMessage): Promise<string> {
    const result = await this.withPlainFallback(message, (blocks) =>
      callSlack(this.deps, "chat.postMessage", () =>
        this.deps.client.chat.postMessage({
          channel,
          text: message.text,
          ...(blocks ? { blocks } : {}),
        }),
      ),
    );
    return `${result.channel ?? channel}:${result.ts}`;
  }

  /** Sends with blocks; when Slack rejects them as invalid_blocks, sends the plain text alone. */
  private async withPlainFallback<T>(
    message: SlackMessage,
    send: (blocks?: SlackMessage["blocks"]) => Promise<T>,
  ): Promise<T> {
    // The renderers keep within Block Kit's limits; this check catches a bug before Slack does.
    const problems = checkMessage(message.blocks);
    if (problems.length > 0) {
      this.deps.logger.error({ problems }, "blocks break Block Kit limits; sending plain text");
      return send(undefined);
    }
    try {
      return await send(message.blocks);
    } catch (error) {
      if (slackErrorOf(error) !== "invalid_blocks") throw error;
      this.deps.logger.error({ err: error }, "slack rejected the blocks; sending plain text");
      return send(undefined);
    }
  }
}

/** Reads a card reference `CHANNEL:TS`; Slack timestamps stay strings. */
export function parseCardRef(ref: string | undefined): { channel: string; ts: string } | undefined {
  const match = ref ? /^([A-Z0-9]+):(\d+\.\d+)$/.exec(ref) : null;
  return match ? { channel: match[1]!, ts: match[2]! } : undefined;
}
