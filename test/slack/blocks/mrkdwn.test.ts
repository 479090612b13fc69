import { describe, expect, it } from "vitest";
import {
  escapeCode,
  escapeKeepingMentions,
  inlineCode,
  mention,
  outputBlock,
  slackDate,
} from "../../../src/slack/blocks/mrkdwn.ts";

describe("escapeKeepingMentions", () => {
  it("keeps user mentions live", () => {
    const text = escapeKeepingMentions("Rejected by <@U123> & <@W9>.");

    expect(text).toBe("Rejected by <@U123> &amp; <@W9>.");
  });

  it("makes broadcasts and links harmless", () => {
    const text = escapeKeepingMentions(
      "<!channel> <!here> <!subteam^S1> <#C1|ops> <https://x.test|x>",
    );

    expect(text).not.toContain("<");
    expect(text).toContain("&lt;!channel&gt;");
  });

  it("keeps a bare channel link", () => {
    expect(escapeKeepingMentions("in <#C0APPROVE>.")).toBe("in <#C0APPROVE>.");
  });

  it("escapes a mention with a label", () => {
    expect(escapeKeepingMentions("<@U1|bob>")).toBe("&lt;@U1|bob&gt;");
  });
});

describe("mention", () => {
  it("mentions a user id", () => {
    expect(mention("U123")).toBe("<@U123>");
  });

  it("escapes an id that is not a user id", () => {
    expect(mention("!channel")).toBe("!channel");
    expect(mention("U1><!channel")).toBe("U1&gt;&lt;!channel");
  });
});

describe("code formatting", () => {
  it("replaces backticks in inline code", () => {
    expect(inlineCode("echo `id` <x>")).toBe("`echo ˋidˋ &lt;x&gt;`");
  });

  it("keeps the length of escaped code", () => {
    expect(escapeCode("a`b").length).toBe(3);
  });

  it("keeps the end of long output", () => {
    const output = `${"x".repeat(10_000)}\nfatal: the end`;

    const block = outputBlock(output, 1000);

    expect(block.length).toBeLessThanOrEqual(1000);
    expect(block.startsWith("```(")).toBe(true);
    expect(block.endsWith("fatal: the end```")).toBe(true);
  });
});

describe("slackDate", () => {
  it("formats a date token with a UTC fallback", () => {
    expect(slackDate("2025-03-04T10:30:45.000Z")).toBe(
      "<!date^1741084245^{date_short_pretty} {time}|2025-03-04 10:30 UTC>",
    );
  });

  it("escapes text that is no date", () => {
    expect(slackDate("<soon>")).toBe("&lt;soon&gt;");
  });
});
