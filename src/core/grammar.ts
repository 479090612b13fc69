/**
 * The `/psa` command grammar, shared by Slack and the console.
 *
 * No argument takes quotes, so a token is a verb, a service name or a number, and anything else is
 * rejected with a message that names the token. Parsing never throws.
 */

import type { CommandRejection, ParseResult, PsaCommand, ScaleChange } from "./command.ts";
import { codePointName, normalizeTypography, quoteToken, tokenize } from "./decode.ts";
import { HELP_TEXT, suggestionFor, usageOf, VERBS, type Verb } from "./usage.ts";

/** The names the grammar checks arguments against. */
export interface KnownNames {
  services: string[];
}

/** Maximum length of the command text, in characters (code points). */
export const MAX_TEXT_LENGTH = 500;

/** Verbs of the product that this version does not accept. */
export const UNAVAILABLE_VERBS: readonly string[] = [
  "resize",
  "replica",
  "history",
  "show",
  "cancel",
  "whoami",
  "freeze",
  "unfreeze",
  "autoscale",
];

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const SHELL_METACHARACTERS = /[;|&$`<>(){}[\]*?!~'"\\\n\r]/g;
/** Control characters and invisible format characters such as U+200B and bidi overrides. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;
/**
 * A bare Slack user, user group or channel id, which is what a decoded mention becomes. Requiring
 * a digit keeps upper-case words such as `WEB` out.
 */
const SLACK_ID = /^[UWSCGD](?=[A-Z]*[0-9])[A-Z0-9]{2,}$/;

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

function parseService(token: string, known: KnownNames, usage: string): string | CommandRejection {
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

function parseChange(token: string, usage: string): ScaleChange | CommandRejection {
  const sign = token.startsWith("+") || token.startsWith("-") ? token.charAt(0) : "";
  const digits = token.slice(sign.length);
  if (SLACK_ID.test(token)) {
    const message = `${quoteToken(token)} looks like a Slack mention, but the replica change goes here: write +N, -N or N.`;
    return reject(token, message, usage);
  }

  const problem = numberProblem(token, sign, digits);
  if (problem !== undefined) {
    return reject(token, problem, usage);
  }

  const value = Number(digits);
  if (sign === "") {
    return { mode: "absolute", count: value };
  }
  return { mode: "relative", delta: sign === "+" ? value : -value };
}

/** Explains why a replica change token is invalid, or returns undefined when it is valid. */
function numberProblem(token: string, sign: string, digits: string): string | undefined {
  const quoted = quoteToken(token);
  const allowed = sign === "" ? "a replica count is 0 to 999" : "a step is 1 to 99 replicas";
  const max = sign === "" ? 999 : 99;
  if (digits === "") {
    return `${quoted} has no number after the sign: write +N or -N, where N is 1 to 99.`;
  }
  if (/\p{Nd}/u.test(digits.replace(/[0-9]/g, ""))) {
    return `${quoted} contains digits other than ASCII 0 to 9: retype the number.`;
  }
  if (/^[0-9]*\.[0-9]*$/.test(digits)) {
    return `${quoted} is not a whole number: ${allowed}.`;
  }
  if (/^[0-9.]*[0-9][eE][+-]?[0-9]+$/.test(digits)) {
    return `${quoted} uses an exponent: write the number in plain digits (${allowed}).`;
  }
  if (!/^[0-9]+$/.test(digits)) {
    return `${quoted} is not a replica change: write +N or -N to add or remove replicas, or N to set the count.`;
  }
  if (digits.length > 1 && digits.startsWith("0")) {
    return `${quoted} has a leading zero: write the number without it (${allowed}).`;
  }
  if (sign !== "" && digits === "0") {
    return `${quoted} changes nothing: ${allowed}. To set the count to zero, write 0.`;
  }
  if (digits.length > 3 || Number(digits) > max) {
    return `${quoted} is out of range: ${allowed}.`;
  }
  return undefined;
}

function rejectExtra(
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

/** Returns whether the token starts like a number, with an ASCII or full-width sign and any digit. */
function looksLikeNumber(token: string): boolean {
  return /^[+\-\uFF0B\uFF0D]?\p{Nd}/u.test(token);
}

function isVerb(token: string | undefined): token is Verb {
  return VERBS.includes(token as Verb);
}

function isRejection(value: unknown): value is CommandRejection {
  return typeof value === "object" && value !== null && "code" in value;
}

function reject(token: string, message: string, usage: string): CommandRejection {
  return { code: "invalid_command", token, message, usage };
}
