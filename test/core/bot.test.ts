import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { policyFileSchema } from "../../src/config/schema.ts";
import { type ConsoleReply, ConsoleSurface } from "../../src/console/console-surface.ts";
import { Bot } from "../../src/core/bot.ts";
import type { ChatContext } from "../../src/core/surface.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { FakeRunner } from "./fixtures/fake-runner.ts";
import { inventory } from "./fixtures/live.ts";

const policy = policyFileSchema.parse({
  roles: { sre: ["U0SRE1", "U0SRE2"], viewer: ["U0VIEW1"] },
  rules: [
    {
      name: "sre-scale",
      action: "scale",
      services: ["*"],
      requesters: ["sre"],
      approval: { approvers: ["sre"] },
    },
    {
      name: "sre-freeze",
      action: "freeze",
      services: ["*"],
      requesters: ["sre"],
      approval: { required: false },
    },
  ],
});

function setup() {
  const replies: ConsoleReply[] = [];
  const store = new MemoryStore();
  const surface = new ConsoleSurface(
    (line) => replies.push(JSON.parse(line) as ConsoleReply),
    true,
  );
  const clock = { now: () => new Date("2026-12-07T10:00:00Z"), sleep: async () => undefined };
  const deps = {
    inventory,
    policy,
    runner: new FakeRunner(),
    store,
    surface,
    clock,
    logger: pino({ level: "silent" }),
    pollIntervalMs: 1,
    replicaId: "r1",
  };
  return { bot: new Bot(deps), replies, store };
}

function as(userId: string, deliveryId?: string): ChatContext {
  return {
    userId,
    teamId: "T1",
    origin: { surface: "console" },
    ...(deliveryId ? { deliveryId } : {}),
  };
}

describe("Bot", () => {
  it("records a rejected command in the audit trail", async () => {
    const { bot, replies, store } = setup();

    await bot.handleCommand(as("U0SRE1"), "scale api-gw +1;id");

    expect(replies[0]?.kind).toBe("ephemeral");
    const trail = await store.listAudit({ limit: 10 });
    expect(trail.map((e) => e.kind)).toEqual(["command_rejected"]);
    expect(trail[0]?.data.token).toBe("+1;id");
  });

  it("handles a redelivered payload once", async () => {
    const { bot, replies } = setup();

    await bot.handleCommand(as("U0SRE1", "T1:trigger-1"), "whoami");
    await bot.handleCommand(as("U0SRE1", "T1:trigger-1"), "whoami");

    expect(replies).toHaveLength(1);
  });

  it("lists roles and rules in whoami", async () => {
    const { bot, replies } = setup();

    await bot.handleCommand(as("U0SRE1"), "whoami");

    expect(replies[0]?.text).toContain("roles sre");
    expect(replies[0]?.text).toContain(
      "rule sre-scale: you may request scale on * and approve scale on *",
    );
  });

  it("freezes and refuses new requests", async () => {
    const { bot, replies, store } = setup();

    await bot.handleCommand(as("U0SRE1"), "freeze api-gw database upgrade");
    await bot.handleCommand(as("U0SRE2"), "scale api-gw +1");

    expect(replies[0]?.text).toContain("api-gw is frozen by <@U0SRE1>");
    expect(replies[1]?.text).toContain("Denied: api-gw is frozen");
    expect((await store.listFreezes()).map((f) => f.reason)).toEqual(["database upgrade"]);
  });

  it("denies freeze without a freeze rule", async () => {
    const { bot, replies, store } = setup();

    await bot.handleCommand(as("U0VIEW1"), "freeze");

    expect(replies[0]?.text).toContain("Denied");
    expect(await store.listFreezes()).toEqual([]);
  });

  it("lifts a freeze of every service", async () => {
    const { bot, replies, store } = setup();
    await bot.handleCommand(as("U0SRE1"), "freeze incident 42");

    await bot.handleCommand(as("U0SRE2"), "unfreeze");

    expect(replies[1]?.text).toContain("every service accepts runs again");
    expect(await store.listFreezes()).toEqual([]);
  });

  it("says when there is nothing to unfreeze", async () => {
    const { bot, replies } = setup();

    await bot.handleCommand(as("U0SRE1"), "unfreeze api-gw");

    expect(replies[0]?.text).toContain("Nothing is frozen");
  });

  it("reports unknown requests", async () => {
    const { bot, replies } = setup();

    await bot.handleCommand(as("U0SRE1"), "show R42");
    await bot.handleAction(as("U0SRE2"), "approve", "R42");
    await bot.handleAction(as("U0SRE2"), "resume", "R42");

    expect(replies.map((r) => r.text)).toEqual([
      "Request R42 not found. /psa history lists recent requests.",
      "Request R42 not found; it may come from another bot installation. Nothing was changed.",
      "Request R42 not found. Nothing was changed.",
    ]);
  });

  it("says when history is empty", async () => {
    const { bot, replies } = setup();

    await bot.handleCommand(as("U0SRE1"), "history api-gw");

    expect(replies[0]?.text).toBe("No requests yet for api-gw.");
  });
});
