import { createHmac } from "node:crypto";
import { eventCallback, type SlashCommandInput, slashCommandFields } from "./standin/payloads.ts";
import { defaultIdentity, type WorkspaceIdentity } from "./standin/types.ts";

/** Headers that carry a Slack request signature. */
export interface SlackSignatureHeaders {
  "x-slack-signature": string;
  "x-slack-request-timestamp": string;
}

/** Options that make a request fail Slack's signature check on purpose. */
export interface SigningOptions {
  /** Unix seconds to sign with, now unless set. Bolt rejects timestamps over 5 minutes old. */
  timestamp?: number;
  /** Sign with a different secret, so the signature does not match. */
  forgeSignature?: boolean;
  identity?: WorkspaceIdentity;
}

/** How an Events API request is delivered over HTTP: the event ID, and retry headers. */
export interface HttpEventDelivery {
  eventId: string;
  /** Retry number for `X-Slack-Retry-Num`, absent on a first delivery. */
  retryNum?: number;
  /** Reason for `X-Slack-Retry-Reason`, `http_timeout` unless set. */
  retryReason?: string;
}

/** The bot's response to a signed request. */
export interface SignedResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * Computes Slack's request signature: `v0=` and the hex HMAC-SHA256, keyed with the signing
 * secret, of `v0:TIMESTAMP:RAWBODY`.
 */
export function signSlackRequest(
  secret: string,
  body: string,
  timestamp: number,
): SlackSignatureHeaders {
  const digest = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "x-slack-signature": `v0=${digest}`, "x-slack-request-timestamp": `${timestamp}` };
}

/** Posts a signed `/psa` slash command as a form body, as Slack does over HTTP. */
export function postSlashCommand(
  botUrl: string,
  secret: string,
  input: SlashCommandInput,
  options: SigningOptions = {},
): Promise<SignedResponse> {
  const fields = slashCommandFields(input, options.identity ?? defaultIdentity);
  const body = new URLSearchParams({ ...fields }).toString();
  return postSigned(botUrl, secret, body, formHeaders, options);
}

/**
 * Posts a signed interaction, such as a `blockActionsPayload` result, as the form body
 * `payload=<json>`, as Slack does over HTTP.
 */
export function postInteraction(
  botUrl: string,
  secret: string,
  payload: Record<string, unknown>,
  options: SigningOptions = {},
): Promise<SignedResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(botUrl, secret, body, formHeaders, options);
}

/**
 * Posts a signed Events API `event_callback` as JSON. A delivery with `retryNum` carries the
 * `X-Slack-Retry-Num` and `X-Slack-Retry-Reason` headers that Slack adds to retries.
 */
export function postEvent(
  botUrl: string,
  secret: string,
  event: Record<string, unknown>,
  delivery: HttpEventDelivery,
  options: SigningOptions = {},
): Promise<SignedResponse> {
  const callback = eventCallback(event, delivery.eventId, options.identity ?? defaultIdentity);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (delivery.retryNum !== undefined) {
    headers["x-slack-retry-num"] = `${delivery.retryNum}`;
    headers["x-slack-retry-reason"] = delivery.retryReason ?? "http_timeout";
  }
  return postSigned(botUrl, secret, JSON.stringify(callback), headers, options);
}

const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

async function postSigned(
  url: string,
  secret: string,
  body: string,
  headers: Record<string, string>,
  options: SigningOptions,
): Promise<SignedResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signingSecret = options.forgeSignature ? `${secret}-forged` : secret;
  const signature = signSlackRequest(signingSecret, body, timestamp);

  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, ...signature },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
