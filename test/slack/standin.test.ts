import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel, SocketModeReceiver, verifySlackRequest, webApi } from "@slack/bolt";
import { SocketModeClient } from "@slack/socket-mode";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  postEvent,
  postInteraction,
  postSlashCommand,
  signSlackRequest,
} from "./signed-requests.ts";
import {
  blockActionsPayload,
  type SlackStandin,
  slashCommandEnvelope,
  slashCommandFields,
  startSlackStandin,
} from "./standin/index.ts";

const channel = "C0OPS0001";
const outsideChannel = "C0OTHER01";
const alice = "U0ALICE01";
const secret = "standin-signing-secret";

// WebClient logs the detail lines of every failed call as errors, and many tests fail calls.
const silentLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

let standin: SlackStandin;
let client: webApi.WebClient;

beforeEach(async () => {
  standin = await startSlackStandin();
  standin.members(channel, [standin.identity.botUserId, alice], "ops");
  standin.members(outsideChannel, [alice], "other");
  client = new webApi.WebClient(standin.tokens.botToken, {
    slackApiUrl: standin.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silentLogger,
  });
});

afterEach(async () => {
  await standin.close();
});

/** Posts to a Web API method without a client, to check what goes over the wire. */
async function rawCall(method: string, init: { body: string; headers: Record<string, string> }) {
  const response = await fetch(`${standin.url}${method}`, { method: "POST", ...init });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Returns the Slack error code of a rejected Web API call. */
async function errorCode(call: Promise<unknown>): Promise<string> {
  const error = (await call.then(
    () => undefined,
    (reason: unknown) => reason,
  )) as { data?: { error?: string } } | undefined;
  return error?.data?.error ?? "no error";
}

function section(text: string) {
  return { type: "section", text: { type: "mrkdwn", text } };
}

function buttons(...specs: Array<{ actionId: string; text?: string; value?: string }>) {
  const elements = specs.map((spec) => ({
    type: "button",
    action_id: spec.actionId,
    text: { type: "plain_text", text: spec.text ?? "Approve" },
    value: spec.value ?? "R1",
  }));
  return { type: "actions", elements };
}

describe("Web API", () => {
  it("auth.test returns the bot identity", async () => {
    const result = await client.auth.test();

    expect(result.user_id).toBe(standin.identity.botUserId);
    expect(result.bot_id).toBe(standin.identity.botId);
    expect(result.team_id).toBe(standin.identity.teamId);
  });

  it("posts a card and a thread reply", async () => {
    const card = await client.chat.postMessage({ channel, text: "card", blocks: [section("R1")] });
    const reply = await client.chat.postMessage({ channel, text: "done", thread_ts: card.ts });

    expect(card.channel).toBe(channel);
    expect(card.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(card.message?.text).toBe("card");
    expect(reply.message?.thread_ts).toBe(card.ts);
    expect(standin.messages(channel).map((message) => message.ts)).toEqual([card.ts]);
    expect(standin.messages(channel)[0]?.reply_count).toBe(1);
    expect(standin.thread(channel, card.ts ?? "").map((message) => message.text)).toEqual(["done"]);
  });

  it("issues increasing timestamps", async () => {
    const first = await client.chat.postMessage({ channel, text: "one" });
    const second = await client.chat.postMessage({ channel, text: "two" });

    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it("applies chat.update to the stored card", async () => {
    const card = await client.chat.postMessage({
      channel,
      text: "pending",
      blocks: [section("a")],
    });

    const updated = await client.chat.update({ channel, ts: card.ts ?? "", text: "approved" });

    expect(updated.ts).toBe(card.ts);
    const stored = standin.messages(channel)[0];
    expect(stored?.text).toBe("approved");
    expect(stored?.blocks).toEqual([section("a")]);
    expect(stored?.edited?.user).toBe(standin.identity.botUserId);
  });

  it("rejects chat.update of an unknown message", async () => {
    const code = await errorCode(client.chat.update({ channel, ts: "1.000100", text: "x" }));

    expect(code).toBe("message_not_found");
  });

  it("rejects posts outside the bot's channels", async () => {
    const notMember = await errorCode(
      client.chat.postMessage({ channel: outsideChannel, text: "x" }),
    );
    const unknown = await errorCode(client.chat.postMessage({ channel: "C0NOWHERE", text: "x" }));

    expect(notMember).toBe("not_in_channel");
    expect(unknown).toBe("channel_not_found");
  });

  it("starts a direct message for a user ID", async () => {
    const result = await client.chat.postMessage({ channel: alice, text: "hi" });

    expect(result.channel).toBe("D0ALICE01");
    expect(standin.messages("D0ALICE01").map((message) => message.text)).toEqual(["hi"]);
  });

  it("rejects a post with neither text nor blocks", async () => {
    const code = await errorCode(client.chat.postMessage({ channel, text: "" }));

    expect(code).toBe("no_text");
  });

  const tooLong = (length: number) => "x".repeat(length);
  const invalidBlockCases: Array<{ name: string; blocks: unknown[] }> = [
    { name: "51 blocks", blocks: Array.from({ length: 51 }, () => section("a")) },
    { name: "section text of 3001", blocks: [section(tooLong(3001))] },
    { name: "button text of 76", blocks: [buttons({ actionId: "a", text: tooLong(76) })] },
    { name: "button value of 2001", blocks: [buttons({ actionId: "a", value: tooLong(2001) })] },
    { name: "duplicate action_id", blocks: [buttons({ actionId: "a" }, { actionId: "a" })] },
    {
      name: "duplicate block_id",
      blocks: [
        { ...section("a"), block_id: "b" },
        { ...section("b"), block_id: "b" },
      ],
    },
  ];
  for (const { name, blocks } of invalidBlockCases) {
    it(`rejects ${name} as invalid_blocks`, async () => {
      const error = (await client.chat
        .postMessage({ channel, text: "x", blocks: blocks as never })
        .catch((reason: unknown) => reason)) as webApi.WebAPIPlatformError;

      expect(error.data.error).toBe("invalid_blocks");
      expect(error.data.response_metadata?.messages?.[0]).toMatch(/^\[ERROR\] .*json-pointer:/);
      expect(standin.messages(channel)).toEqual([]);
    });
  }

  it("accepts blocks at the limits", async () => {
    const blocks = [
      ...Array.from({ length: 47 }, () => section("a")),
      section(tooLong(3000)),
      buttons({ actionId: "a", text: tooLong(75), value: tooLong(2000) }, { actionId: "b" }),
      buttons({ actionId: "a" }),
    ];

    const result = await client.chat.postMessage({ channel, text: "x", blocks: blocks as never });

    expect(result.ok).toBe(true);
  });

  it("rejects blocks that are not JSON", async () => {
    const body = new URLSearchParams({ channel, text: "x", blocks: "[{" }).toString();
    const headers = {
      authorization: `Bearer ${standin.tokens.botToken}`,
      "content-type": "application/x-www-form-urlencoded",
    };

    const result = await rawCall("chat.postMessage", { body, headers });

    expect(result.body).toEqual({ ok: false, error: "invalid_blocks_format" });
  });

  it("accepts a JSON body with a bearer token", async () => {
    const headers = {
      authorization: `Bearer ${standin.tokens.botToken}`,
      "content-type": "application/json; charset=utf-8",
    };
    const body = JSON.stringify({ channel, text: "json", blocks: [section("a")] });

    const result = await rawCall("chat.postMessage", { body, headers });

    expect(result.body.ok).toBe(true);
    expect(standin.calls[0]?.body.blocks).toEqual([section("a")]);
  });

  it("accepts a token field in a form body", async () => {
    const body = new URLSearchParams({ token: standin.tokens.botToken, channel, text: "form" });
    const headers = { "content-type": "application/x-www-form-urlencoded" };

    const result = await rawCall("chat.postMessage", { body: body.toString(), headers });

    expect(result.body.ok).toBe(true);
  });

  it("rejects missing and wrong tokens", async () => {
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const missing = await rawCall("auth.test", { body: "", headers });
    const wrong = await rawCall("auth.test", {
      body: "",
      headers: { ...headers, authorization: "Bearer xoxb-wrong" },
    });
    const appToken = await rawCall("auth.test", {
      body: "",
      headers: { ...headers, authorization: `Bearer ${standin.tokens.appToken}` },
    });

    expect(missing.body.error).toBe("not_authed");
    expect(wrong.body.error).toBe("invalid_auth");
    expect(appToken.body.error).toBe("not_allowed_token_type");
  });

  it("rejects unknown methods", async () => {
    const code = await errorCode(client.apiCall("chat.delete", { channel, ts: "1.1" }));

    expect(code).toBe("unknown_method");
  });

  it("records each call", async () => {
    await client.chat.postMessage({ channel, text: "hello", blocks: [section("a")] });

    const call = standin.calls[0];
    expect(call?.method).toBe("chat.postMessage");
    expect(call?.body.text).toBe("hello");
    expect(call?.body.blocks).toEqual([section("a")]);
    expect(call?.headers.authorization).toBe(`Bearer ${standin.tokens.botToken}`);
    expect(call?.time).toBeInstanceOf(Date);
    expect(call?.status).toBe(200);
  });
});

describe("injected failures", () => {
  it("sends 429 with Retry-After", async () => {
    standin.failNext("chat.postMessage", { retryAfter: 7 });
    const headers = {
      authorization: `Bearer ${standin.tokens.botToken}`,
      "content-type": "application/json",
    };

    const failed = await rawCall("chat.postMessage", {
      body: JSON.stringify({ channel }),
      headers,
    });
    const next = await client.chat.postMessage({ channel, text: "after" });

    expect(failed.status).toBe(429);
    expect(failed.headers.get("retry-after")).toBe("7");
    expect(failed.body.error).toBe("ratelimited");
    expect(next.ok).toBe(true);
  });

  it("surfaces 429 to Bolt's client as rate limiting", async () => {
    standin.failNext("chat.update", { retryAfter: 2 });

    const error = (await client.chat
      .update({ channel, ts: "1.1", text: "x" })
      .catch((reason: unknown) => reason)) as { code?: string; retryAfter?: number };

    expect(error.code).toBe(webApi.ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBe(2);
  });

  it("returns queued error codes in order", async () => {
    standin.failNext("chat.postMessage", { error: "channel_not_found" });
    standin.failNext("chat.postMessage", { error: "not_in_channel" }, 2);

    const codes = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      codes.push(await errorCode(client.chat.postMessage({ channel, text: "x" })));
    }

    expect(codes).toEqual(["channel_not_found", "not_in_channel", "not_in_channel", "no error"]);
    expect(standin.messages(channel)).toHaveLength(1);
  });

  it("sends a server error status", async () => {
    standin.failNext("conversations.info", { status: 503 });

    const error = (await client.conversations
      .info({ channel })
      .catch((reason: unknown) => reason)) as { code?: string; statusCode?: number };

    expect(error.code).toBe(webApi.ErrorCode.HTTPError);
    expect(error.statusCode).toBe(503);
  });
});

describe("other methods", () => {
  it("stores ephemeral messages for members only", async () => {
    const result = await client.chat.postEphemeral({ channel, user: alice, text: "only you" });
    const code = await errorCode(
      client.chat.postEphemeral({ channel, user: "U0BOB0001", text: "x" }),
    );

    expect(result.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(standin.ephemerals(channel).map((message) => message.user)).toEqual([alice]);
    expect(code).toBe("user_not_in_channel");
  });

  it("publishes a Home tab view", async () => {
    const view = { type: "home" as const, blocks: [section("home")] };

    const result = await client.views.publish({ user_id: alice, view });

    expect(result.view?.type).toBe("home");
    expect(standin.homeView(alice)?.blocks).toEqual([section("home")]);
  });

  it("rejects a Home tab view over 100 blocks", async () => {
    const blocks = Array.from({ length: 101 }, () => section("a"));

    const code = await errorCode(
      client.views.publish({ user_id: alice, view: { type: "home", blocks } }),
    );

    expect(code).toBe("invalid_arguments");
  });

  it("describes channels and users", async () => {
    standin.addUser({ id: "U0CAROL01", name: "carol", realName: "Carol Ops", tz: "Europe/Berlin" });

    const info = await client.conversations.info({ channel: outsideChannel });
    const user = await client.users.info({ user: "U0CAROL01" });
    const missing = await errorCode(client.users.info({ user: "U0NOBODY1" }));

    expect(info.channel?.name).toBe("other");
    expect(info.channel?.is_member).toBe(false);
    expect(user.user?.real_name).toBe("Carol Ops");
    expect(user.user?.tz).toBe("Europe/Berlin");
    expect(missing).toBe("user_not_found");
  });
});

describe("response_url", () => {
  it("records posts", async () => {
    const url = standin.responseUrl("cmd-1");

    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "ephemeral", text: "working" }),
    });

    expect(url).toBe(`${standin.url.replace("/api/", "")}/response/cmd-1`);
    expect(response.status).toBe(200);
    expect(standin.responses.map((post) => [post.id, post.body.text])).toEqual([
      ["cmd-1", "working"],
    ]);
  });

  it("replaces the original message", async () => {
    const card = await client.chat.postMessage({ channel, text: "pending" });
    const url = standin.responseUrl("click-1", { channel, user: alice, ts: card.ts ?? "" });

    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ replace_original: true, text: "approved" }),
    });

    expect(standin.messages(channel).map((message) => message.text)).toEqual(["approved"]);
  });
});

describe("signed requests", () => {
  it("passes Bolt's verifier", () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const body = "token=x&text=status";

    const headers = signSlackRequest(secret, body, timestamp);

    expect(headers["x-slack-signature"]).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: {
          "x-slack-signature": headers["x-slack-signature"],
          "x-slack-request-timestamp": Number(headers["x-slack-request-timestamp"]),
        },
      }),
    ).not.toThrow();
  });

  it("fails Bolt's verifier with another secret", () => {
    const timestamp = Math.floor(Date.now() / 1000);

    const headers = signSlackRequest("other-secret", "a=b", timestamp);

    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body: "a=b",
        headers: {
          "x-slack-signature": headers["x-slack-signature"],
          "x-slack-request-timestamp": timestamp,
        },
      }),
    ).toThrow(/signature mismatch/);
  });

  describe("against a Bolt HTTP app", () => {
    let app: App;
    let botUrl: string;
    const received: Array<{ kind: string; body: Record<string, unknown>; retryNum?: number }> = [];

    beforeEach(async () => {
      received.length = 0;
      app = new App({
        signingSecret: secret,
        token: standin.tokens.botToken,
        tokenVerificationEnabled: false,
        botId: standin.identity.botId,
        botUserId: standin.identity.botUserId,
        clientOptions: { slackApiUrl: standin.url, retryConfig: { retries: 0 } },
        logLevel: LogLevel.ERROR,
      });
      app.command("/psa", async ({ command, ack, say }) => {
        received.push({ kind: "command", body: { ...command } });
        await ack();
        await say(`got ${command.text}`);
      });
      app.action("approve", async ({ body, ack }) => {
        received.push({ kind: "action", body: body as never });
        await ack();
      });
      app.event("app_mention", async ({ event, context }) => {
        received.push({ kind: "event", body: event as never, retryNum: context.retryNum });
      });
      const server = (await app.start({ port: 0, host: "127.0.0.1" })) as Server;
      botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    });

    afterEach(async () => {
      await app.stop();
    });

    it("delivers a slash command", async () => {
      const responseUrl = standin.responseUrl("cmd-1");

      const result = await postSlashCommand(botUrl, secret, {
        text: "status api-gw",
        channel_id: channel,
        user_id: alice,
        response_url: responseUrl,
      });

      expect(result.status).toBe(200);
      expect(received[0]?.body.command).toBe("/psa");
      expect(received[0]?.body.text).toBe("status api-gw");
      expect(received[0]?.body.response_url).toBe(responseUrl);
      await expect
        .poll(() => standin.messages(channel).map((message) => message.text))
        .toEqual(["got status api-gw"]);
    });

    it("rejects a forged signature", async () => {
      const input = { text: "status", channel_id: channel, user_id: alice, response_url: "" };

      const result = await postSlashCommand(botUrl, secret, input, { forgeSignature: true });

      expect(result.status).toBe(401);
      expect(received).toEqual([]);
    });

    it("rejects a stale timestamp", async () => {
      const input = { text: "status", channel_id: channel, user_id: alice, response_url: "" };
      const timestamp = Math.floor(Date.now() / 1000) - 6 * 60;

      const result = await postSlashCommand(botUrl, secret, input, { timestamp });

      expect(result.status).toBe(401);
      expect(received).toEqual([]);
    });

    it("delivers a button click", async () => {
      const payload = blockActionsPayload({
        userId: alice,
        channelId: channel,
        messageTs: "1733320000.000100",
        actionId: "approve",
        value: "R7",
        responseUrl: standin.responseUrl("click-1"),
      });

      const result = await postInteraction(botUrl, secret, payload);

      expect(result.status).toBe(200);
      expect(received[0]?.kind).toBe("action");
      expect(received[0]?.body.actions).toMatchObject([{ action_id: "approve", value: "R7" }]);
    });

    it("delivers an event retry with its headers", async () => {
      const event = { type: "app_mention", user: alice, text: "hi", channel, ts: "1.000100" };

      const result = await postEvent(botUrl, secret, event, { eventId: "Ev01", retryNum: 1 });
      await expect.poll(() => received.length).toBe(1);

      expect(result.status).toBe(200);
      expect(received[0]?.body.text).toBe("hi");
      expect(received[0]?.retryNum).toBe(1);
    });
  });
});

describe("Socket Mode", () => {
  let socketClient: SocketModeClient | undefined;

  afterEach(async () => {
    await socketClient?.disconnect();
    socketClient = undefined;
  });

  function connectClient(clientPingTimeout = 5000): SocketModeClient {
    socketClient = new SocketModeClient({
      appToken: standin.tokens.appToken,
      logLevel: LogLevel.ERROR,
      clientPingTimeout,
      clientOptions: { slackApiUrl: standin.url, retryConfig: { retries: 0 } },
    });
    return socketClient;
  }

  const commandInput = {
    text: "status",
    channel_id: channel,
    user_id: alice,
    response_url: "",
  };

  it("delivers a slash command and records the ack", async () => {
    const socket = connectClient();
    socket.on("slash_commands", async ({ ack, body }) => {
      await ack({ text: `ack ${body.text}` });
    });
    await socket.start();

    const ack = await standin.socket.sendSlashCommand(commandInput);

    expect(standin.calls.map((call) => call.method)).toEqual(["apps.connections.open"]);
    expect(ack.envelope_id).toBe(standin.socket.sent[0]?.envelope_id);
    expect(ack.payload).toEqual({ text: "ack status" });
    expect(standin.socket.acks).toHaveLength(1);
  });

  it("waits for two acks of a duplicate envelope", async () => {
    const socket = connectClient();
    let deliveries = 0;
    socket.on("slash_commands", async ({ ack }) => {
      deliveries += 1;
      await ack();
    });
    await socket.start();
    const envelope = slashCommandEnvelope(slashCommandFields(commandInput));

    const first = await standin.socket.send(envelope);
    const second = await standin.socket.send(envelope);

    expect(deliveries).toBe(2);
    expect(first.envelope_id).toBe(second.envelope_id);
    expect(standin.socket.acks).toHaveLength(2);
  });

  it("rejects when no ack arrives in time", async () => {
    const socket = connectClient();
    socket.on("slash_commands", () => {});
    await socket.start();

    const sent = standin.socket.sendSlashCommand(commandInput, { timeoutMs: 200 });

    await expect(sent).rejects.toThrow(
      /timed out after 200 ms waiting for the ack of slash_commands/,
    );
  });

  it("passes event retry fields", async () => {
    const socket = connectClient();
    const retries: Array<[unknown, unknown]> = [];
    socket.on("app_mention", async ({ ack, retry_num, retry_reason }) => {
      retries.push([retry_num, retry_reason]);
      await ack();
    });
    await socket.start();
    const event = { type: "app_mention", user: alice, text: "hi", channel, ts: "1.000100" };

    await standin.socket.sendEvent(event, { eventId: "Ev01" });
    await standin.socket.sendEvent(event, {
      eventId: "Ev01",
      retryAttempt: 1,
      retryReason: "timeout",
    });

    expect(retries).toEqual([
      [0, ""],
      [1, "timeout"],
    ]);
  });

  it("fills in the stored message of a click", async () => {
    const card = await client.chat.postMessage({ channel, text: "card", blocks: [section("R7")] });
    const socket = connectClient();
    const messages: unknown[] = [];
    socket.on("interactive", async ({ ack, body }) => {
      messages.push(body.message);
      await ack();
    });
    await socket.start();
    const click = { userId: alice, channelId: channel, actionId: "approve", value: "R7" };

    await standin.socket.sendInteraction(
      blockActionsPayload({ ...click, messageTs: card.ts ?? "", responseUrl: "" }),
    );

    expect(messages).toMatchObject([{ ts: card.ts, text: "card", blocks: [section("R7")] }]);
  });

  it("reconnects after a disconnect message", async () => {
    const socket = connectClient(600);
    await socket.start();
    // The client must finish reconnecting before the test stops it: @slack/socket-mode 3.1.0
    // leaks an unhandled rejection when disconnect() races a reconnect.
    const reconnected = new Promise((resolve) => socket.once("connected", resolve));

    standin.socket.disconnect("refresh_requested");
    await standin.socket.waitForConnection(2);
    await reconnected;

    expect(standin.calls.filter((call) => call.method === "apps.connections.open")).toHaveLength(2);
    await expect.poll(() => standin.socket.openConnections).toBe(1);
  });

  it("rejects an upgrade without a ticket", async () => {
    const url = `${standin.url.replace(/^http/, "ws").replace("/api/", "")}/socket?ticket=bogus`;

    const status = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(url);
      socket.on("unexpected-response", (_request, response) => resolve(response.statusCode));
      socket.on("open", () => resolve(undefined));
      socket.on("error", () => resolve(undefined));
    });

    expect(status).toBe(401);
  });

  it("connects a Bolt app in Socket Mode", async () => {
    const app = new App({
      token: standin.tokens.botToken,
      appToken: standin.tokens.appToken,
      socketMode: true,
      tokenVerificationEnabled: false,
      botId: standin.identity.botId,
      botUserId: standin.identity.botUserId,
      clientOptions: { slackApiUrl: standin.url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command("/psa", async ({ ack }) => {
      await ack({ response_type: "ephemeral", text: "bad command" });
    });
    await app.start();

    const ack = await standin.socket.sendSlashCommand(commandInput);
    await app.stop();

    expect(ack.payload).toMatchObject({ response_type: "ephemeral", text: "bad command" });
  });

  it("connects a SocketModeReceiver through installerOptions", async () => {
    // SocketModeReceiver has no `clientOptions` option of its own: it reads
    // `installerOptions.clientOptions` (Bolt 5.1), and without it calls Slack itself.
    const receiver = new SocketModeReceiver({
      appToken: standin.tokens.appToken,
      logLevel: LogLevel.ERROR,
      installerOptions: {
        clientOptions: { slackApiUrl: standin.url, retryConfig: { retries: 0 } },
      },
    });
    const app = new App({
      token: standin.tokens.botToken,
      receiver,
      tokenVerificationEnabled: false,
      botId: standin.identity.botId,
      botUserId: standin.identity.botUserId,
      clientOptions: { slackApiUrl: standin.url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command("/psa", async ({ ack }) => {
      await ack();
    });
    await app.start();

    const ack = await standin.socket.sendSlashCommand(commandInput);
    await app.stop();

    expect(ack.envelope_id).toBe(standin.socket.sent[0]?.envelope_id);
  });
});
