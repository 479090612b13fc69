/** Shared pieces of the `/psa` grammar: rejections and service names. */

import type { CommandRejection } from "./command.ts";
import { quoteToken } from "./decode.ts";
import { suggestionFor, usageOf, type Verb } from "./usage.ts";

/** The names the grammar checks arguments against. */
export interface KnownNames {
  services: string[];
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * A bare Slack user, user group or channel id, which is what a decoded mention becomes. Requiring
 * a digit keeps upper-case words such as `WEB` out.
 */
export const SLACK_ID = /^[UWSCGD](?=[A-Z]*[0-9])[A-Z0-9]{2,}$/;

/** Parses a known service name, or rejects the token with the known names and a suggestion. */
export function parseService(
  token: string,
  known: KnownNames,
  usage: string,
): string | CommandRejection {
  if (SERVICE_NAME.test(token) && known.services.includes(token)) {
    return token;
  }

  const services = [...known.services].sort();
  const listed =
    services.length === 0
      ? " No services are configured."
      : ` Known services: ${services.join(", ")}.`;
  const guess = suggestionFor(token.toLowerCase(), services);
  let problem = `Unknown service ${quoteToken(token)}.`;
  if (SLACK_ID.test(token)) {
    problem = `${quoteToken(token)} looks like a Slack mention, but a service name goes here.`;
  } else if (!SERVICE_NAME.test(token)) {
    problem = `${quoteToken(token)} is not a valid service name: a name is 1 to 31 lower case letters, digits and -, starting with a letter.`;
  }

  return reject(token, `${problem}${listed}${guess}`, usage);
}

/** Rejects the first extra token after a complete command. */
export function rejectExtra(
  extra: string[],
  verb: Verb,
  usage: string = usageOf(verb),
): CommandRejection | undefined {
  const [first] = extra;
  if (first === undefined) {
    return undefined;
  }
  const message = `${quoteToken(first)} is an extra argument: the \`${verb}\` command is complete without it.`;
  return reject(first, message, usage);
}

/** Tells a rejection from a parsed value. */
export function isRejection(value: unknown): value is CommandRejection {
  return typeof value === "object" && value !== null && "code" in value;
}

/** Builds a rejection of a token. */
export function reject(token: string, message: string, usage: string): CommandRejection {
  return { code: "invalid_command", token, message, usage };
}
