import type { IncomingMessage, ServerResponse } from "node:http";
import { failure, type MethodContext } from "./method-support.ts";
import type {
  ApiArguments,
  ApiResult,
  InjectedFailure,
  RecordedCall,
  StandinTokens,
} from "./types.ts";
import { appTokenMethods, webApiMethods } from "./web-api.ts";

/** Maximum request body in bytes, a guard against runaway tests rather than a Slack limit. */
const maxBodyBytes = 1_000_000;

// Form fields that Slack clients send as JSON strings. The stand-in decodes them for handlers.
const jsonFields = ["blocks", "attachments", "view", "metadata"];

/** State that the Web API endpoint reads and records into. */
export interface WebApiState {
  tokens: StandinTokens;
  context: MethodContext;
  calls: RecordedCall[];
  /** Queued failures per method. The next call of the method takes the first. */
  failures: Map<string, InjectedFailure[]>;
}

/** A request body read in full. */
export interface ReceivedBody {
  raw: string;
  contentType: string;
}

/** Reads a request body as UTF-8, rejecting bodies larger than {@link maxBodyBytes}. */
export async function readBody(request: IncomingMessage): Promise<ReceivedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      throw new Error(`request body exceeds ${maxBodyBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
  return { raw: Buffer.concat(chunks).toString("utf8"), contentType };
}

/**
 * Responds to one call of `/api/METHOD` as Slack does and records it. An unknown method gets
 * `unknown_method`. A queued failure comes next, then the token check, then the handler.
 */
export async function handleWebApiCall(
  method: string,
  request: IncomingMessage,
  response: ServerResponse,
  state: WebApiState,
): Promise<void> {
  const body = await readBody(request);
  const args = parseArguments(body, new URL(request.url ?? "/", "http://127.0.0.1"));
  const reply =
    args === undefined
      ? jsonReply(failure("invalid_json"))
      : answer(method, { args, isJson: body.contentType === "application/json" }, request, state);

  state.calls.push({
    method,
    body: args ?? {},
    rawBody: body.raw,
    headers: { ...request.headers },
    time: new Date(),
    status: reply.status,
    response: reply.body,
  });
  writeReply(response, reply);
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: ApiResult | string;
}

/** Arguments of a call, and whether they came as JSON, which must carry the token in a header. */
interface ParsedCall {
  args: ApiArguments;
  isJson: boolean;
}

function answer(
  method: string,
  call: ParsedCall,
  request: IncomingMessage,
  state: WebApiState,
): Reply {
  const handler = webApiMethods[method];
  if (handler === undefined) {
    return jsonReply(failure("unknown_method"));
  }
  const injected = state.failures.get(method)?.shift();
  if (injected !== undefined) {
    return failureReply(injected);
  }
  const tokenError = checkToken(method, call, request, state.tokens);
  if (tokenError !== undefined) {
    return jsonReply(failure(tokenError));
  }
  return jsonReply(handler(call.args, state.context));
}

/**
 * Returns Slack's error code for a missing or wrong token, or undefined when the token fits
 * the method. Slack reads the token from the `Authorization: Bearer` header, or from a `token`
 * field of a form body but not of a JSON body.
 */
function checkToken(
  method: string,
  call: ParsedCall,
  request: IncomingMessage,
  tokens: StandinTokens,
): string | undefined {
  const header = request.headers.authorization ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const bodyToken = call.isJson ? undefined : call.args.token;
  const token = bearer ?? (typeof bodyToken === "string" ? bodyToken : undefined);
  if (token === undefined || token === "") {
    return "not_authed";
  }

  const expected = appTokenMethods.has(method) ? tokens.appToken : tokens.botToken;
  if (token === expected) {
    return undefined;
  }
  const isOtherKnownToken = token === tokens.appToken || token === tokens.botToken;
  return isOtherKnownToken ? "not_allowed_token_type" : "invalid_auth";
}

/**
 * Parses a form or JSON body and adds query-string arguments. Returns undefined for a JSON body
 * that is not a JSON object. Form fields that carry JSON, such as `blocks`, are decoded. A field
 * that is not valid JSON stays a string, which handlers report as a format error.
 */
function parseArguments(body: ReceivedBody, url: URL): ApiArguments | undefined {
  const args: ApiArguments = Object.fromEntries(url.searchParams);
  if (body.contentType === "application/json") {
    const value = parseJsonOr(body.raw, undefined);
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    return isObject ? { ...args, ...(value as ApiArguments) } : undefined;
  }

  for (const [name, value] of new URLSearchParams(body.raw)) {
    args[name] = value;
  }
  for (const name of jsonFields) {
    const value = args[name];
    if (typeof value === "string") {
      args[name] = parseJsonOr(value, value);
    }
  }
  return args;
}

function parseJsonOr<T>(raw: string, fallback: T): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function failureReply(injected: InjectedFailure): Reply {
  if ("retryAfter" in injected) {
    const reply = jsonReply(failure("ratelimited"));
    return {
      ...reply,
      status: 429,
      headers: { ...reply.headers, "retry-after": `${injected.retryAfter}` },
    };
  }
  if ("error" in injected) {
    return jsonReply(failure(injected.error));
  }
  return {
    status: injected.status,
    headers: { "content-type": "text/plain" },
    body: "stand-in failure",
  };
}

function jsonReply(body: ApiResult): Reply {
  return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body };
}

function writeReply(response: ServerResponse, reply: Reply): void {
  const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  response.writeHead(reply.status, reply.headers);
  response.end(text);
}
