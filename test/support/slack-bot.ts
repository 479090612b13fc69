import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { Bot } from "../../src/core/bot.ts";
import type { BotDeps } from "../../src/core/bot-deps.ts";
import { systemClock } from "../../src/core/ports.ts";
import { BotMetrics, observeAudit } from "../../src/slack/metrics.ts";
import {
  createWebClient,
  type SlackRuntime,
  startSlackRuntime,
} from "../../src/slack/slack-runtime.ts";
import { SlackSurface } from "../../src/slack/slack-surface.ts";
import { defaultTokens, type SlackStandin } from "../slack/standin/index.ts";
import type { LabBot } from "./lab-bot.ts";

/** The signing secret the test bot and the signed-request helper share. */
export const SIGNING_SECRET = "test-signing-secret";

/** A Slack bot in HTTP mode on a lab, talking to the stand-in. */
export interface SlackTestBot {
  url: string;
  adminUrl: string;
  bot: Bot;
  surface: SlackSurface;
  runtime: SlackRuntime;
  stop(): Promise<void>;
}

/** Starts the Slack runtime on a lab's deps, with the stand-in as Slack. */
export async function startSlackTestBot(
  labBot: LabBot,
  standin: SlackStandin,
  options: { approvalsChannel?: string; socketMode?: boolean; deps?: Partial<BotDeps> } = {},
): Promise<SlackTestBot> {
  const logger = pino({ level: process.env.PSA_LOG_LEVEL ?? "silent" });
  const metrics = new BotMetrics();
  const client = createWebClient(defaultTokens.botToken, standin.url);
  const calls = {
    client,
    clock: systemClock,
    logger,
    countError: (method: string, error: string) => metrics.countSlackError(method, error),
  };
  const surface = new SlackSurface(calls, {
    ...(options.approvalsChannel ? { approvalsChannel: options.approvalsChannel } : {}),
    progressIntervalMs: 50,
    respond: async (url, body) => {
      await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    },
  });
  const base = { ...labBot.deps, ...options.deps };
  const deps: BotDeps = { ...base, surface, store: observeAudit(base.store, metrics), logger };
  const bot = new Bot(deps);
  const settings = {
    botToken: defaultTokens.botToken,
    ...(options.socketMode
      ? { appToken: defaultTokens.appToken }
      : { signingSecret: SIGNING_SECRET }),
    apiUrl: standin.url,
    listenHost: "127.0.0.1",
    listenPort: 0,
    adminHost: "127.0.0.1",
    adminPort: 0,
  };
  const runtime = await startSlackRuntime(bot, deps, calls, metrics, settings);
  const port = runtime.http ? (runtime.http.address() as AddressInfo).port : 0;
  const adminPort = (runtime.admin.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    bot,
    surface,
    runtime,
    stop: async () => {
      await bot.idle();
      await surface.flush();
      await runtime.stop();
    },
  };
}

/** Waits until `check` returns a value, polling every 50 ms for at most `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
