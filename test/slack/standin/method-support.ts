import type { ApiArguments, ApiError, ApiResult } from "./types.ts";
import type { Workspace } from "./workspace.ts";

/** What a Web API method handler may read and change besides its arguments. */
export interface MethodContext {
  workspace: Workspace;
  /** Base URL of the stand-in, such as `http://127.0.0.1:PORT/`. */
  baseUrl: string;
  /** Issues a one-use Socket Mode WebSocket URL, as `apps.connections.open` returns. */
  openSocketUrl(): string;
}

/** Handler of one Web API method. It returns the response body, which Slack sends with HTTP 200. */
export type MethodHandler = (args: ApiArguments, context: MethodContext) => ApiResult;

/** Builds an `{ ok: false }` body with Slack's error code and optional detail lines. */
export function failure(error: string, messages?: string[]): ApiError {
  if (messages === undefined || messages.length === 0) {
    return { ok: false, error };
  }
  return { ok: false, error, response_metadata: { messages } };
}

/** Returns a non-empty string argument, or undefined when it is missing, empty or not a string. */
export function stringArgument(args: ApiArguments, name: string): string | undefined {
  const value = args[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Returns whether a handler result is an error body. */
export function isFailure(result: object): result is ApiError {
  return "ok" in result && result.ok === false;
}
