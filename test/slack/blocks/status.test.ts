import { describe, expect, it } from "vitest";
import type { Block } from "../../../src/slack/blocks/elements.ts";
import {
  checkMessage,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
} from "../../../src/slack/blocks/limits.ts";
import { statusBlocks } from "../../../src/slack/blocks/status.ts";

/** Builds status text in the layout `renderStatus` writes. */
function statusText(service: string, replicas: number, drift: string[] = []): string {
  const lines = [
    `${service}: ${replicas} replica(s), ${replicas} UP in HAProxy backend be_${service}`,
  ];
  for (let i = 0; i < replicas; i++) {
    const vmid = 1000 + i;
    lines.push(
      `  ${service}-${vmid}  CT ${vmid}  pve${(i % 3) + 1}  running  10.0.${Math.floor(i / 200)}.${i % 200}  HAProxy UP, ${i % 7} session(s), bot-managed`,
    );
  }
  lines.push(drift.length === 0 ? "  no drift" : `  drift (${drift.length}):`);
  for (const item of drift) lines.push(`    - ${item}`);
  return lines.join("\n");
}

function sectionTexts(blocks: Block[]): string[] {
  return blocks.flatMap((block) =>
    block.type === "section" && block.text ? [block.text.text] : [],
  );
}

describe("statusBlocks", () => {
  it("renders a small status", () => {
    const text = statusText("web", 2, ["CT 1005 web-1005 is not in HAProxy"]);

    const message = statusBlocks(`${text}\n\nFrozen: web by <@U0SRE1>: <!here> maintenance`);

    expect(sectionTexts(message.blocks)).toEqual([
      [
        "web: 2 replica(s), 2 UP in HAProxy backend be_web",
        "```web-1000  CT 1000  pve1  running  10.0.0.0  HAProxy UP, 0 session(s), bot-managed",
        "web-1001  CT 1001  pve2  running  10.0.0.1  HAProxy UP, 1 session(s), bot-managed",
        "drift (1):",
        "  - CT 1005 web-1005 is not in HAProxy```",
        "",
        "Frozen: web by <@U0SRE1>: &lt;!here&gt; maintenance",
      ].join("\n"),
    ]);
    expect(message.text).not.toContain("<!here>");
  });

  it("fits 60 replicas", () => {
    const text = statusText("web", 60);

    const message = statusBlocks(text);

    expect(checkMessage(message.blocks)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    const texts = sectionTexts(message.blocks);
    expect(texts.length).toBeGreaterThan(1);
    for (const section of texts) expect(section.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    const joined = texts.join("\n");
    for (let i = 0; i < 60; i++) expect(joined).toContain(`web-${1000 + i}  CT ${1000 + i}`);
  });

  it("keeps code blocks closed across sections", () => {
    const message = statusBlocks(statusText("web", 60));

    for (const section of sectionTexts(message.blocks)) {
      expect(section.split("```").length % 2).toBe(1);
    }
  });

  it("counts lines beyond the block limit", () => {
    const services = Array.from({ length: 40 }, (_, i) => statusText(`svc${i}`, 40));

    const message = statusBlocks(services.join("\n\n"));

    expect(message.blocks).toHaveLength(MAX_MESSAGE_BLOCKS);
    expect(checkMessage(message.blocks)).toEqual([]);
    const last = message.blocks.at(-1);
    expect(last?.type).toBe("context");
    expect(JSON.stringify(last)).toMatch(/… and \d+ more status lines\./);
  });

  it("cuts the fallback text", () => {
    const message = statusBlocks(statusText("web", 60));

    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(message.text.startsWith("web: 60 replica(s)")).toBe(true);
  });
});
