import { findBlockKitErrors, maxMessageBlocks } from "./block-kit.ts";
import { failure, isFailure, type MethodHandler, stringArgument } from "./method-support.ts";
import type { ApiArguments, ApiError, StoredMessage } from "./types.ts";
import type { Channel, Workspace } from "./workspace.ts";

/** Text and blocks of a message after validation. `blocks` is undefined when none were sent. */
interface MessageContent {
  text: string | undefined;
  blocks: unknown[] | undefined;
}

/**
 * Posts a message as the bot. Fails like Slack with `channel_not_found`, `not_in_channel`,
 * `no_text`, `invalid_blocks_format`, `invalid_blocks` and `thread_not_found`.
 * NOTE: the stand-in rejects an unknown `thread_ts`, but whether Slack rejects it or posts to
 * the channel is unverified.
 */
export const postMessage: MethodHandler = (args, { workspace }) => {
  const channel = findPostableChannel(args, workspace);
  if (isFailure(channel)) {
    return channel;
  }
  const content = readContent(args, true);
  if (isFailure(content)) {
    return content;
  }
  const threadTs = stringArgument(args, "thread_ts");
  if (threadTs !== undefined && !workspace.findMessage(channel.id, threadTs)) {
    return failure("thread_not_found");
  }

  const message = botMessage(workspace, channel.id, content, threadTs);
  workspace.addMessage(message);
  return { ok: true, channel: channel.id, ts: message.ts, message: responseMessage(message) };
};

/**
 * Replaces the text and blocks of one of the bot's messages. A field that the call omits keeps
 * its old value, and an empty `blocks` array removes the blocks, as Slack documents.
 */
export const updateMessage: MethodHandler = (args, { workspace }) => {
  const message = findOwnMessage(args, workspace);
  if (isFailure(message)) {
    return message;
  }
  const content = readContent(args, true);
  if (isFailure(content)) {
    return content;
  }

  if (content.text !== undefined) {
    message.text = content.text;
  }
  if (content.blocks !== undefined) {
    message.blocks = content.blocks.length > 0 ? content.blocks : undefined;
  }
  message.edited = { user: workspace.identity.botUserId, ts: workspace.nextTs() };
  return {
    ok: true,
    channel: message.channel,
    ts: message.ts,
    text: message.text,
    message: responseMessage(message),
  };
};

/**
 * Stores a message that Slack shows only to `user`. Fails with `user_not_in_channel` when that user is
 * not a member, besides the checks of `chat.postMessage`.
 */
export const postEphemeral: MethodHandler = (args, { workspace }) => {
  const channel = findPostableChannel(args, workspace);
  if (isFailure(channel)) {
    return channel;
  }
  const user = stringArgument(args, "user");
  if (user === undefined || !channel.members.has(user)) {
    return failure("user_not_in_channel");
  }
  const content = readContent(args, true);
  if (isFailure(content)) {
    return content;
  }

  const messageTs = workspace.nextTs();
  workspace.ephemerals.push({
    channel: channel.id,
    user,
    message_ts: messageTs,
    thread_ts: stringArgument(args, "thread_ts"),
    text: content.text ?? "",
    blocks: content.blocks,
  });
  return { ok: true, message_ts: messageTs };
};

/** Builds a new message from the bot user, a thread reply when `threadTs` is set. */
export function botMessage(
  workspace: Workspace,
  channelId: string,
  content: MessageContent,
  threadTs?: string,
): StoredMessage {
  const { botUserId, botId, appId } = workspace.identity;
  const message: StoredMessage = {
    type: "message",
    channel: channelId,
    ts: workspace.nextTs(),
    user: botUserId,
    bot_id: botId,
    app_id: appId,
    text: content.text ?? "",
  };
  if (content.blocks !== undefined && content.blocks.length > 0) {
    message.blocks = content.blocks;
  }
  if (threadTs !== undefined) {
    message.thread_ts = threadTs;
  }
  return message;
}

/**
 * Validates `text` and `blocks`. With `requireContent`, a call with neither fails with
 * `no_text`. Blocks that were not valid JSON fail with `invalid_blocks_format`, and blocks
 * that break Block Kit limits fail with `invalid_blocks`.
 */
export function readContent(
  args: ApiArguments,
  requireContent: boolean,
): MessageContent | ApiError {
  const text = typeof args.text === "string" ? args.text : undefined;
  const blocks = args.blocks;
  if (typeof blocks === "string") {
    return failure("invalid_blocks_format");
  }
  if (blocks !== undefined) {
    const errors = findBlockKitErrors(blocks, maxMessageBlocks);
    if (errors.length > 0) {
      return failure("invalid_blocks", errors);
    }
  }

  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (requireContent && !text && !hasBlocks && args.attachments === undefined) {
    return failure("no_text");
  }
  return { text, blocks: blocks as unknown[] | undefined };
}

function findPostableChannel(args: ApiArguments, workspace: Workspace): Channel | ApiError {
  const reference = stringArgument(args, "channel");
  const channel = reference === undefined ? undefined : workspace.findChannel(reference);
  if (channel === undefined) {
    return failure("channel_not_found");
  }
  if (!workspace.botIsMember(channel)) {
    return failure("not_in_channel");
  }
  return channel;
}

function findOwnMessage(args: ApiArguments, workspace: Workspace): StoredMessage | ApiError {
  const reference = stringArgument(args, "channel");
  const channel = reference === undefined ? undefined : workspace.findChannel(reference);
  if (channel === undefined) {
    return failure("channel_not_found");
  }

  const ts = stringArgument(args, "ts");
  const message = ts === undefined ? undefined : workspace.findMessage(channel.id, ts);
  if (message === undefined) {
    return failure("message_not_found");
  }
  if (message.user !== workspace.identity.botUserId) {
    return failure("cant_update_message");
  }
  return message;
}

/** Returns a copy of the message as Slack embeds it in a response, without `channel`. */
function responseMessage(message: StoredMessage): Record<string, unknown> {
  const { channel: _channel, ...fields } = structuredClone(message);
  return fields;
}
