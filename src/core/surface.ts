import type { ChangeRequest, Origin } from "./request.ts";

/** Who typed or clicked, and where. */
export interface ChatContext {
  userId: string;
  /** Slack's team id, or the console's fixed one; a user is identified by both. */
  teamId: string;
  origin: Origin;
  /**
   * The delivered payload's own id (an event id, or team and trigger id), when the surface has
   * one: a payload delivered twice is handled once.
   */
  deliveryId?: string;
  /** Where ephemeral replies to this interaction go, when the surface gives one (Slack). */
  responseUrl?: string;
}

/** The chat surface the core talks to: Slack, or the console. It renders; the core decides. */
export interface ChatSurface {
  /** Shows text to the acting user only. */
  ephemeral(ctx: ChatContext, text: string): Promise<void>;
  /** Shows text where the command was typed, to everyone there. */
  reply(ctx: ChatContext, text: string): Promise<void>;
  /** Posts the request card with its buttons; returns the surface's reference to it. */
  postCard(ctx: ChatContext, request: ChangeRequest): Promise<string | undefined>;
  /** Redraws the card after any change of the request. */
  updateCard(request: ChangeRequest): Promise<void>;
  /** Adds a message to the card's thread. */
  postThread(request: ChangeRequest, text: string): Promise<void>;
}
