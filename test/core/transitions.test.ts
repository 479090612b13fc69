import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { policyFileSchema } from "../../src/config/schema.ts";
import { type ConsoleReply, ConsoleSurface } from "../../src/console/console-surface.ts";
import { Bot } from "../../src/core/bot.ts";
import { planScale } from "../../src/core/plan-scale.ts";
import type { ChangeRequest, RequestStatus } from "../../src/core/request.ts";
import type { ChatContext } from "../../src/core/surface.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { FakeRunner } from "./fixtures/fake-runner.ts";
import { inventory, liveState } from "./fixtures/live.ts";

const policy = policyFileSchema.parse({
  roles: { sre: ["U0SRE1", "U0SRE2", "U0SRE3"], viewer: ["U0VIEW1"] },
  rules: [
    {
      name: "sre-scale",
      action: "scale",
      services: ["*"],
      requesters: ["sre"],
      approval: { approvers: ["sre"], count: 2 },
    },
  ],
});

const START = new Date("2026-12-07T10:00:00Z");

function setup() {
  const replies: ConsoleReply[] = [];
  const store = new MemoryStore();
  let now = START;
  const clock = { now: () => now, sleep: async () => undefined };
  const surface = new ConsoleSurface(
    (line) => replies.push(JSON.parse(line) as ConsoleReply),
    true,
  );
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
  const bot = new Bot(deps);
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  return { bot, replies, store, advance };
}

/** Stores a pending request as the bot would after planning `scale api-gw +1` for U0SRE1. */
async function pending(store: MemoryStore): Promise<ChangeRequest> {
  const planned = planScale({
    inventory,
    service: "api-gw",
    live: liveState(),
    change: { mode: "relative", delta: 1 },
    reservedByOthers: [],
  });
  if (!planned.ok) throw new Error(planned.message);
  return store.create({
    commandText: "scale api-gw +1",
    command: { verb: "scale", service: "api-gw", change: { mode: "relative", delta: 1 } },
    service: "api-gw",
    requesterId: "U0SRE1",
    origin: { surface: "console" },
    createdAt: START.toISOString(),
    expiresAt: new Date(START.getTime() + 30 * 60_000).toISOString(),
    status: "requested",
    approval: {
      rule: "sre-scale",
      required: true,
      approverRoles: ["sre"],
      approverIds: ["U0SRE1", "U0SRE2", "U0SRE3"],
      count: 2,
      selfApproval: false,
    },
    votes: [],
    plan: planned.plan,
    reservation: planned.plan.reservation,
  });
}

function as(userId: string): ChatContext {
  return { userId, teamId: "T1", origin: { surface: "console" } };
}

async function statusOf(store: MemoryStore, id: string): Promise<RequestStatus | undefined> {
  return (await store.get(id))?.status;
}

describe("request transitions", () => {
  it("counts one vote as partly approved", async () => {
    const { bot, store } = setup();
    const request = await pending(store);

    await bot.handleAction(as("U0SRE2"), "approve", request.id);

    expect(await statusOf(store, request.id)).toBe("partly_approved");
  });

  it("approves with the second distinct vote, then runs once", async () => {
    const { bot, store } = setup();
    const request = await pending(store);

    await Promise.all([
      bot.handleAction(as("U0SRE2"), "approve", request.id),
      bot.handleAction(as("U0SRE3"), "approve", request.id),
    ]);
    await bot.idle();

    const votes = (await store.listAudit({ requestId: request.id, limit: 50 })).filter(
      (e) => e.kind === "vote",
    );
    expect(votes.map((e) => e.data.status)).toEqual(["partly_approved", "approved"]);
    // The fake runner has no cluster, so the one run stops before any change.
    expect(await statusOf(store, request.id)).toBe("failed");
    expect((await store.get(request.id))?.outcome).toContain("Stopped before any change");
  });

  it("refuses a second vote by one person", async () => {
    const { bot, store, replies } = setup();
    const request = await pending(store);

    await bot.handleAction(as("U0SRE2"), "approve", request.id);
    await bot.handleAction(as("U0SRE2"), "approve", request.id);

    expect(replies.at(-1)?.text).toContain("You already voted");
    expect((await store.get(request.id))?.votes).toHaveLength(1);
  });

  it("refuses a vote on one's own request", async () => {
    const { bot, store, replies } = setup();
    const request = await pending(store);

    await bot.handleAction(as("U0SRE1"), "approve", request.id);

    expect(replies.at(-1)?.text).toContain("does not allow self-approval");
    expect(await statusOf(store, request.id)).toBe("requested");
  });

  it("refuses a vote after expiry and expires the request", async () => {
    const { bot, store, replies, advance } = setup();
    const request = await pending(store);
    advance(31 * 60_000);

    await bot.handleAction(as("U0SRE2"), "approve", request.id);

    expect(replies.at(-1)?.text).toContain("expired at");
    expect(await statusOf(store, request.id)).toBe("expired");
  });

  it("expires due requests in the background duties", async () => {
    const { bot, store, advance } = setup();
    const request = await pending(store);
    advance(31 * 60_000);

    await bot.duties.tick();

    expect(await statusOf(store, request.id)).toBe("expired");
  });

  it("rejects with one vote", async () => {
    const { bot, store } = setup();
    const request = await pending(store);

    await bot.handleAction(as("U0SRE3"), "reject", request.id);

    expect(await statusOf(store, request.id)).toBe("rejected");
  });

  it("withdraws before the run and refuses later clicks", async () => {
    const { bot, store, replies } = setup();
    const request = await pending(store);

    await bot.handleCommand(as("U0SRE1"), `cancel ${request.id}`);
    await bot.handleAction(as("U0SRE2"), "approve", request.id);

    expect(await statusOf(store, request.id)).toBe("cancelled");
    expect(replies.at(-1)?.text).toContain("is already cancelled (Cancelled by <@U0SRE1>");
  });

  it("refuses a cancel after the end", async () => {
    const { bot, store, replies } = setup();
    const request = await pending(store);
    await bot.handleAction(as("U0SRE3"), "reject", request.id);

    await bot.handleCommand(as("U0SRE1"), `cancel ${request.id}`);

    expect(replies.at(-1)?.text).toBe(
      `Request ${request.id} already ended (rejected); nothing to cancel.`,
    );
  });

  it("refuses a cancel by someone without a role on it", async () => {
    const { bot, store, replies } = setup();
    const request = await pending(store);

    await bot.handleAction(as("U0VIEW1"), "cancel", request.id);

    expect(replies.at(-1)?.text).toContain("Only the requester or an approver");
    expect(await statusOf(store, request.id)).toBe("requested");
  });

  it("refuses undo of a request that was not interrupted", async () => {
    const { bot, store, replies } = setup();
    const request = await pending(store);

    await bot.handleAction(as("U0SRE1"), "undo", request.id);
    await bot.idle();

    expect(replies.at(-1)?.text).toContain("not interrupted; there is nothing to undo");
  });
});

describe("reminders", () => {
  it("reminds the approvers once before expiry", async () => {
    const { bot, store, replies, advance } = setup();
    const request = await pending(store);
    advance(25 * 60_000);

    await bot.duties.tick();
    await bot.duties.tick();

    const reminders = replies.filter((r) => r.kind === "thread" && r.text.includes("Reminder"));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain("<@U0SRE2> <@U0SRE3> Reminder");
    expect((await store.get(request.id))?.remindedAt).toBeDefined();
  });
});
