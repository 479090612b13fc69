import type { Server } from "node:http";
import type { App } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import type { Bot } from "../core/bot.ts";
import type { BotDeps } from "../core/bot-deps.ts";
import { findDrift } from "../core/drift.ts";
import { activeFreeze } from "../core/freezes.ts";
import { readLiveState } from "../core/live-state.ts";
import { replicasOf } from "../core/replicas.ts";
import { startAdminServer } from "./admin-server.ts";
import { homeView } from "./blocks/home.ts";
import type { BotMetrics } from "./metrics.ts";
import { createSlackApp } from "./slack-app.ts";
import { callSlack, type SlackCallDeps, webClientOptions } from "./slack-calls.ts";

/** Settings of the Slack bot, read from the environment by main. */
export interface SlackSettings {
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  apiUrl?: string;
  listenHost: string;
  listenPort: number;
  adminHost: string;
  adminPort: number;
}

/** A running Slack bot: its app, its admin server, and how to stop both. */
export interface SlackRuntime {
  app: App;
  admin: Server;
  /** The HTTP server Slack posts to, in HTTP mode. */
  http?: Server;
  stop(): Promise<void>;
}

/** Recent requests the Home tab lists. */
const HOME_RECENT = 10;

/**
 * Starts the Slack bot: checks the token with auth.test (the app is told the bot's ids, so Bolt
 * does not make that call on its own), then the Bolt app and the admin server.
 */
export async function startSlackRuntime(
  bot: Bot,
  deps: BotDeps,
  calls: SlackCallDeps,
  metrics: BotMetrics,
  settings: SlackSettings,
): Promise<SlackRuntime> {
  const identity = await callSlack(calls, "auth.test", () => calls.client.auth.test());
  const app = createSlackApp(
    bot,
    {
      botToken: settings.botToken,
      ...(settings.appToken ? { appToken: settings.appToken } : {}),
      ...(settings.signingSecret ? { signingSecret: settings.signingSecret } : {}),
      ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}),
      botId: String(identity.bot_id ?? ""),
      botUserId: String(identity.user_id ?? ""),
      allowedChannels: deps.policy.channels ?? [],
      services: Object.keys(deps.inventory.services),
      logger: deps.logger,
    },
    (userId, eventId) => publishHome(deps, calls, userId, eventId),
  );

  const http = settings.appToken
    ? undefined
    : ((await app.start({ port: settings.listenPort, host: settings.listenHost })) as Server);
  if (settings.appToken) await app.start();
  const admin = await startAdminServer(
    settings.adminHost,
    settings.adminPort,
    metrics,
    async () => void (await deps.store.listFreezes()),
    deps.logger,
  );
  deps.logger.info(
    {
      mode: settings.appToken ? "socket" : "http",
      admin: `${settings.adminHost}:${settings.adminPort}`,
    },
    "slack bot started",
  );
  return {
    app,
    admin,
    ...(http ? { http } : {}),
    stop: async () => {
      await app.stop();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
    },
  };
}

/** Draws the App Home tab: services with replicas and health, pending approvals, recent runs. */
async function publishHome(
  deps: BotDeps,
  calls: SlackCallDeps,
  userId: string,
  eventId: string,
): Promise<void> {
  // Slack retries an event whose ack it missed; the retry may be the only copy, so the event's
  // own id, not the retry header, decides.
  if (eventId && !(await deps.store.recordDelivery(`event:${eventId}`))) return;
  const services = await Promise.all(
    Object.entries(deps.inventory.services).map(async ([name, config]) => {
      const live = await readLiveState(deps.runner, deps.inventory, name);
      const frozen = await activeFreeze(deps.store, name);
      return {
        name,
        replicas: replicasOf(live, name).length,
        up: live.runtime.filter((s) => s.status.startsWith("UP")).length,
        drift: findDrift(live, name, config.haproxy.backend, config.template).length,
        ...(frozen ? { frozen: frozen.reason || "frozen" } : {}),
      };
    }),
  );
  const pending = await deps.store.listByStatus(["requested", "partly_approved"]);
  const recent = await deps.store.listRequests({ limit: HOME_RECENT });
  const view = homeView({ services, pending, recent });
  await callSlack(calls, "views.publish", () =>
    calls.client.views.publish({ user_id: userId, view }),
  );
}

/** Builds the Web API client the surface and the runtime share. */
export function createWebClient(botToken: string, apiUrl: string | undefined): WebClient {
  return new WebClient(botToken, webClientOptions(apiUrl));
}
