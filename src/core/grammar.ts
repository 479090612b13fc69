/**
 * The `/psa` command grammar, shared by Slack and the console.
 *
 * No argument takes quotes, so a token is a verb, a service name or a number, and anything else is
 * rejected with a message that names the token. Parsing never throws.
 */

import type { CommandRejection, ParseResult, PsaCommand } from "./command.ts";
import { codePointName, normalizeTypography, quoteToken, tokenize } from "./decode.ts";
import { looksLikeNumber, parseChange } from "./grammar-change.ts";
import { REQUEST_VERB_PARSERS } from "./grammar-requests.ts";
import {
  isRejection,
  type KnownNames,
  parseService,
  reject,
  rejectExtra,
  SLACK_ID,
} from "./grammar-rules.ts";
import { HELP_TEXT, suggestionFor, usageOf, VERBS, type Verb } from "./usage.ts";

export type { KnownNames } from "./grammar-rules.ts";

/** Maximum length of the command text, in characters (code points). */
export const MAX_TEXT_LENGTH = 500;

/** Verbs of the product that this version does not accept. */
export const UNAVAILABLE_VERBS: readonly string[] = ["resize", "replica", "autoscale"];

const SHELL_METACHARACTERS = /[;|&$`<>(){}[\]*?!~'"\\\n\r]/g;
/** Control characters and invisible format characters such as U+200B and bidi overrides. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/** Parses the text after `/psa` into a command, or returns a rejection that names the token. */
export function parseCommand(text: string, known: KnownNames): ParseResult {
  const length = Array.from(text).length;
  if (length > MAX_TEXT_LENGTH) {
    const message = `The command text is ${length} characters long, over the limit of ${MAX_TEXT_LENGTH}. Shorten it.`;
    return { ok: false, rejection: reject(text, message, HELP_TEXT) };
  }

  const tokens = tokenize(normalizeTypography(text));
  const usage = isVerb(tokens[0]) ? usageOf(tokens[0]) : HELP_TEXT;
  const unsafe = firstUnsafeToken(tokens, usage);
  const result = unsafe ?? parseTokens(tokens, known);

  return isRejection(result) ? { ok: false, rejection: result } : { ok: true, command: result };
}

function parseTokens(tokens: string[], known: KnownNames): PsaCommand | CommandRejection {
  const [first, ...rest] = tokens;
  if (first === undefined) {
    return { verb: "help" };
  }

  const verb = parseVerb(first);
  if (isRejection(verb)) {
    return verb;
  }
  return VERB_PARSERS[verb](rest, known);
}

const VERB_PARSERS: Record<
  Verb,
  (args: string[], known: KnownNames) => PsaCommand | CommandRejection
> = {
  help: (args) => rejectExtra(args, "help") ?? { verb: "help" },
  status: parseStatus,
  scale: (args, known) => parseScale(args, known, usageOf("scale")),
  plan: parsePlan,
  ...REQUEST_VERB_PARSERS,
};

function parseStatus(args: string[], known: KnownNames): PsaCommand | CommandRejection {
  const [serviceToken, ...extra] = args;
  if (serviceToken === undefined) {
    return { verb: "status" };
  }

  const service = parseService(serviceToken, known, usageOf("status"));
  if (isRejection(service)) {
    return service;
  }
  return rejectExtra(extra, "status") ?? { verb: "status", service };
}

function parsePlan(args: string[], known: KnownNames): PsaCommand | CommandRejection {
  const [verbToken, ...rest] = args;
  const usage = usageOf("plan");
  if (verbToken === undefined) {
    return reject("", "The command to plan is missing: `plan` takes a `scale` command.", usage);
  }

  const verb = parseVerb(verbToken);
  if (isRejection(verb)) {
    return { ...verb, usage };
  }
  if (verb !== "scale") {
    return reject(
      verbToken,
      `${quoteToken(verbToken)} cannot be planned: only \`scale\` can.`,
      usage,
    );
  }

  const command = parseScale(rest, known, usage);
  return isRejection(command) ? command : { verb: "plan", command };
}

function parseScale(
  args: string[],
  known: KnownNames,
  usage: string,
): Extract<PsaCommand, { verb: "scale" }> | CommandRejection {
  const [serviceToken, changeToken, ...extra] = args;
  if (serviceToken === undefined || looksLikeNumber(serviceToken)) {
    const before = serviceToken === undefined ? "" : ` before ${quoteToken(serviceToken)}`;
    return reject("", `The service is missing${before}: \`scale\` takes a service first.`, usage);
  }

  const service = parseService(serviceToken, known, usage);
  if (isRejection(service)) {
    return service;
  }
  if (changeToken === undefined) {
    const message = `The replica change is missing after \`${service}\`: write +N, -N or N.`;
    return reject("", message, usage);
  }

  const change = parseChange(changeToken, usage);
  if (isRejection(change)) {
    return change;
  }
  return rejectExtra(extra, "scale", usage) ?? { verb: "scale", service, change };
}

function parseVerb(token: string): Verb | CommandRejection {
  if (isVerb(token)) {
    return token;
  }

  const lower = token.toLowerCase();
  const commands = `Commands: ${VERBS.join(", ")}.`;
  if (UNAVAILABLE_VERBS.includes(lower)) {
    const message = `${quoteToken(token)} is not available in this version of /psa. ${commands}`;
    return reject(token, message, HELP_TEXT);
  }
  if (isVerb(lower)) {
    const message = `${quoteToken(token)} is not a command because commands are lower case: use \`${lower}\`.`;
    return reject(token, message, usageOf(lower));
  }

  const mention = SLACK_ID.test(token)
    ? " It looks like a Slack mention, but a command starts with a verb."
    : "";
  const guess = suggestionFor(lower, VERBS);
  return reject(
    token,
    `${quoteToken(token)} is not a /psa command.${mention} ${commands}${guess}`,
    HELP_TEXT,
  );
}

/** Rejects the first token that contains a shell metacharacter or an invisible character. */
function firstUnsafeToken(tokens: string[], usage: string): CommandRejection | undefined {
  for (const token of tokens) {
    const metacharacters = uniqueMatches(token, SHELL_METACHARACTERS);
    if (metacharacters.length > 0) {
      const listed = metacharacters.map(quoteToken).join(", ");
      const message = `${quoteToken(token)} contains ${listed}, but /psa arguments are plain words and numbers without quotes or shell characters.`;
      return reject(token, message, usage);
    }

    const invisible = uniqueMatches(token, INVISIBLE).map(codePointName);
    if (invisible.length > 0) {
      const message = `${quoteToken(token)} contains the invisible character ${invisible.join(", ")}: retype it.`;
      return reject(token, message, usage);
    }
  }
  return undefined;
}

function uniqueMatches(token: string, pattern: RegExp): string[] {
  return [...new Set(token.match(pattern) ?? [])];
}

function isVerb(token: string | undefined): token is Verb {
  return VERBS.includes(token as Verb);
}
