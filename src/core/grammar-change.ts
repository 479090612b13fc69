/** The replica change of `scale`: `+N`, `-N` or `N`. */

import type { CommandRejection, ScaleChange } from "./command.ts";
import { quoteToken } from "./decode.ts";
import { reject, SLACK_ID } from "./grammar-rules.ts";

/** Parses a replica change token, or rejects it saying what is wrong with the number. */
export function parseChange(token: string, usage: string): ScaleChange | CommandRejection {
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

/** Returns whether the token starts like a number, with an ASCII or full-width sign and any digit. */
export function looksLikeNumber(token: string): boolean {
  return /^[+\-\uFF0B\uFF0D]?\p{Nd}/u.test(token);
}
