import { describe, expect, it } from "vitest";
import { decodeCommandText } from "../../src/core/decode.ts";
import { parseCommand } from "../../src/core/grammar.ts";

const known = { services: ["api-gw", "web", "worker"] };

const longText = `status ${"a".repeat(493)}`;
const longToken = `${"b".repeat(60)};`;

/** Slack-escaped command lines, the token each rejection names, and part of its message. */
const badLines: Array<{ line: string; token: string; fragment: string }> = [
  // Shell metacharacters.
  { line: "scale api-gw +1; rm -rf /", token: "+1;", fragment: "`+1;` contains `;`" },
  { line: "scale api-gw +1 | cat", token: "|", fragment: "contains `|`" },
  { line: "scale api-gw $(id)", token: "$(id)", fragment: "contains `$`, `(`, `)`" },
  { line: "scale `id`", token: "`id`", fragment: "contains `\\u{60}`" },
  { line: "status api-gw&amp;", token: "api-gw&", fragment: "contains `&`" },
  { line: "scale api-gw +1 &amp;&amp; rm", token: "&&", fragment: "without quotes or shell" },
  { line: "scale api-gw 2&gt;/dev/null", token: "2>/dev/null", fragment: "contains `>`" },
  { line: "status 'api-gw'", token: "'api-gw'", fragment: "contains `'`" },
  { line: "status \u2018web\u2019", token: "'web'", fragment: "contains `'`" },
  { line: 'status "web"', token: '"web"', fragment: 'contains `"`' },
  { line: "scale api-gw +1\nrm", token: "+1\nrm", fragment: "`+1\\nrm` contains `\\n`" },
  { line: "status web*", token: "web*", fragment: "contains `*`" },
  { line: "status ~root", token: "~root", fragment: "contains `~`" },
  { line: "status {web,api-gw}", token: "{web,api-gw}", fragment: "contains `{`, `}`" },
  { line: "status web[0]", token: "web[0]", fragment: "contains `[`, `]`" },
  { line: "status web?", token: "web?", fragment: "contains `?`" },
  { line: "status web\\", token: "web\\", fragment: "contains `\\\\`" },
  { line: "status <!here>", token: "<!here>", fragment: "contains `<`, `!`, `>`" },
  { line: "status api\u200Bgw", token: "api\u200Bgw", fragment: "invisible character U+200B" },
  { line: "status \u202Ebew", token: "\u202Ebew", fragment: "invisible character U+202E" },
  {
    line: `status ${longToken}`,
    token: longToken,
    fragment: `\`${"b".repeat(40)}\` (first 40 of 61 characters) contains \`;\``,
  },
  // Verbs.
  { line: "resize api-gw 2", token: "resize", fragment: "not available in this version" },
  { line: "whoami now", token: "now", fragment: "is an extra argument" },
  { line: "show", token: "", fragment: "request id is missing" },
  { line: "show r12", token: "r12", fragment: "capital R" },
  { line: "cancel R0", token: "R0", fragment: "not a request id" },
  { line: "history api-gww", token: "api-gww", fragment: "Did you mean `api-gw`?" },
  { line: "freeze api-gww deploy", token: "api-gww", fragment: "close to `api-gw`" },
  { line: "unfreeze api-gw now", token: "now", fragment: "is an extra argument" },
  { line: "autoscale status", token: "autoscale", fragment: "not available in this version" },
  { line: "autoscale web on", token: "autoscale", fragment: "not available in this version" },
  { line: "deploy web", token: "deploy", fragment: "`deploy` is not a /psa command" },
  { line: "scal api-gw +1", token: "scal", fragment: "Did you mean `scale`?" },
  { line: "Scale api-gw +1", token: "Scale", fragment: "lower case: use `scale`" },
  { line: "STATUS", token: "STATUS", fragment: "lower case: use `status`" },
  // Services.
  { line: "status api-gq", token: "api-gq", fragment: "Did you mean `api-gw`?" },
  { line: "scale api-wg +1", token: "api-wg", fragment: "Unknown service `api-wg`" },
  {
    line: "status database",
    token: "database",
    fragment: "Unknown service `database`. Known services: api-gw, web, worker.",
  },
  { line: "status Api-GW", token: "Api-GW", fragment: "is not a valid service name" },
  { line: "status WEB", token: "WEB", fragment: "valid service name: a name is 1 to 31" },
  { line: "scale WEB +1", token: "WEB", fragment: "Did you mean `web`?" },
  { line: "status 9web", token: "9web", fragment: "is not a valid service name" },
  { line: `status ${"w".repeat(32)}`, token: "w".repeat(32), fragment: "1 to 31 lower case" },
  // Numbers.
  {
    line: "scale api-gw +200",
    token: "+200",
    fragment: "`+200` is out of range: a step is 1 to 99",
  },
  { line: "scale web -100", token: "-100", fragment: "is out of range: a step is 1 to 99" },
  { line: "scale web 1000", token: "1000", fragment: "out of range: a replica count is 0 to 999" },
  { line: "scale web +0", token: "+0", fragment: "`+0` changes nothing" },
  { line: "scale web \u22120", token: "-0", fragment: "`-0` changes nothing" },
  { line: "scale web +01", token: "+01", fragment: "has a leading zero" },
  { line: "scale web 007", token: "007", fragment: "has a leading zero" },
  { line: "scale web 1.5", token: "1.5", fragment: "is not a whole number" },
  { line: "scale web +2.", token: "+2.", fragment: "is not a whole number" },
  { line: "scale web 1e2", token: "1e2", fragment: "uses an exponent" },
  { line: "scale web \uFF13", token: "\uFF13", fragment: "digits other than ASCII 0 to 9" },
  { line: "scale web +\uFF11", token: "+\uFF11", fragment: "digits other than ASCII 0 to 9" },
  { line: "scale web +", token: "+", fragment: "has no number after the sign" },
  { line: "scale web ++1", token: "++1", fragment: "is not a replica change" },
  { line: "scale web two", token: "two", fragment: "is not a replica change" },
  { line: "scale web 0x10", token: "0x10", fragment: "is not a replica change" },
  { line: "scale web \u20141", token: "\u20141", fragment: "is not a replica change" },
  // Missing and extra tokens.
  { line: "scale", token: "", fragment: "The service is missing" },
  { line: "scale +1", token: "", fragment: "The service is missing before `+1`" },
  { line: "scale web", token: "", fragment: "The replica change is missing after `web`" },
  { line: "plan", token: "", fragment: "The command to plan is missing" },
  { line: "plan scale web", token: "", fragment: "The replica change is missing" },
  { line: "scale web +1 now", token: "now", fragment: "`now` is an extra argument" },
  { line: "scale web +1 +1", token: "+1", fragment: "is an extra argument" },
  { line: "status web worker", token: "worker", fragment: "`worker` is an extra argument" },
  { line: "help me", token: "me", fragment: "the `help` command is complete" },
  // Mentions in the wrong place.
  { line: "<@U123ABC> scale web +1", token: "U123ABC", fragment: "looks like a Slack mention" },
  { line: "scale <@U123ABC|bob> +1", token: "U123ABC", fragment: "a service name goes here" },
  { line: "scale web <#C024BE7LR|ops>", token: "C024BE7LR", fragment: "the replica change goes" },
  { line: "status <!subteam^S0614TZR7|@sre>", token: "S0614TZR7", fragment: "Slack mention" },
  // Plan.
  { line: "plan status", token: "status", fragment: "`status` cannot be planned" },
  { line: "plan plan scale web +1", token: "plan", fragment: "`plan` cannot be planned" },
  { line: "plan help", token: "help", fragment: "only `scale` can" },
  { line: "plan resize web 2", token: "resize", fragment: "not available in this version" },
  { line: "plan Scale web +1", token: "Scale", fragment: "use `scale`" },
  { line: "plan scale web +1 now", token: "now", fragment: "is an extra argument" },
  // Length.
  { line: `${longText}x`, token: `${longText}x`, fragment: "501 characters long, over the limit" },
];

describe("bad command lines", () => {
  const rows = badLines.map((row) => ({ ...row, name: JSON.stringify(row.line).slice(0, 60) }));

  it("table covers at least 35 lines", () => {
    expect(badLines.length).toBeGreaterThanOrEqual(35);
  });

  it.each(rows)("rejects $name", ({ line, token, fragment }) => {
    const result = parseCommand(decodeCommandText(line), known);

    expect(result.ok).toBe(false);
    if (result.ok) {
      return;
    }
    expect(result.rejection.token).toBe(token);
    expect(result.rejection.message).toContain(fragment);
    expect(result.rejection.usage).not.toBe("");
  });
});
