import { describe, expect, it } from "vitest";
import {
  actionsBlock,
  type Block,
  buttonElement,
  headerBlock,
  sectionBlock,
} from "../../../src/slack/blocks/elements.ts";
import {
  checkMessage,
  escapeMrkdwn,
  MAX_BUTTON_TEXT,
  MAX_HOME_BLOCKS,
  MAX_SECTION_TEXT,
  packCounted,
  packTexts,
  safeCut,
  splitText,
  truncate,
  truncateStart,
} from "../../../src/slack/blocks/limits.ts";

describe("escapeMrkdwn", () => {
  it("escapes the three control characters", () => {
    const escaped = escapeMrkdwn("a & b <c> d");

    expect(escaped).toBe("a &amp; b &lt;c&gt; d");
  });

  it("makes a broadcast harmless", () => {
    const escaped = escapeMrkdwn("<!channel> and <!here> and <@U123>");

    expect(escaped).not.toContain("<");
    expect(escaped).toBe("&lt;!channel&gt; and &lt;!here&gt; and &lt;@U123&gt;");
  });

  it("escapes an entity again", () => {
    expect(escapeMrkdwn("&lt;")).toBe("&amp;lt;");
  });
});

describe("truncate", () => {
  it("keeps short text", () => {
    expect(truncate("short", 10)).toBe("short");
  });

  it("ends with a note of what was cut", () => {
    const text = "x".repeat(5000);

    const cut = truncate(text, 3000, "/psa show R12 has everything");

    expect(cut.length).toBeLessThanOrEqual(3000);
    const noteStart = cut.indexOf("…");
    expect(cut.slice(noteStart)).toBe(
      `… (${5000 - noteStart} more characters; /psa show R12 has everything)`,
    );
  });

  it("keeps entities whole", () => {
    const text = `${"a".repeat(60)}${"&amp;".repeat(20)}`;

    for (let max = 40; max < text.length; max += 1) {
      const cut = truncate(text, max);
      const head = cut.slice(0, cut.indexOf("…"));
      expect(head.replaceAll("&amp;", "")).toMatch(/^a*$/);
    }
  });

  it("keeps mentions whole", () => {
    const text = `${"a".repeat(40)} <@U12345678> ${"b".repeat(60)}`;

    for (let max = 40; max < text.length; max += 1) {
      const head = truncate(text, max).split("…")[0] ?? "";
      expect(head.includes("<") ? head.includes("<@U12345678>") : true).toBe(true);
    }
  });

  it("closes a code block it cuts", () => {
    const text = `before\n\`\`\`${"line\n".repeat(200)}\`\`\``;

    const cut = truncate(text, 300);

    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut.split("```").length - 1).toBe(2);
  });

  it("keeps no half of a surrogate pair", () => {
    const text = "🙂".repeat(100);

    const cut = truncate(text, 101);

    expect(cut.length).toBeLessThanOrEqual(101);
    expect(cut.slice(0, cut.indexOf("…"))).toMatch(/^(🙂)*$/u);
  });

  it("cuts plainly when the note does not fit", () => {
    expect(truncate("abcdefghij", 4)).toBe("abcd");
  });
});

describe("truncateStart", () => {
  it("keeps the end of a long output", () => {
    const text = `${"noise\n".repeat(2000)}Error: disk full`;

    const cut = truncateStart(text, 500, "/psa show R12 has everything");

    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut.endsWith("Error: disk full")).toBe(true);
    expect(cut).toMatch(/^\(\d+ earlier characters; \/psa show R12 has everything\) …\n/);
  });

  it("keeps entities whole at the start", () => {
    const text = `${"&lt;".repeat(50)}end`;

    for (let max = 40; max < 60; max += 1) {
      const tail = truncateStart(text, max).split("\n")[1] ?? "";
      expect(tail.replaceAll("&lt;", "")).toBe("end");
    }
  });
});

describe("safeCut", () => {
  it("moves a cut out of an entity", () => {
    expect(safeCut("ab&amp;cd", 4)).toBe(2);
  });

  it("moves a cut out of a mention", () => {
    expect(safeCut("hi <@U1> there", 6)).toBe(3);
  });

  it("leaves a cut between sequences", () => {
    expect(safeCut("hi <@U1> there", 8)).toBe(8);
  });
});

describe("splitText", () => {
  it("splits at line breaks", () => {
    const text = ["aaaa", "bbbb", "cccc"].join("\n");

    const chunks = splitText(text, 9);

    expect(chunks).toEqual(["aaaa\nbbbb", "cccc"]);
  });

  it("cuts a line longer than the limit", () => {
    const chunks = splitText("x".repeat(25), 10);

    expect(chunks).toEqual(["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
  });

  it("keeps every character", () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i} ${"z".repeat(i % 40)}`).join(
      "\n",
    );

    const chunks = splitText(text, 200);

    expect(chunks.every((chunk) => chunk.length <= 200)).toBe(true);
    expect(chunks.join("\n")).toBe(text);
  });
});

describe("packTexts", () => {
  it("joins parts while they fit", () => {
    expect(packTexts(["ab", "cd", "ef"], 5)).toEqual(["ab\ncd", "ef"]);
  });

  it("counts parts per text", () => {
    const packed = packCounted(["ab", "cd", "ef"], 6, "\n\n");

    expect(packed).toEqual([
      { text: "ab\n\ncd", parts: 2 },
      { text: "ef", parts: 1 },
    ]);
  });
});

describe("checkMessage", () => {
  it("accepts a valid message", () => {
    const blocks = [headerBlock("R1"), sectionBlock("text")];

    expect(checkMessage(blocks)).toEqual([]);
  });

  it("reports too many blocks", () => {
    const blocks = Array.from({ length: 51 }, () => sectionBlock("x"));

    expect(checkMessage(blocks)).toEqual(["51 blocks, more than the maximum of 50"]);
  });

  it("allows 100 blocks in a Home tab", () => {
    const blocks = Array.from({ length: 100 }, () => sectionBlock("x"));

    expect(checkMessage(blocks, MAX_HOME_BLOCKS)).toEqual([]);
  });

  it("reports a long section", () => {
    const blocks = [sectionBlock("x".repeat(MAX_SECTION_TEXT + 1))];

    expect(checkMessage(blocks)).toEqual([
      "block 0 (section): text has 3001 characters, more than the maximum of 3000",
    ]);
  });

  it("reports an empty section", () => {
    expect(checkMessage([sectionBlock("")])).toEqual(["block 0 (section): text is empty"]);
  });

  it("reports a long header", () => {
    const header: Block = { type: "header", text: { type: "plain_text", text: "h".repeat(151) } };

    expect(checkMessage([header])).toEqual([
      "block 0 (header): text has 151 characters, more than the maximum of 150",
    ]);
  });

  it("reports a long button label", () => {
    const button = buttonElement("Approve", "psa_approve", "R1");
    button.text.text = "L".repeat(MAX_BUTTON_TEXT + 1);

    const problems = checkMessage([actionsBlock([button])]);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/label has 76 characters, more than the maximum of 75$/);
  });

  it("reports a long button value and action_id", () => {
    const button = buttonElement("Go", "a".repeat(256), "v".repeat(2001));

    const problems = checkMessage([actionsBlock([button])]);

    expect(problems).toEqual([
      'block 0 (actions): button "Go" value has 2001 characters, more than the maximum of 2000',
      'block 0 (actions): button "Go" action_id has 256 characters, more than the maximum of 255',
    ]);
  });

  it("reports a repeated action_id", () => {
    const blocks = [
      actionsBlock([buttonElement("A", "psa_approve", "R1")]),
      actionsBlock([buttonElement("B", "psa_approve", "R2")]),
    ];

    expect(checkMessage(blocks)).toEqual([
      'block 1 (actions): button "B" action_id psa_approve is already used in this message',
    ]);
  });

  it("reports too many fields", () => {
    const fields = Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "f" }));

    expect(checkMessage([{ type: "section", fields }])).toEqual([
      "block 0 (section): 11 fields, more than the maximum of 10",
    ]);
  });
});

describe("buttonElement", () => {
  it("truncates a long label", () => {
    const button = buttonElement("Approve ".repeat(20), "psa_approve", "R1");

    expect(button.text.text.length).toBeLessThanOrEqual(MAX_BUTTON_TEXT);
    expect(checkMessage([actionsBlock([button])])).toEqual([]);
  });
});
