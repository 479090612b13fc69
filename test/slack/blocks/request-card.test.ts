import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/core/plan.ts";
import type { ChangeRequest, RequestStatus } from "../../../src/core/request.ts";
import type { Block } from "../../../src/slack/blocks/elements.ts";
import { checkMessage } from "../../../src/slack/blocks/limits.ts";
import { CARD_ACTIONS, requestCardBlocks } from "../../../src/slack/blocks/request-card.ts";

function cloneStep(id: number, vmid: number, argv?: string[]): Step {
  return {
    kind: "exec",
    id: String(id),
    title: `clone template CT 9000 to CT ${vmid} (web-${vmid}) on pve1`,
    host: "pve1",
    timeoutMs: 120_000,
    argv: argv ?? [
      "pct",
      "clone",
      "9000",
      String(vmid),
      "--hostname",
      `web-${vmid}`,
      "--full",
      "1",
    ],
    undo: [
      {
        kind: "exec",
        id: `${id}.u1`,
        title: `destroy CT ${vmid}`,
        host: "pve1",
        timeoutMs: 120_000,
        argv: ["pct", "destroy", String(vmid)],
        undo: [],
      },
    ],
  };
}

function configStep(id: number): Step {
  return {
    kind: "config-edit",
    id: String(id),
    title: "add web-104 to backend be_web",
    host: "lb1",
    timeoutMs: 120_000,
    path: "/etc/haproxy/haproxy.cfg",
    backend: "be_web",
    add: [{ name: "web-104", ip: "10.0.0.104", port: 8080 }],
    remove: [],
    undo: [],
  };
}

function makeRequest(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  const steps = [cloneStep(1, 104), configStep(2)];
  return {
    id: "R12",
    commandText: "scale web +1",
    command: { verb: "scale", service: "web", change: { mode: "relative", delta: 1 } },
    service: "web",
    requesterId: "U0REQ",
    origin: { surface: "slack", channelId: "C0OPS" },
    createdAt: "2025-03-04T10:00:00.000Z",
    expiresAt: "2025-03-04T10:30:00.000Z",
    status: "requested",
    approval: {
      rule: "prod-scale",
      required: true,
      approverRoles: ["sre"],
      approverIds: ["U0REQ", "U0SRE1", "U0SRE2"],
      count: 1,
      selfApproval: false,
    },
    votes: [],
    plan: {
      service: "web",
      summary: "scale web from 3 to 4 replicas",
      currentReplicas: 3,
      targetReplicas: 4,
      steps,
      reservation: { vmids: [104], ips: ["10.0.0.104"], names: ["web-104"], nodes: ["pve1"] },
      facts: [],
      hash: "0123456789abcdef",
    },
    reservation: { vmids: [104], ips: ["10.0.0.104"], names: ["web-104"], nodes: ["pve1"] },
    updatedAt: "2025-03-04T10:00:00.000Z",
    version: 1,
    ...overrides,
  };
}

function buttonsOf(blocks: Block[]): { action: string; value: string; style?: string }[] {
  return blocks.flatMap((block) =>
    block.type === "actions"
      ? block.elements.flatMap((element) =>
          element.type === "button"
            ? [
                {
                  action: element.action_id ?? "",
                  value: element.value ?? "",
                  ...(element.style ? { style: element.style } : {}),
                },
              ]
            : [],
        )
      : [],
  );
}

function textOf(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

describe("requestCardBlocks", () => {
  it("renders a pending card", () => {
    const card = requestCardBlocks(makeRequest());

    expect(card.text).toMatchInlineSnapshot(`
      "Request R12 by <@U0REQ>: /psa scale web +1 — waiting for approval (0/1)
      Plan 0123456789abcdef: scale web from 3 to 4 replicas (2 steps; /psa show R12 lists them)
      *Policy:* rule \`prod-scale\` needs 1 approval from \`sre\`
      *Approvers:* <@U0SRE1> <@U0SRE2>"
    `);
    expect(card.blocks).toMatchInlineSnapshot(`
      [
        {
          "text": {
            "text": "Request R12",
            "type": "plain_text",
          },
          "type": "header",
        },
        {
          "text": {
            "text": "\`/psa scale web +1\` requested by <@U0REQ>, <!date^1741082400^{date_short_pretty} {time}|2025-03-04 10:00 UTC>
      *Status:* waiting for approval (0/1)",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*Plan* \`0123456789abcdef\`: scale web from 3 to 4 replicas (3 → 4 replicas, 2 steps)",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*1.* \`pve1\` clone template CT 9000 to CT 104 (web-104) on pve1
      \`pct clone 9000 104 --hostname web-104 --full 1\`
            undo on \`pve1\`: \`pct destroy 104\`

      *2.* \`lb1\` add web-104 to backend be_web
      \`in backend be_web of /etc/haproxy/haproxy.cfg: + server web-104 10.0.0.104:8080 check; haproxy -c -f the candidate, keep /etc/haproxy/haproxy.cfg.psa-bak, mv the candidate into place\`",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*Policy:* rule \`prod-scale\` needs 1 approval from \`sre\`
      *Approvers:* <@U0SRE1> <@U0SRE2>",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "elements": [
            {
              "text": "Expires <!date^1741084200^{date_short_pretty} {time}|2025-03-04 10:30 UTC>",
              "type": "mrkdwn",
            },
          ],
          "type": "context",
        },
        {
          "elements": [
            {
              "action_id": "psa_approve",
              "style": "primary",
              "text": {
                "text": "Approve",
                "type": "plain_text",
              },
              "type": "button",
              "value": "R12",
            },
            {
              "action_id": "psa_reject",
              "style": "danger",
              "text": {
                "text": "Reject",
                "type": "plain_text",
              },
              "type": "button",
              "value": "R12",
            },
            {
              "action_id": "psa_cancel",
              "text": {
                "text": "Cancel",
                "type": "plain_text",
              },
              "type": "button",
              "value": "R12",
            },
          ],
          "type": "actions",
        },
      ]
    `);
    expect(checkMessage(card.blocks)).toEqual([]);
  });

  it("renders a decided card", () => {
    const request = makeRequest({
      status: "rejected",
      votes: [{ userId: "U0SRE1", decision: "reject", at: "2025-03-04T10:05:00.000Z" }],
      outcome: "Rejected by <@U0SRE1> at 2025-03-04T10:05:00.000Z.",
      updatedAt: "2025-03-04T10:05:00.000Z",
      version: 2,
    });

    const card = requestCardBlocks(request);

    expect(card.text).toMatchInlineSnapshot(`
      "Request R12 by <@U0REQ>: /psa scale web +1 — rejected
      Plan 0123456789abcdef: scale web from 3 to 4 replicas (2 steps; /psa show R12 lists them)
      *Policy:* rule \`prod-scale\` needs 1 approval from \`sre\`
      *Approvers:* <@U0SRE1> <@U0SRE2>
      *Rejected* by <@U0SRE1>, <!date^1741082700^{date_short_pretty} {time}|2025-03-04 10:05 UTC>"
    `);
    expect(card.blocks).toMatchInlineSnapshot(`
      [
        {
          "text": {
            "text": "Request R12",
            "type": "plain_text",
          },
          "type": "header",
        },
        {
          "text": {
            "text": "\`/psa scale web +1\` requested by <@U0REQ>, <!date^1741082400^{date_short_pretty} {time}|2025-03-04 10:00 UTC>
      *Status:* rejected",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*Plan* \`0123456789abcdef\`: scale web from 3 to 4 replicas (3 → 4 replicas, 2 steps)",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*1.* \`pve1\` clone template CT 9000 to CT 104 (web-104) on pve1
      \`pct clone 9000 104 --hostname web-104 --full 1\`
            undo on \`pve1\`: \`pct destroy 104\`

      *2.* \`lb1\` add web-104 to backend be_web
      \`in backend be_web of /etc/haproxy/haproxy.cfg: + server web-104 10.0.0.104:8080 check; haproxy -c -f the candidate, keep /etc/haproxy/haproxy.cfg.psa-bak, mv the candidate into place\`",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*Policy:* rule \`prod-scale\` needs 1 approval from \`sre\`
      *Approvers:* <@U0SRE1> <@U0SRE2>",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "text": {
            "text": "*Votes:*
      • rejected by <@U0SRE1>, <!date^1741082700^{date_short_pretty} {time}|2025-03-04 10:05 UTC>",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "elements": [
            {
              "text": "*Rejected* by <@U0SRE1>, <!date^1741082700^{date_short_pretty} {time}|2025-03-04 10:05 UTC>",
              "type": "mrkdwn",
            },
          ],
          "type": "context",
        },
      ]
    `);
    expect(buttonsOf(card.blocks)).toEqual([]);
    expect(checkMessage(card.blocks)).toEqual([]);
  });

  it("offers approve, reject and cancel while open", () => {
    for (const status of ["requested", "partly_approved"] as const) {
      const card = requestCardBlocks(makeRequest({ status }));

      expect(buttonsOf(card.blocks)).toEqual([
        { action: CARD_ACTIONS.approve, value: "R12", style: "primary" },
        { action: CARD_ACTIONS.reject, value: "R12", style: "danger" },
        { action: CARD_ACTIONS.cancel, value: "R12" },
      ]);
    }
  });

  it("offers undo and resume when interrupted", () => {
    const card = requestCardBlocks(makeRequest({ status: "interrupted" }));

    expect(buttonsOf(card.blocks)).toEqual([
      { action: CARD_ACTIONS.undo, value: "R12" },
      { action: CARD_ACTIONS.resume, value: "R12" },
    ]);
  });

  it("offers cancel while approved or running", () => {
    for (const status of ["approved", "running"] as const) {
      const card = requestCardBlocks(makeRequest({ status }));

      expect(buttonsOf(card.blocks)).toEqual([{ action: CARD_ACTIONS.cancel, value: "R12" }]);
    }
  });

  it("hides cancel once a cancel is requested", () => {
    const card = requestCardBlocks(makeRequest({ status: "running", cancelRequestedBy: "U0SRE2" }));

    expect(buttonsOf(card.blocks)).toEqual([]);
    expect(textOf(card.blocks)).toContain("*Cancel requested by* <@U0SRE2>");
  });

  it("shows who decided and when", () => {
    const cases: [RequestStatus, Partial<ChangeRequest>, string][] = [
      ["cancelled", { cancelRequestedBy: "U0REQ" }, "*Cancelled* by <@U0REQ>"],
      [
        "cancelled",
        { outcome: "Cancelled by <@U0SRE1> at 2025-03-04T10:04:00.000Z." },
        "*Cancelled* by <@U0SRE1>",
      ],
      ["expired", {}, "*Expired* without enough approvals, <!date^"],
      [
        "succeeded",
        { votes: [{ userId: "U0SRE2", decision: "approve", at: "2025-03-04T10:02:00.000Z" }] },
        "*Succeeded* after approval by <@U0SRE2>",
      ],
    ];

    for (const [status, overrides, expected] of cases) {
      const card = requestCardBlocks(makeRequest({ status, ...overrides }));

      const last = card.blocks.at(-1);
      expect(last?.type).toBe("context");
      expect(textOf([last!])).toContain(expected);
      expect(buttonsOf(card.blocks)).toEqual([]);
    }
  });

  it("leaves the requester out of the approvers", () => {
    const card = requestCardBlocks(makeRequest());

    const policy = textOf(card.blocks.filter((b) => textOf([b]).includes("*Policy:*")));
    expect(policy).toContain("*Approvers:* <@U0SRE1> <@U0SRE2>");
    expect(policy).not.toContain("<@U0REQ>");
  });

  it("lists the requester when self-approval is allowed", () => {
    const request = makeRequest();
    request.approval.selfApproval = true;

    const card = requestCardBlocks(request);

    expect(textOf(card.blocks)).toContain(
      "*Approvers:* <@U0REQ> <@U0SRE1> <@U0SRE2> (the requester may approve too)",
    );
  });

  it("lists votes with their time", () => {
    const request = makeRequest({
      status: "partly_approved",
      votes: [{ userId: "U0SRE1", decision: "approve", at: "2025-03-04T10:01:00.000Z" }],
    });

    const card = requestCardBlocks(request);

    expect(textOf(card.blocks)).toContain(
      "• approved by <@U0SRE1>, <!date^1741082460^{date_short_pretty} {time}|2025-03-04 10:01 UTC>",
    );
  });

  it("renders user text harmless", () => {
    const request = makeRequest({ commandText: "scale web +1 <!channel>" });
    request.plan.summary = "scale <!here> & <https://evil.test|click>";
    request.plan.steps[0]!.title = "clone <!channel>";

    const card = requestCardBlocks(request);

    const json = textOf(card.blocks);
    expect(json).not.toContain("<!channel>");
    expect(json).not.toContain("<!here>");
    expect(json).not.toContain("<https://");
    expect(card.text).not.toContain("<!channel>");
    expect(card.text).toContain("&lt;!channel&gt;");
  });

  it("fits a 120-step plan", () => {
    const request = makeRequest();
    request.plan.steps = Array.from({ length: 120 }, (_, i) => cloneStep(i + 1, 1000 + i));

    const card = requestCardBlocks(request);

    expect(checkMessage(card.blocks)).toEqual([]);
    const json = textOf(card.blocks);
    expect(json).toContain("*120.* `pve1` clone template CT 9000 to CT 1119");
    expect(json).not.toContain("more steps");
  });

  it("summarizes steps beyond the block limit", () => {
    const request = makeRequest();
    const long = "x".repeat(2000);
    request.plan.steps = Array.from({ length: 120 }, (_, i) =>
      cloneStep(i + 1, 1000 + i, ["echo", long]),
    );

    const card = requestCardBlocks(request);

    expect(card.blocks).toHaveLength(50);
    expect(checkMessage(card.blocks)).toEqual([]);
    const listedSteps = card.blocks.filter((b) => /"\*\d+\.\*/.test(textOf([b]))).length;
    expect(textOf(card.blocks)).toContain(
      `… and ${120 - listedSteps} more steps; /psa show R12 lists them all.`,
    );
  });

  it("cuts a step longer than a section", () => {
    const request = makeRequest();
    request.plan.steps = [cloneStep(1, 104, ["echo", "y".repeat(5000)])];

    const card = requestCardBlocks(request);

    expect(checkMessage(card.blocks)).toEqual([]);
    expect(textOf(card.blocks)).toMatch(/more characters; \/psa show R12 has everything/);
  });

  it("uses the configured slash command", () => {
    const request = makeRequest();
    request.plan.steps = Array.from({ length: 120 }, (_, i) =>
      cloneStep(i + 1, 1000 + i, ["echo", "x".repeat(2000)]),
    );

    const card = requestCardBlocks(request, { slashCommand: "/psa-staging", maxBlocks: 20 });

    expect(card.blocks).toHaveLength(20);
    expect(textOf(card.blocks)).toContain("/psa-staging show R12 lists them all.");
  });
});
