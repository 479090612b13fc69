import { describe, expect, it } from "vitest";
import type { ChangeRequest, RequestStatus } from "../../../src/core/request.ts";
import type { Block } from "../../../src/slack/blocks/elements.ts";
import { type HomeService, homeView } from "../../../src/slack/blocks/home.ts";
import { checkMessage, MAX_HOME_BLOCKS } from "../../../src/slack/blocks/limits.ts";

function makeRequest(id: string, status: RequestStatus, outcome?: string): ChangeRequest {
  return {
    id,
    commandText: "scale web +1",
    command: { verb: "scale", service: "web", change: { mode: "relative", delta: 1 } },
    service: "web",
    requesterId: "U0REQ",
    origin: { surface: "slack", channelId: "C0OPS" },
    createdAt: "2025-03-04T10:00:00.000Z",
    expiresAt: "2025-03-04T10:30:00.000Z",
    status,
    approval: {
      rule: "prod-scale",
      required: true,
      approverRoles: ["sre"],
      approverIds: ["U0SRE1"],
      count: 1,
      selfApproval: false,
    },
    votes: [],
    plan: {
      service: "web",
      summary: "scale web from 3 to 4 replicas",
      currentReplicas: 3,
      targetReplicas: 4,
      steps: [],
      reservation: { vmids: [], ips: [], names: [], nodes: [] },
      facts: [],
      hash: "0123456789abcdef",
    },
    reservation: { vmids: [], ips: [], names: [], nodes: [] },
    updatedAt: "2025-03-04T10:10:00.000Z",
    version: 1,
    ...(outcome ? { outcome } : {}),
  };
}

function textOf(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

const web: HomeService = { name: "web", replicas: 3, up: 3, drift: [] };

describe("homeView", () => {
  it("renders services, pending and recent requests", () => {
    const view = homeView({
      services: [web],
      pending: [makeRequest("R12", "requested")],
      recent: [makeRequest("R11", "succeeded", "Succeeded: scale web from 2 to 3 replicas.")],
    });

    expect(view.type).toBe("home");
    expect(view.blocks).toMatchInlineSnapshot(`
      [
        {
          "text": {
            "text": "PSA platform",
            "type": "plain_text",
          },
          "type": "header",
        },
        {
          "text": {
            "text": "*Services*",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*web*: 3 replica(s), 3 UP in HAProxy
      No drift.",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "type": "divider",
        },
        {
          "text": {
            "text": "*Waiting for approval* (1)",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*R12* \`/psa scale web +1\` by <@U0REQ>: waiting for approval (0/1)
      Plan \`0123456789abcdef\`: scale web from 3 to 4 replicas. Expires <!date^1741084200^{date_short_pretty} {time}|2025-03-04 10:30 UTC>.
      Vote on its card in <#C0OPS>.",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "type": "divider",
        },
        {
          "text": {
            "text": "*Recent requests*",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*R11* \`/psa scale web +1\` by <@U0REQ>: succeeded — Succeeded: scale web from 2 to 3 replicas. (<!date^1741083000^{date_short_pretty} {time}|2025-03-04 10:10 UTC>)",
            "type": "mrkdwn",
          },
          "type": "section",
        },
      ]
    `);
    expect(checkMessage(view.blocks, MAX_HOME_BLOCKS)).toEqual([]);
  });

  it("shows drift and freezes", () => {
    const service: HomeService = {
      name: "api",
      replicas: 4,
      up: 2,
      drift: ["a", "b", "c", "d", "e"],
      frozen: "api by <@U0SRE1> since 2025-03-04T09:00:00Z: <!channel> upgrade",
    };

    const view = homeView({ services: [service], pending: [], recent: [] });

    const json = textOf(view.blocks);
    expect(json).toContain("Drift (5):\\n• a\\n• b\\n• c\\n• … and 2 more");
    expect(json).toContain("Frozen: api by <@U0SRE1>");
    expect(json).not.toContain("<!channel>");
    expect(json).toContain("Nothing waits for approval.");
    expect(json).toContain("No requests yet.");
  });

  it("shows a drift count", () => {
    const view = homeView({ services: [{ ...web, drift: 2 }], pending: [], recent: [] });

    expect(textOf(view.blocks)).toContain("Drift: 2; /psa status web lists it.");
  });

  it("fits many requests in 100 blocks", () => {
    const services = Array.from({ length: 30 }, (_, i) => ({ ...web, name: `svc${i}` }));
    const pending = Array.from({ length: 1000 }, (_, i) => makeRequest(`R${i}`, "requested"));
    const recent = Array.from({ length: 1000 }, (_, i) =>
      makeRequest(`R${2000 + i}`, "failed", `Run failed: ${"x".repeat(2500)}`),
    );

    const view = homeView({ services, pending, recent });

    expect(view.blocks.length).toBeLessThanOrEqual(MAX_HOME_BLOCKS);
    expect(checkMessage(view.blocks, MAX_HOME_BLOCKS)).toEqual([]);
    const json = textOf(view.blocks);
    expect(json).toMatch(/… and \d+ more requests waiting; \/psa history lists them\./);
    expect(json).toMatch(/… and \d+ more; \/psa history lists them\./);
    expect(json).toContain("more characters)");
  });

  it("escapes user text in requests", () => {
    const request = makeRequest("R12", "requested");
    request.plan.summary = "<!here> scale";

    const view = homeView({ services: [], pending: [request], recent: [] });

    expect(textOf(view.blocks)).not.toContain("<!here>");
    expect(textOf(view.blocks)).toContain("No services are configured.");
  });
});
