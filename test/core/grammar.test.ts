import { describe, expect, it } from "vitest";
import type { ParseResult } from "../../src/core/command.ts";
import { decodeCommandText, quoteToken } from "../../src/core/decode.ts";
import { parseCommand } from "../../src/core/grammar.ts";
import { editDistance, HELP_TEXT, usageOf, VERBS } from "../../src/core/usage.ts";

const known = { services: ["api-gw", "web", "worker"] };

function parseSlackText(text: string): ParseResult {
  return parseCommand(decodeCommandText(text), known);
}

describe("parseCommand", () => {
  it.each([
    ["", { verb: "help" }],
    ["   ", { verb: "help" }],
    ["help", { verb: "help" }],
    ["status", { verb: "status" }],
    ["status api-gw", { verb: "status", service: "api-gw" }],
    [
      "scale api-gw +2",
      { verb: "scale", service: "api-gw", change: { mode: "relative", delta: 2 } },
    ],
    ["scale web -1", { verb: "scale", service: "web", change: { mode: "relative", delta: -1 } }],
    ["scale web +99", { verb: "scale", service: "web", change: { mode: "relative", delta: 99 } }],
    ["scale web -99", { verb: "scale", service: "web", change: { mode: "relative", delta: -99 } }],
    ["scale web 0", { verb: "scale", service: "web", change: { mode: "absolute", count: 0 } }],
    ["scale web 7", { verb: "scale", service: "web", change: { mode: "absolute", count: 7 } }],
    ["scale web 999", { verb: "scale", service: "web", change: { mode: "absolute", count: 999 } }],
    [
      "plan scale api-gw -1",
      {
        verb: "plan",
        command: { verb: "scale", service: "api-gw", change: { mode: "relative", delta: -1 } },
      },
    ],
    [
      "\tscale   worker\t3 ",
      { verb: "scale", service: "worker", change: { mode: "absolute", count: 3 } },
    ],
  ])("accepts %j", (text, command) => {
    const result = parseCommand(text, known);

    expect(result).toEqual({ ok: true, command });
  });

  it("accepts no-break spaces", () => {
    const text = "scale\u00A0api-gw\u202F+2";

    const result = parseSlackText(text);

    expect(result).toEqual({
      ok: true,
      command: { verb: "scale", service: "api-gw", change: { mode: "relative", delta: 2 } },
    });
  });

  it("accepts the minus sign and en dash", () => {
    const minus = parseSlackText("scale web \u22123");
    const enDash = parseSlackText("scale web \u20133");

    const expected = {
      ok: true,
      command: { verb: "scale", service: "web", change: { mode: "relative", delta: -3 } },
    };
    expect(minus).toEqual(expected);
    expect(enDash).toEqual(expected);
  });

  it("normalizes typography without decoding", () => {
    const text = "status\u00A0web";

    const result = parseCommand(text, known);

    expect(result).toEqual({ ok: true, command: { verb: "status", service: "web" } });
  });

  it("rejects smart quotes as plain quotes", () => {
    const text = "status \u201Cweb\u201D";

    const result = parseSlackText(text);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.token).toBe('"web"');
    expect(!result.ok && result.rejection.message).toContain("without quotes");
  });

  it("accepts exactly 500 characters", () => {
    const text = `status${" ".repeat(494)}`;

    const result = parseCommand(text, known);

    expect(result).toEqual({ ok: true, command: { verb: "status" } });
  });

  it("carries the verb usage", () => {
    const result = parseCommand("scale web +500", known);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.usage).toBe(usageOf("scale"));
    expect(!result.ok && result.rejection.code).toBe("invalid_command");
  });

  it("carries the help text for unknown verbs", () => {
    const result = parseCommand("deploy web", known);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.usage).toBe(HELP_TEXT);
  });

  it("reports no configured services", () => {
    const result = parseCommand("status web", { services: [] });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection.message).toContain("No services are configured.");
  });

  it("suggests only within distance 2", () => {
    const near = parseCommand("status wrker", known);
    const far = parseCommand("status wxyzr", known);

    expect(!near.ok && near.rejection.message).toContain("Did you mean `worker`?");
    expect(!far.ok && far.rejection.message).not.toContain("Did you mean");
  });

  it("never throws on arbitrary text", () => {
    const alphabet = ["a", "-", "+", "1", "0", " ", "\t", ";", "&amp;", "<@U1>", "\u00A0", "é"];
    const texts = Array.from({ length: 500 }, (_, seed) =>
      Array.from({ length: seed % 23 }, (_, i) => alphabet[(seed * 7 + i * 13) % alphabet.length]),
    ).map((parts) => `scale ${parts.join("")}`);

    const results = texts.map((text) => parseSlackText(text));

    for (const result of results) {
      expect(typeof result.ok).toBe("boolean");
    }
  });
});

describe("quoteToken", () => {
  it("wraps plain tokens in backticks", () => {
    const token = "api-gw";

    const quoted = quoteToken(token);

    expect(quoted).toBe("`api-gw`");
  });

  it("escapes control and non-ASCII characters", () => {
    const token = "a\nb\\c`d\u200Be\u0007";

    const quoted = quoteToken(token);

    expect(quoted).toBe("`a\\nb\\\\c\\u{60}d\\u{200b}e\\u{7}`");
  });

  it("cuts long tokens to 40 characters", () => {
    const token = "x".repeat(45);

    const quoted = quoteToken(token);

    expect(quoted).toBe(`\`${"x".repeat(40)}\` (first 40 of 45 characters)`);
  });
});

describe("editDistance", () => {
  it.each([
    ["api-gw", "api-gw", 0],
    ["api-gq", "api-gw", 1],
    ["api-wg", "api-gw", 1],
    ["apigw", "api-gw", 1],
    ["", "web", 3],
    ["wrk", "worker", 3],
  ])("measures %s to %s as %i", (a, b, distance) => {
    const measured = editDistance(a, b);

    expect(measured).toBe(distance);
  });
});

describe("usage", () => {
  it("lists one line per verb", () => {
    const lines = HELP_TEXT.split("\n");

    expect(lines).toHaveLength(VERBS.length);
    for (const [index, verb] of VERBS.entries()) {
      expect(lines[index]).toBe(usageOf(verb));
      expect(lines[index]).toMatch(new RegExp(`^/psa ${verb}\\b.* - \\w`));
    }
  });
});

describe("request and freeze verbs", () => {
  const known = { services: ["api-gw", "crm-web"] };

  it.each([
    ["show R12", { verb: "show", requestId: "R12" }],
    ["cancel R3", { verb: "cancel", requestId: "R3" }],
    ["history", { verb: "history" }],
    ["history crm-web", { verb: "history", service: "crm-web" }],
    ["whoami", { verb: "whoami" }],
    ["freeze api-gw db migration", { verb: "freeze", service: "api-gw", reason: "db migration" }],
    ["freeze incident 42", { verb: "freeze", reason: "incident 42" }],
    ["freeze", { verb: "freeze", reason: "" }],
    ["unfreeze", { verb: "unfreeze" }],
    ["unfreeze api-gw", { verb: "unfreeze", service: "api-gw" }],
  ])("parses %s", (line, command) => {
    expect(parseCommand(line, known)).toEqual({ ok: true, command });
  });
});
