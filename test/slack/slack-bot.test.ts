import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LabBot, servingCtIds, startLabBot } from "../support/lab-bot.ts";
import {
  eventually,
  SIGNING_SECRET,
  type SlackTestBot,
  startSlackTestBot,
} from "../support/slack-bot.ts";
import { postEvent, postInteraction, postSlashCommand } from "./signed-requests.ts";
import { type SlackStandin, startSlackStandin } from "./standin/index.ts";
import { blockActionsPayload } from "./standin/payloads.ts";

const CHANNEL = "C0OPS0001";
const PRIVATE = "C0PRIV001";
const APPROVALS = "C0APPROVE";
const SRE = "U0LABSRE1";
const APPROVER = "U0LABSRE2";
const DEV = "U0LABDEV1";
let labBot: LabBot;
let standin: SlackStandin;
let slack: SlackTestBot;

beforeAll(async () => {
  labBot = await startLabBot(88);
  standin = await startSlackStandin({
    channels: [
      { id: CHANNEL, name: "ops", members: ["U00BOT001", SRE, APPROVER] },
      { id: PRIVATE, name: "private", members: [SRE] },
      { id: APPROVALS, name: "approvals", members: ["U00BOT001"] },
    ],
  });
  slack = await startSlackTestBot(labBot, standin, { approvalsChannel: APPROVALS });
});

afterAll(async () => {
  await slack?.stop();
  await standin?.close();
  await labBot?.close();
});

function command(text: string, user = SRE, channel = CHANNEL) {
  return postSlashCommand(slack.url, SIGNING_SECRET, {
    text,
    user_id: user,
    channel_id: channel,
    response_url: standin.responseUrl(`cmd-${Math.random()}`),
  });
}

function click(
  actionId: string,
  requestId: string,
  messageTs: string,
  user: string,
  channel = CHANNEL,
) {
  const payload = blockActionsPayload({
    userId: user,
    channelId: channel,
    messageTs,
    actionId,
    value: requestId,
    responseUrl: standin.responseUrl(`click-${Math.random()}`),
  });
  return postInteraction(slack.url, SIGNING_SECRET, payload);
}

async function cardFor(channel: string, fragment: string) {
  return eventually(() => standin.messages(channel).find((m) => m.text.includes(fragment)));
}

describe("the Slack app on the lab", () => {
  it("scales out from a slash command and an Approve click", async () => {
    const ack = await command("scale api-gw +1");

    expect(ack.status).toBe(200);
    const card = await cardFor(CHANNEL, "scale api-gw +1");
    const requestId = /R\d+/.exec(card.text)![0];
    expect(await click("psa_approve", requestId, card.ts, APPROVER)).toMatchObject({ status: 200 });
    await eventually(
      async () =>
        (await labBot.deps.store.get(requestId))?.status === "succeeded" ? true : undefined,
      60_000,
    );
    await slack.surface.flush();

    const thread = standin
      .thread(CHANNEL, card.ts)
      .map((m) => m.text)
      .join("\n");
    expect(thread).toContain("clone template CT 9000");
    const updated = await eventually(() =>
      standin.messages(CHANNEL).find((m) => m.ts === card.ts && m.text.includes("succeeded")),
    );
    expect(updated.text).toContain("succeeded");
    const ids = await servingCtIds(labBot.lab.haproxy.frontends["api-gw"], 12);
    expect(ids.size).toBe(3);
  });

  it("rejects bad text in the ack and calls nothing", async () => {
    const before = standin.calls.length;

    const ack = await command("scale api-gw +1 &amp;&amp; rm -rf /");

    expect(ack.status).toBe(200);
    expect(ack.body).toContain("&amp;&amp;");
    expect(ack.body).toContain("ephemeral");
    expect(standin.calls.length).toBe(before);
  });

  it("refuses a forged signature and an old timestamp", async () => {
    const requests = await labBot.deps.store.listRequests({ limit: 100 });

    const forged = await postSlashCommand(slack.url, "wrong-secret", {
      text: "scale api-gw +1",
      user_id: SRE,
      channel_id: CHANNEL,
      response_url: standin.responseUrl("forged"),
    });
    const old = await postSlashCommand(
      slack.url,
      SIGNING_SECRET,
      {
        text: "scale api-gw +1",
        user_id: SRE,
        channel_id: CHANNEL,
        response_url: standin.responseUrl("old"),
      },
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );

    expect(forged.status).toBe(401);
    expect(old.status).toBe(401);
    expect(await labBot.deps.store.listRequests({ limit: 100 })).toHaveLength(requests.length);
  });

  it("refuses the requester, a non-approver and a second click", async () => {
    await command("scale api-gw -1");
    const card = await cardFor(CHANNEL, "scale api-gw -1");
    const requestId = /R\d+/.exec(card.text)![0];

    await click("psa_approve", requestId, card.ts, SRE);
    await click("psa_approve", requestId, card.ts, DEV);
    await click("psa_reject", requestId, card.ts, APPROVER);
    await click("psa_approve", requestId, card.ts, APPROVER);
    await slack.bot.idle();

    const replies = await eventually(() => {
      const bodies = standin.responses.map((r) => JSON.stringify(r.body));
      return bodies.some((r) => r.includes("already rejected")) ? bodies : undefined;
    });
    expect(replies.some((r) => r.includes("self-approval"))).toBe(true);
    expect(replies.some((r) => r.includes("needs role sre"))).toBe(true);
    expect(replies.some((r) => r.includes("already rejected"))).toBe(true);
    expect((await labBot.deps.store.get(requestId))?.votes).toHaveLength(1);
  });

  it("handles a repeated click delivery once", async () => {
    await command("scale crm-web +1");
    const card = await cardFor(CHANNEL, "scale crm-web +1");
    const requestId = /R\d+/.exec(card.text)![0];
    const payload = blockActionsPayload({
      userId: APPROVER,
      channelId: CHANNEL,
      messageTs: card.ts,
      actionId: "psa_reject",
      value: requestId,
      responseUrl: standin.responseUrl("twice"),
    });

    await postInteraction(slack.url, SIGNING_SECRET, payload);
    await postInteraction(slack.url, SIGNING_SECRET, payload);
    await slack.bot.idle();

    const votes = async () =>
      (await labBot.deps.store.listAudit({ requestId, limit: 50 })).filter(
        (e) => e.kind === "vote" || e.kind === "vote_refused",
      );
    await eventually(async () => ((await votes()).length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await votes()).toHaveLength(1);
  });

  it("posts the card in the approvals channel when it cannot post here", async () => {
    await command("scale crm-web +1", SRE, PRIVATE);

    const card = await cardFor(APPROVALS, "scale crm-web +1");
    expect(card.text).toContain("crm-web");
    const told = await eventually(() =>
      standin.responses.find((r) => JSON.stringify(r.body).includes(`<#${APPROVALS}>`)),
    );
    expect(JSON.stringify(told.body)).toContain("not a member of this channel");
  });

  it("honours Retry-After and falls back to plain text on invalid_blocks", async () => {
    standin.failNext("chat.postMessage", { retryAfter: 1 });
    standin.failNext("chat.postMessage", { error: "invalid_blocks" });

    await command("scale crm-web 4");

    const card = await cardFor(CHANNEL, "scale crm-web 4");
    expect(card.blocks ?? []).toEqual([]);
  });

  it("processes an event delivered twice once", async () => {
    const event = {
      type: "app_home_opened",
      user: APPROVER,
      channel: "D0HOME001",
      tab: "home",
      event_ts: "1733320000.000100",
    };

    await postEvent(slack.url, SIGNING_SECRET, event, { eventId: "Ev0HOME01" });
    await postEvent(slack.url, SIGNING_SECRET, event, {
      eventId: "Ev0HOME01",
      retryNum: 1,
      retryReason: "http_timeout",
    });

    const view = await eventually(() => standin.homeView(APPROVER));
    expect(JSON.stringify(view)).toContain("api-gw");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(standin.calls.filter((c) => c.method === "views.publish")).toHaveLength(1);
  });

  it("serves health and metrics on the admin port", async () => {
    const health = await fetch(`${slack.adminUrl}/healthz`);
    const metrics = await (await fetch(`${slack.adminUrl}/metrics`)).text();

    expect(health.status).toBe(200);
    expect(metrics).toContain('psa_runs_total{status="succeeded"} 1');
    expect(metrics).toContain("psa_slack_api_errors_total");
  });
});
