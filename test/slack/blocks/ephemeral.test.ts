import { describe, expect, it } from "vitest";
import { DEFAULT_HINT, errorBlocks, errorMessage } from "../../../src/slack/blocks/ephemeral.ts";
import { checkMessage, MAX_MESSAGE_BLOCKS } from "../../../src/slack/blocks/limits.ts";

describe("errorBlocks", () => {
  it("renders a denial with a hint line", () => {
    const blocks = errorBlocks("Denied: rule prod-scale lets only sre request scale on web.");

    expect(blocks).toEqual([
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "Denied: rule prod-scale lets only sre request scale on web.",
        },
      },
      { type: "context", elements: [{ type: "mrkdwn", text: DEFAULT_HINT }] },
    ]);
  });

  it("escapes user text", () => {
    const blocks = errorBlocks("Unknown service '<!channel>' & <https://evil.test|docs>");

    const json = JSON.stringify(blocks);
    expect(json).not.toContain("<!channel>");
    expect(json).not.toContain("<https://");
    expect(json).toContain("'&lt;!channel&gt;' &amp; &lt;https://evil.test|docs&gt;");
  });

  it("keeps user mentions", () => {
    const blocks = errorBlocks("You are <@U0SRE1>, with roles sre.");

    expect(JSON.stringify(blocks)).toContain("You are <@U0SRE1>, with roles sre.");
  });

  it("takes another hint", () => {
    const blocks = errorBlocks("Request R9 not found.", "/psa history lists recent requests.");

    expect(blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "/psa history lists recent requests." }],
    });
  });

  it("splits a long answer within the limits", () => {
    const trail = Array.from(
      { length: 4000 },
      (_, i) =>
        `  2025-03-04T10:00:${String(i % 60).padStart(2, "0")}Z step_ended by bot: step ${i}`,
    );

    const blocks = errorBlocks(`Request R12\nTrail:\n${trail.join("\n")}`);

    expect(checkMessage(blocks)).toEqual([]);
    expect(blocks).toHaveLength(MAX_MESSAGE_BLOCKS);
    expect(JSON.stringify(blocks.at(-2))).toMatch(/… and \d+ more lines\./);
  });

  it("renders empty text as no details", () => {
    const blocks = errorBlocks("  ");

    expect(blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: "(no details)" } });
  });
});

describe("errorMessage", () => {
  it("escapes the fallback text", () => {
    const message = errorMessage("bad <!here>");

    expect(message.text).toBe("bad &lt;!here&gt;");
    expect(message.blocks).toEqual(errorBlocks("bad <!here>"));
  });
});
