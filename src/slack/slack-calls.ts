import type { WebClient } from "@slack/web-api";
import { ErrorCode } from "@slack/web-api";
import type { Clock, Logger } from "../core/ports.ts";

/** Counts failed Slack API calls by method and error, for metrics. */
export type SlackErrorCounter = (method: string, error: string) => void;

/** Attempts of one call when Slack returns HTTP 429; each waits the Retry-After Slack sent. */
const MAX_RATE_LIMIT_ATTEMPTS = 4;

/** What every Slack call needs. */
export interface SlackCallDeps {
  client: WebClient;
  clock: Clock;
  logger: Logger;
  countError: SlackErrorCounter;
}

/** The error code Slack returned (`not_in_channel`, `invalid_blocks`...), if any. */
export function slackErrorOf(error: unknown): string | undefined {
  const data = (error as { data?: { error?: string } }).data;
  return data?.error;
}

/**
 * Calls a Slack Web API method, honouring Retry-After on HTTP 429: the client is set to reject
 * rate-limited calls at once, and this waits the time Slack asked for before trying again.
 */
export async function callSlack<T>(
  deps: SlackCallDeps,
  method: string,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: string }).code;
      const retryAfter = (error as { retryAfter?: number }).retryAfter ?? 1;
      deps.countError(
        method,
        code === ErrorCode.RateLimitedError
          ? "ratelimited"
          : (slackErrorOf(error) ?? code ?? "unknown"),
      );
      if (code !== ErrorCode.RateLimitedError || attempt >= MAX_RATE_LIMIT_ATTEMPTS) throw error;
      deps.logger.warn({ method, retryAfter, attempt }, "slack rate limit; waiting before a retry");
      await deps.clock.sleep(retryAfter * 1000);
    }
  }
}

/**
 * Builds the options of every Web API client the bot makes: rate-limited calls fail at once with
 * their Retry-After, so that `callSlack` waits and counts them.
 */
export function webClientOptions(apiUrl: string | undefined) {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2 },
  };
}
