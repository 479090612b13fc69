import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { defaultIdentity, type SocketEnvelope, type WorkspaceIdentity } from "./types.ts";

/** Legacy verification token that Slack still puts in payloads. Bolt ignores it. */
export const verificationToken = "standin-verification-token";

/** Fields of a slash command request, all strings, as Slack sends them. */
export interface SlashCommandFields {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  response_url: string;
  trigger_id: string;
  api_app_id: string;
  is_enterprise_install: string;
}

/** Fields a test chooses for a slash command. The rest default to the workspace's values. */
export type SlashCommandInput = Partial<SlashCommandFields> & {
  text: string;
  channel_id: string;
  user_id: string;
  response_url: string;
};

/** A click on a message button, as the input of {@link blockActionsPayload}. */
export interface ButtonClick {
  userId: string;
  channelId: string;
  /** `ts` of the message that contains the button. */
  messageTs: string;
  actionId: string;
  value: string;
  blockId?: string;
  buttonText?: string;
  responseUrl: string;
  userName?: string;
  channelName?: string;
}

/** How an Events API event is delivered: its ID, and the retry number and reason on a retry. */
export interface EventDelivery {
  eventId: string;
  retryAttempt?: number;
  retryReason?: string;
}

/** Returns the fields of a `/psa` slash command, with defaults for those the input omits. */
export function slashCommandFields(
  input: SlashCommandInput,
  identity: WorkspaceIdentity = defaultIdentity,
): SlashCommandFields {
  return {
    token: verificationToken,
    team_id: identity.teamId,
    team_domain: identity.teamDomain,
    channel_name: input.channel_id.toLowerCase(),
    user_name: input.user_id.toLowerCase(),
    command: "/psa",
    trigger_id: newTriggerId(),
    api_app_id: identity.appId,
    is_enterprise_install: "false",
    ...input,
  };
}

/** Returns the `block_actions` payload that Slack sends when a user clicks a message button. */
export function blockActionsPayload(
  click: ButtonClick,
  identity: WorkspaceIdentity = defaultIdentity,
): Record<string, unknown> {
  const userName = click.userName ?? click.userId.toLowerCase();
  return {
    type: "block_actions",
    token: verificationToken,
    api_app_id: identity.appId,
    user: { id: click.userId, username: userName, name: userName, team_id: identity.teamId },
    team: { id: identity.teamId, domain: identity.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    container: {
      type: "message",
      message_ts: click.messageTs,
      channel_id: click.channelId,
      is_ephemeral: false,
    },
    channel: { id: click.channelId, name: click.channelName ?? click.channelId.toLowerCase() },
    message: { type: "message", ts: click.messageTs, user: identity.botUserId, text: "" },
    state: { values: {} },
    trigger_id: newTriggerId(),
    response_url: click.responseUrl,
    actions: [buttonAction(click)],
  };
}

/** Returns the `event_callback` body that wraps an Events API event. */
export function eventCallback(
  event: Record<string, unknown>,
  eventId: string,
  identity: WorkspaceIdentity = defaultIdentity,
): Record<string, unknown> {
  return {
    token: verificationToken,
    team_id: identity.teamId,
    api_app_id: identity.appId,
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: identity.teamId,
        user_id: identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}

/** Wraps slash command fields in a Socket Mode envelope. Slack accepts a reply in its ack. */
export function slashCommandEnvelope(fields: SlashCommandFields): SocketEnvelope {
  return {
    envelope_id: randomUUID(),
    type: "slash_commands",
    payload: { ...fields },
    accepts_response_payload: true,
  };
}

/**
 * Wraps an interaction payload in a Socket Mode envelope. Slack accepts a reply in the ack
 * only for `view_submission` and `block_suggestion` payloads.
 */
export function interactionEnvelope(payload: Record<string, unknown>): SocketEnvelope {
  const acceptsReply = payload.type === "view_submission" || payload.type === "block_suggestion";
  return {
    envelope_id: randomUUID(),
    type: "interactive",
    payload,
    accepts_response_payload: acceptsReply,
  };
}

/** Wraps an `event_callback` body in a Socket Mode envelope, with retry fields as Slack sets them. */
export function eventEnvelope(callback: Record<string, unknown>, delivery: EventDelivery) {
  const envelope: SocketEnvelope = {
    envelope_id: randomUUID(),
    type: "events_api",
    payload: callback,
    accepts_response_payload: false,
    retry_attempt: delivery.retryAttempt ?? 0,
    retry_reason: delivery.retryReason ?? "",
  };
  return envelope;
}

function buttonAction(click: ButtonClick): Record<string, unknown> {
  return {
    type: "button",
    action_id: click.actionId,
    block_id: click.blockId ?? "actions",
    text: { type: "plain_text", text: click.buttonText ?? click.value, emoji: true },
    value: click.value,
    action_ts: `${(Date.now() / 1000).toFixed(6)}`,
  };
}

/** Returns a random ID in the `NUMBER.NUMBER.HEX` form of Slack's trigger IDs. */
function newTriggerId(): string {
  const hex = randomBytes(16).toString("hex");
  return `${randomInt(1e9, 1e10)}.${randomInt(1e9, 1e10)}.${hex}`;
}
