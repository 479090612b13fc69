import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/core/store.ts";
import { type LabBot, startLabBot } from "../support/lab-bot.ts";
import {
  eventually,
  SIGNING_SECRET,
  type SlackTestBot,
  startSlackTestBot,
} from "../support/slack-bot.ts";
import { postInteraction, postSlashCommand } from "./signed-requests.ts";
import { type SlackStandin, startSlackStandin } from "./standin/index.ts";
import {
  blockActionsPayload,
  slashCommandEnvelope,
  slashCommandFields,
} from "./standin/payloads.ts";

const CHANNEL = "C0OPS0001";
const OTHER = "C0OTHER01";
const SRE = "U0LABSRE1";
const APPROVER = "U0LABSRE2";
let labBot: LabBot;
let standin: SlackStandin;

beforeAll(async () => {
  labBot = await startLabBot(90);
  standin = await startSlackStandin({
    channels: [
      { id: CHANNEL, name: "ops", members: ["U00BOT001", SRE, APPROVER] },
      { id: OTHER, name: "other", members: ["U00BOT001", SRE] },
    ],
  });
});

afterAll(async () => {
  await standin?.close();
  await labBot?.close();
});

function command(slack: SlackTestBot, text: string, channel = CHANNEL) {
  return postSlashCommand(slack.url, SIGNING_SECRET, {
    text,
    user_id: SRE,
    channel_id: channel,
    response_url: standin.responseUrl(`cmd-${Math.random()}`),
  });
}

function click(
  slack: SlackTestBot,
  action: string,
  requestId: string,
  ts: string,
  user = APPROVER,
) {
  const payload = blockActionsPayload({
    userId: user,
    channelId: CHANNEL,
    messageTs: ts,
    actionId: `psa_${action}`,
    value: requestId,
    responseUrl: standin.responseUrl(`click-${Math.random()}`),
  });
  return postInteraction(slack.url, SIGNING_SECRET, payload);
}

async function card(fragment: string) {
  return eventually(() => standin.messages(CHANNEL).findLast((m) => m.text.includes(fragment)));
}

/** A store whose first delivery record waits for a gate, so a test sees what happens before. */
function gatedStore(store: Store) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let reached = false;
  const gated = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "recordDelivery")
        return typeof value === "function" ? value.bind(target) : value;
      return async (key: string) => {
        reached = true;
        await gate;
        return target.recordDelivery(key);
      };
    },
  });
  return { gated, open, reached: () => reached };
}

describe("Slack guards", () => {
  it("acks before any outbound call", async () => {
    const { gated, open, reached } = gatedStore(labBot.deps.store);
    const slack = await startSlackTestBot(labBot, standin, { deps: { store: gated } });
    const callsBefore = standin.calls.length;

    // The store call waits for the gate, so the ack can only arrive if it does not wait for it.
    const ack = await command(slack, "scale api-gw +1");

    expect(ack.status).toBe(200);
    expect(standin.calls.length).toBe(callsBefore);
    open();
    await eventually(() => (reached() ? true : undefined));
    await card("scale api-gw +1");
    await slack.stop();
  });

  it("answers a button from before a restart", async () => {
    const first = await startSlackTestBot(labBot, standin);
    await command(first, "scale crm-web +1");
    const posted = await card("scale crm-web +1");
    const requestId = /R\d+/.exec(posted.text)![0];
    await first.stop();

    const second = await startSlackTestBot(labBot, standin);
    await click(second, "reject", requestId, posted.ts);

    await eventually(async () =>
      (await labBot.deps.store.get(requestId))?.status === "rejected" ? true : undefined,
    );
    await second.stop();
  });

  it("tells a late click that the request expired", async () => {
    const slack = await startSlackTestBot(labBot, standin);
    await command(slack, "scale crm-web +2");
    const posted = await card("scale crm-web +2");
    const requestId = /R\d+/.exec(posted.text)![0];
    const request = (await labBot.deps.store.get(requestId))!;
    await labBot.deps.store.update(requestId, request.version, {
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });

    await click(slack, "approve", requestId, posted.ts);

    const told = await eventually(() =>
      standin.responses.find((r) =>
        JSON.stringify(r.body).includes(`Request ${requestId} expired`),
      ),
    );
    expect(told).toBeDefined();
    expect((await labBot.deps.store.get(requestId))?.status).toBe("expired");
    await slack.stop();
  });

  it("refuses /psa in a channel the policy does not list", async () => {
    const policy = { ...labBot.deps.policy, channels: [CHANNEL] };
    const slack = await startSlackTestBot(labBot, standin, { deps: { policy } });

    const ack = await command(slack, "status", OTHER);

    expect(ack.body).toContain("does not work in this channel");
    expect(ack.body).toContain(`<#${CHANNEL}>`);
    await slack.stop();
  });

  it("handles a Socket Mode envelope delivered twice once", async () => {
    const slack = await startSlackTestBot(labBot, standin, { socketMode: true });
    await standin.socket.waitForConnection();
    const fields = slashCommandFields({
      text: "scale api-gw 4",
      user_id: SRE,
      channel_id: CHANNEL,
      response_url: standin.responseUrl("socket"),
    });
    const envelope = slashCommandEnvelope(fields);

    const acks = [await standin.socket.send(envelope), await standin.socket.send(envelope)];

    expect(acks.map((ack) => ack.envelope_id)).toEqual([
      envelope.envelope_id,
      envelope.envelope_id,
    ]);
    await card("scale api-gw 4");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(standin.messages(CHANNEL).filter((m) => m.text.includes("scale api-gw 4"))).toHaveLength(
      1,
    );
    await slack.stop();
  });
});
