import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDrift } from "../../src/core/drift.ts";
import { readLiveState } from "../../src/core/live-state.ts";
import { as, type LabBot, lastRequestId, servingCtIds, startLabBot } from "../support/lab-bot.ts";

const SRE = "U0LABSRE1";
const APPROVER = "U0LABSRE2";
let labBot: LabBot;

beforeAll(async () => {
  labBot = await startLabBot(81);
});

afterAll(async () => {
  await labBot?.close();
});

async function scaleAndApprove(text: string) {
  await labBot.bot.handleCommand(as(SRE), text);
  const requestId = lastRequestId(labBot.replies);
  expect(requestId).toBeDefined();
  await labBot.bot.handleAction(as(APPROVER), "approve", requestId!);
  await labBot.bot.idle();
  const request = await labBot.deps.store.get(requestId!);
  return request!;
}

async function apiGw() {
  return readLiveState(labBot.runner, labBot.deps.inventory, "api-gw");
}

describe("scale on the lab", () => {
  it("scales out by one and serves through HAProxy", async () => {
    const request = await scaleAndApprove("scale api-gw +1");

    expect(request.status, request.outcome).toBe("succeeded");
    const live = await apiGw();
    const replicas = live.containers.filter((ct) => !ct.template && ct.tags.includes("api-gw"));
    expect(replicas).toHaveLength(3);
    const ids = await servingCtIds(labBot.lab.haproxy.frontends["api-gw"], 12);
    expect([...ids].sort()).toEqual(replicas.map((ct) => String(ct.vmid)).sort());
  });

  it("scales out by two and serves from all five", async () => {
    const request = await scaleAndApprove("scale api-gw +2");

    expect(request.status, request.outcome).toBe("succeeded");
    const live = await apiGw();
    const replicas = live.containers.filter((ct) => !ct.template && ct.tags.includes("api-gw"));
    expect(replicas).toHaveLength(5);
    expect(new Set(replicas.map((ct) => ct.node))).toEqual(new Set(["pve1", "pve2"]));
    const ids = await servingCtIds(labBot.lab.haproxy.frontends["api-gw"], 20);
    expect([...ids].sort()).toEqual(replicas.map((ct) => String(ct.vmid)).sort());
  });

  it("leaves no drift after scaling out", async () => {
    const live = await apiGw();

    expect(findDrift(live, "api-gw", "api-gw", 9000)).toEqual([]);
  });

  it("scales in by one, newest first", async () => {
    const before = await apiGw();
    const newest = before.containers
      .filter((ct) => ct.tags.includes("psa-managed"))
      .sort((a, b) => b.vmid - a.vmid)[0]!;

    const request = await scaleAndApprove("scale api-gw -1");

    expect(request.status, request.outcome).toBe("succeeded");
    const after = await apiGw();
    expect(after.containers.map((ct) => ct.vmid)).not.toContain(newest.vmid);
    expect(after.config.servers.map((s) => s.name)).not.toContain(newest.hostname);
    expect(after.runtime.map((s) => s.name)).not.toContain(newest.hostname);
    const ids = await servingCtIds(labBot.lab.haproxy.frontends["api-gw"], 16);
    expect(ids.has(String(newest.vmid))).toBe(false);
    expect(ids.size).toBe(4);
  });

  it("reports replicas and no drift in status", async () => {
    await labBot.bot.handleCommand(as(SRE), "status api-gw");

    const status = labBot.replies.at(-1)!;
    expect(status.kind).toBe("message");
    expect(status.text).toContain("api-gw: 4 replica(s), 4 UP");
    expect(status.text).toContain("no drift");
  });
});
