/** IDs of the stand-in workspace, its app and its bot user, in Slack's ID formats. */
export interface WorkspaceIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
}

/** Identity used when a test passes none. */
export const defaultIdentity: WorkspaceIdentity = {
  teamId: "T00LAB001",
  teamDomain: "psa-lab",
  appId: "A00LAB001",
  botUserId: "U00BOT001",
  botId: "B00BOT001",
};

/** Tokens that the stand-in accepts, as configured in the bot under test. */
export interface StandinTokens {
  /** Bot token (`xoxb-`) for every Web API method except `apps.connections.open`. */
  botToken: string;
  /** App-level token (`xapp-`) for `apps.connections.open`. */
  appToken: string;
}

/** Tokens used when a test passes none. */
export const defaultTokens: StandinTokens = {
  botToken: "xoxb-standin-bot-token",
  appToken: "xapp-standin-app-token",
};

/**
 * Failure that the next call of one Web API method returns instead of its result.
 * `retryAfter` sends HTTP 429 with `Retry-After: N` seconds and the body error `ratelimited`.
 * `error` sends HTTP 200 with `{ ok: false, error }`, such as `invalid_blocks` or `not_in_channel`.
 * `status` sends that HTTP status with a plain-text body, such as 500 or 503.
 */
export type InjectedFailure = { retryAfter: number } | { error: string } | { status: number };

/** Arguments of a Web API call after parsing. JSON-typed form fields such as `blocks` are decoded. */
export type ApiArguments = Record<string, unknown>;

/** Body of a Web API response. */
export type ApiResult = { ok: true; [field: string]: unknown } | ApiError;

/** Body of a failed Web API response. */
export interface ApiError {
  ok: false;
  error: string;
  response_metadata?: { messages: string[] };
}

/** One request to the stand-in's Web API and the response it got. */
export interface RecordedCall {
  method: string;
  /** Arguments from the form or JSON body, and from the query string. */
  body: ApiArguments;
  /** Request body exactly as received. */
  rawBody: string;
  /** Request headers with lowercase names, as Node.js reports them. */
  headers: Record<string, string | string[] | undefined>;
  time: Date;
  status: number;
  response: unknown;
}

/** One POST to a `response_url` of the stand-in. */
export interface RecordedResponse {
  id: string;
  /** The JSON body, or an empty object when the body was not a JSON object. */
  body: Record<string, unknown>;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  time: Date;
}

/** A message as the stand-in stores it, with `chat.update` edits applied. */
export interface StoredMessage {
  type: "message";
  channel: string;
  ts: string;
  /** Parent message `ts` for a thread reply, absent for a top-level message. */
  thread_ts?: string;
  user: string;
  bot_id?: string;
  app_id?: string;
  text: string;
  blocks?: unknown[];
  edited?: { user: string; ts: string };
  reply_count?: number;
}

/** An ephemeral message, which Slack shows only to `user`. */
export interface StoredEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
}

/** An envelope that Slack pushes over a Socket Mode connection. */
export interface SocketEnvelope {
  envelope_id: string;
  type: "slash_commands" | "interactive" | "events_api";
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

/** An acknowledgement that the app sent back over Socket Mode. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  time: Date;
}
