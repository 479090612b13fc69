import { describe, expect, it } from "vitest";
import { checkMessage, MAX_SECTION_TEXT } from "../../../src/slack/blocks/limits.ts";
import { progressBlocks } from "../../../src/slack/blocks/thread.ts";

function sectionTexts(blocks: ReturnType<typeof progressBlocks>["blocks"]): string[] {
  return blocks.flatMap((block) =>
    block.type === "section" && block.text ? [block.text.text] : [],
  );
}

describe("progressBlocks", () => {
  it("batches step lines in one section", () => {
    const lines = [
      "1 ok [pve1] clone template CT 9000 to CT 104 (3.2 s)",
      "2 ok [pve1] start CT 104 (1.1 s)",
    ];

    const message = progressBlocks(lines);

    expect(message.blocks).toEqual([
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "1 ok [pve1] clone template CT 9000 to CT 104 (3.2 s)\n2 ok [pve1] start CT 104 (1.1 s)",
        },
      },
    ]);
    expect(message.text).toBe(lines.join("\n"));
  });

  it("keeps one-line entries as text", () => {
    const message = progressBlocks([
      "3 FAILED [lb1] validate haproxy.cfg (0.4 s) — exit code 1",
      "[ALERT] parsing [/etc/haproxy/haproxy.cfg:12] : unknown keyword 'sever'",
    ]);

    expect(sectionTexts(message.blocks)).toEqual([
      "3 FAILED [lb1] validate haproxy.cfg (0.4 s) — exit code 1\n[ALERT] parsing [/etc/haproxy/haproxy.cfg:12] : unknown keyword 'sever'",
    ]);
  });

  it("fences the output of a multi-line entry", () => {
    const message = progressBlocks(["Run undone: step 3 failed\nstderr of step 3: <boom> `x`"]);

    expect(sectionTexts(message.blocks)).toEqual([
      "Run undone: step 3 failed\n```stderr of step 3: &lt;boom&gt; ˋxˋ```",
    ]);
  });

  it("cuts a 10,000-character output to its end", () => {
    const output = `${"progress line\n".repeat(750)}fatal: no space left on device`;
    expect(output.length).toBeGreaterThan(10_000);

    const message = progressBlocks([`4 FAILED [pve1] start CT 104 (9.9 s)\n${output}`], {
      requestId: "R12",
    });

    expect(checkMessage(message.blocks)).toEqual([]);
    const [text = ""] = sectionTexts(message.blocks);
    expect(text.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    expect(text).toContain("earlier characters; /psa show R12 has everything) …");
    expect(text.endsWith("fatal: no space left on device```")).toBe(true);
  });

  it("keeps user mentions and escapes broadcasts", () => {
    const message = progressBlocks(["<@U0SRE1> web is frozen: <!channel> reason"]);

    expect(sectionTexts(message.blocks)).toEqual([
      "<@U0SRE1> web is frozen: &lt;!channel&gt; reason",
    ]);
    expect(message.text).not.toContain("<!channel>");
  });

  it("counts entries beyond the block limit", () => {
    const lines = Array.from(
      { length: 120 },
      (_, i) => `${i + 1} FAILED [pve1] step ${i + 1}\n${"e".repeat(2000)}`,
    );

    const message = progressBlocks(lines);

    expect(message.blocks).toHaveLength(50);
    expect(checkMessage(message.blocks)).toEqual([]);
    expect(message.blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "… and 71 more progress lines." }],
    });
  });

  it("skips blank entries", () => {
    const message = progressBlocks(["", "  ", "1 ok [pve1] start CT 104 (1.0 s)"]);

    expect(sectionTexts(message.blocks)).toEqual(["1 ok [pve1] start CT 104 (1.0 s)"]);
  });
});
