import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type LabBot, lastRequestId, snapshot, startLabBot } from "../support/lab-bot.ts";

const SRE = "U0LABSRE1";
const APPROVER = "U0LABSRE2";
const DEV = "U0LABDEV1";
const VIEWER = "U0LABVIEW1";
let labBot: LabBot;

beforeAll(async () => {
  labBot = await startLabBot(83);
});

afterAll(async () => {
  await labBot?.close();
});

function lastReply() {
  return labBot.replies.at(-1)!;
}

describe("guards on the lab", () => {
  it("denies a viewer and runs nothing", async () => {
    const before = await snapshot(labBot, "api-gw");

    await labBot.bot.handleCommand(as(VIEWER), "scale api-gw +1");

    expect(lastReply().kind).toBe("ephemeral");
    expect(lastReply().text).toContain("Denied");
    expect(await snapshot(labBot, "api-gw")).toEqual(before);
  });

  it("denies a step above the rule's limit", async () => {
    await labBot.bot.handleCommand(as(DEV), "scale api-gw +2");

    expect(lastReply().text).toContain("dev-scale-api-gw");
  });

  it("runs nothing while unapproved, then nothing after reject", async () => {
    const before = await snapshot(labBot, "api-gw");
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    const requestId = lastRequestId(labBot.replies)!;

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await snapshot(labBot, "api-gw")).toEqual(before);
    await labBot.bot.handleAction(as(APPROVER), "reject", requestId);
    await labBot.bot.idle();

    expect((await labBot.deps.store.get(requestId))!.status).toBe("rejected");
    expect(await snapshot(labBot, "api-gw")).toEqual(before);
  });

  it("refuses self-approval, non-approvers and late clicks", async () => {
    await labBot.bot.handleCommand(as(SRE), "scale crm-web +1");
    const requestId = lastRequestId(labBot.replies)!;

    await labBot.bot.handleAction(as(SRE), "approve", requestId);
    expect(lastReply().text).toContain("self-approval");
    await labBot.bot.handleAction(as(DEV), "approve", requestId);
    expect(lastReply().text).toContain("needs role sre");
    await labBot.bot.handleAction(as(APPROVER), "reject", requestId);
    await labBot.bot.handleAction(as(APPROVER), "approve", requestId);

    expect(lastReply().text).toContain("already rejected");
    expect((await labBot.deps.store.get(requestId))!.votes).toHaveLength(1);
  });

  it("stops before any command on a wrong host key", async () => {
    const before = await snapshot(labBot, "api-gw");
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    const requestId = lastRequestId(labBot.replies)!;
    const pinned = labBot.hosts.pve2!.fingerprint;
    labBot.hosts.pve2!.fingerprint = `SHA256:${"A".repeat(43)}`;
    labBot.runner.close();

    await labBot.bot.handleAction(as(APPROVER), "approve", requestId);
    await labBot.bot.idle();
    labBot.hosts.pve2!.fingerprint = pinned;
    labBot.runner.close();

    const request = await labBot.deps.store.get(requestId);
    expect(request!.status).toBe("failed");
    expect(request!.outcome).toContain(`pinned SHA256:${"A".repeat(43)}, offered ${pinned}`);
    expect(request!.run?.steps ?? []).toEqual([]);
    expect(await snapshot(labBot, "api-gw")).toEqual(before);
  });

  it("never gives two services the same CT id", async () => {
    await Promise.all([
      labBot.bot.handleCommand(as(SRE), "scale api-gw +1"),
      labBot.bot.handleCommand(as(SRE), "scale crm-web +1"),
    ]);
    const cards = labBot.replies.filter((r) => r.kind === "card").slice(-2);

    await Promise.all(
      cards.map((card) => labBot.bot.handleAction(as(APPROVER), "approve", card.requestId!)),
    );
    await labBot.bot.idle();

    const requests = await Promise.all(cards.map((card) => labBot.deps.store.get(card.requestId!)));
    expect(requests.map((r) => r!.status)).toEqual(["succeeded", "succeeded"]);
    const [a, b] = requests.map((r) => r!.reservation.vmids[0]);
    expect(a).not.toBe(b);
    const live = await snapshot(labBot, "api-gw");
    expect(live.containers.filter((ct) => ct.vmid === a || ct.vmid === b)).toHaveLength(2);
  });

  it("gives two pending requests different IPs and runs them in turn", async () => {
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    const cards = labBot.replies.filter((r) => r.kind === "card").slice(-2);
    const pending = await Promise.all(cards.map((card) => labBot.deps.store.get(card.requestId!)));

    expect(pending[0]!.reservation.ips[0]).not.toBe(pending[1]!.reservation.ips[0]);
    await Promise.all(
      cards.map((card) => labBot.bot.handleAction(as(APPROVER), "approve", card.requestId!)),
    );
    await labBot.bot.idle();

    const done = await Promise.all(cards.map((card) => labBot.deps.store.get(card.requestId!)));
    expect(done.map((r) => r!.status)).toEqual(["succeeded", "succeeded"]);
    // Whichever approval lands second waits for the other request's run.
    const ids = cards.map((card) => card.requestId!);
    const waited = labBot.replies.find(
      (r) => r.kind === "thread" && ids.includes(r.requestId!) && r.text.startsWith("Waiting for"),
    );
    const other = ids.find((id) => id !== waited?.requestId);
    expect(waited?.text).toBe(`Waiting for ${other} to finish on api-gw before running.`);
  });
});
