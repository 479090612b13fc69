/** Grammar of the verbs about requests and freezes: show, history, whoami, cancel, freeze. */

import type { CommandRejection, PsaCommand } from "./command.ts";
import { quoteToken } from "./decode.ts";
import {
  isRejection,
  type KnownNames,
  parseService,
  reject,
  rejectExtra,
} from "./grammar-rules.ts";
import { editDistance, usageOf, type Verb } from "./usage.ts";

type Parser = (args: string[], known: KnownNames) => PsaCommand | CommandRejection;

const REQUEST_ID = /^R[1-9][0-9]{0,11}$/;
const MAX_REASON_LENGTH = 200;

/** Parsers of the request and freeze verbs, keyed by verb. */
export const REQUEST_VERB_PARSERS: Record<
  "show" | "history" | "whoami" | "cancel" | "freeze" | "unfreeze",
  Parser
> = {
  show: (args) => parseRequestVerb(args, "show"),
  cancel: (args) => parseRequestVerb(args, "cancel"),
  whoami: (args) => rejectExtra(args, "whoami") ?? { verb: "whoami" },
  history: (args, known) => {
    const service = optionalService(args, known, "history");
    return isRejection(service) ? service : { verb: "history", ...service };
  },
  unfreeze: (args, known) => {
    const service = optionalService(args, known, "unfreeze");
    return isRejection(service) ? service : { verb: "unfreeze", ...service };
  },
  freeze: parseFreeze,
};

function parseRequestVerb(args: string[], verb: "show" | "cancel"): PsaCommand | CommandRejection {
  const [token, ...extra] = args;
  if (token === undefined) {
    return reject(
      "",
      `The request id is missing: \`${verb}\` takes an id such as R12.`,
      usageOf(verb),
    );
  }
  const requestId = parseRequestId(token, verb);
  if (isRejection(requestId)) return requestId;
  return rejectExtra(extra, verb) ?? { verb, requestId };
}

function parseRequestId(token: string, verb: Verb): string | CommandRejection {
  if (REQUEST_ID.test(token)) return token;
  const hint = /^r[1-9][0-9]*$/.test(token)
    ? ` Request ids start with a capital R: \`R${token.slice(1)}\`.`
    : "";
  return reject(
    token,
    `${quoteToken(token)} is not a request id: ids look like R12.${hint}`,
    usageOf(verb),
  );
}

function optionalService(
  args: string[],
  known: KnownNames,
  verb: Verb,
): { service?: string } | CommandRejection {
  const [token, ...extra] = args;
  if (token === undefined) return {};
  const service = parseService(token, known, usageOf(verb));
  if (isRejection(service)) return service;
  return rejectExtra(extra, verb) ?? { service };
}

/**
 * Parses `freeze [SERVICE] [REASON...]`. A first word that is a known service names the service;
 * any other first word starts the reason of a freeze of every service, unless it is a near miss
 * of a service name, which would otherwise freeze everything by a typo.
 */
function parseFreeze(args: string[], known: KnownNames): PsaCommand | CommandRejection {
  const [first, ...rest] = args;
  const usage = usageOf("freeze");
  const isService = first !== undefined && known.services.includes(first);
  const near =
    first === undefined || isService
      ? undefined
      : known.services.find((name) => editDistance(first.toLowerCase(), name) <= 2);
  if (near) {
    return reject(
      first!,
      `${quoteToken(first!)} is not a service, and it is close to \`${near}\`. Write \`freeze ${near} REASON\` for one service, or start the reason with another word to freeze every service.`,
      usage,
    );
  }

  const words = isService ? rest : args;
  const reason = words.join(" ");
  if (reason.length > MAX_REASON_LENGTH) {
    return reject(
      words[0] ?? "",
      `The reason is ${reason.length} characters long, over the limit of ${MAX_REASON_LENGTH}.`,
      usage,
    );
  }
  return { verb: "freeze", ...(isService ? { service: first } : {}), reason };
}
