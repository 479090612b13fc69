export {
  type ButtonClick,
  blockActionsPayload,
  type EventDelivery,
  eventCallback,
  eventEnvelope,
  interactionEnvelope,
  type SlashCommandFields,
  type SlashCommandInput,
  slashCommandEnvelope,
  slashCommandFields,
  verificationToken,
} from "./payloads.ts";
export type { ResponseTarget } from "./response-urls.ts";
export type { DisconnectReason, SendOptions, SocketModeControl } from "./socket-mode.ts";
export { type SlackStandin, type SlackStandinOptions, startSlackStandin } from "./standin.ts";
export * from "./types.ts";
