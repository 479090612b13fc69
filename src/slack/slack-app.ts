import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { Bot, CardAction } from "../core/bot.ts";
import { decodeCommandText } from "../core/decode.ts";
import { parseCommand } from "../core/grammar.ts";
import type { Logger } from "../core/ports.ts";
import type { ChatContext } from "../core/surface.ts";
import { escapeMrkdwn } from "./blocks/limits.ts";
import { CARD_ACTIONS as CARD_ACTION_IDS } from "./blocks/request-card.ts";
import { webClientOptions } from "./slack-calls.ts";

/** How the app reaches Slack and how Slack reaches it. */
export interface SlackAppOptions {
  botToken: string;
  /** Socket Mode when set; HTTP with the signing secret otherwise. */
  appToken?: string;
  signingSecret?: string;
  /** Slack's Web API, or a local stand-in such as http://127.0.0.1:PORT/api/. */
  apiUrl?: string;
  botId: string;
  botUserId: string;
  /** Channels where /psa is accepted; empty means every channel. */
  allowedChannels: string[];
  services: string[];
  logger: Logger;
  /** Called after every ack, once the bot has handled the payload; for tests. */
  onHandled?: () => void;
}

/**
 * Builds the Bolt app: `/psa`, the card buttons and App Home. Every handler acks first and only
 * then does anything that leaves the process (database, SSH, Slack), because Slack gives up on
 * an ack after 3 seconds. Bad command text is rejected in the ack itself.
 */
export function createSlackApp(
  bot: Bot,
  options: SlackAppOptions,
  openHome: (userId: string, eventId: string) => Promise<void>,
): App {
  const app = new App({
    token: options.botToken,
    ...(options.appToken
      ? {
          receiver: new SocketModeReceiver({
            appToken: options.appToken,
            // Bolt 5's Socket Mode receiver reads the API URL from installerOptions only; without
            // it, apps.connections.open would go to slack.com whatever clientOptions say.
            ...(options.apiUrl
              ? { installerOptions: { clientOptions: { slackApiUrl: options.apiUrl } } }
              : {}),
          }),
        }
      : { receiver: new HTTPReceiver({ signingSecret: options.signingSecret ?? "" }) }),
    // The bot's identity comes from the settings, so Bolt does not call auth.test on its own.
    tokenVerificationEnabled: false,
    botId: options.botId,
    botUserId: options.botUserId,
    clientOptions: webClientOptions(options.apiUrl),
    logLevel: LogLevel.WARN,
  });

  app.command("/psa", async ({ command, ack }) => {
    const rejection = early(command.text, command.channel_id, options);
    if (rejection) {
      await ack({ response_type: "ephemeral", text: rejection });
      return;
    }
    await ack();
    const ctx: ChatContext = {
      userId: command.user_id,
      teamId: command.team_id,
      origin: { surface: "slack", channelId: command.channel_id },
      deliveryId: `${command.team_id}:${command.trigger_id}`,
      responseUrl: command.response_url,
    };
    await handle(options, () => bot.handleCommand(ctx, command.text));
  });

  for (const [action, actionId] of Object.entries(CARD_ACTION_IDS) as Array<[CardAction, string]>) {
    app.action(actionId, async ({ ack, body, action: element }) => {
      await ack();
      const payload = body as {
        user: { id: string; team_id?: string };
        team?: { id: string } | null;
        channel?: { id: string };
        trigger_id: string;
        response_url?: string;
      };
      const requestId = (element as { value?: string }).value ?? "";
      const teamId = payload.team?.id ?? payload.user.team_id ?? "";
      const ctx: ChatContext = {
        userId: payload.user.id,
        teamId,
        origin: { surface: "slack", ...(payload.channel ? { channelId: payload.channel.id } : {}) },
        deliveryId: `${teamId}:${payload.trigger_id}`,
        ...(payload.response_url ? { responseUrl: payload.response_url } : {}),
      };
      await handle(options, () => bot.handleAction(ctx, action, requestId));
    });
  }

  app.event("app_home_opened", async ({ event, body }) => {
    if (event.tab !== "home") return;
    await handle(options, () =>
      openHome(event.user, (body as { event_id?: string }).event_id ?? ""),
    );
  });
  return app;
}

/** Rejects in the ack what needs no outbound call: bad grammar, or a channel /psa is not for. */
function early(text: string, channelId: string, options: SlackAppOptions): string | undefined {
  if (options.allowedChannels.length > 0 && !options.allowedChannels.includes(channelId)) {
    return `/psa does not work in this channel. Use it in ${options.allowedChannels.map((id) => `<#${id}>`).join(", ")}.`;
  }
  const parsed = parseCommand(decodeCommandText(text), { services: options.services });
  if (parsed.ok) return undefined;
  // Escaped, so a quoted token cannot become a mention or a link.
  return `${escapeMrkdwn(parsed.rejection.message)}\nUsage:\n${escapeMrkdwn(parsed.rejection.usage)}`;
}

async function handle(options: SlackAppOptions, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    options.logger.error({ err: error }, "handling a Slack payload failed");
  } finally {
    options.onHandled?.();
  }
}
