import type { Policy } from "../config/schema.ts";
import type { Bot } from "../core/bot.ts";
import { isKnownUser } from "../core/policy.ts";
import type { ChatContext } from "../core/surface.ts";
import type { ConsoleSurface } from "./console-surface.ts";
import { parseScriptLine, printable } from "./script-line.ts";

/** The team id of console users; Slack users carry their workspace's. */
export const CONSOLE_TEAM = "TCONSOLE";

/** What a console session needs. */
export interface ConsoleSessionOptions {
  bot: Bot;
  surface: ConsoleSurface;
  policy: Policy;
  userId: string;
  write: (line: string) => void;
  json: boolean;
  /** Shows a prompt before each line, for a person at a terminal. */
  prompt?: (userId: string) => void;
}

/** Feeds console input to the bot line by line, as one user at a time. */
export async function runConsole(
  lines: AsyncIterable<string>,
  options: ConsoleSessionOptions,
): Promise<void> {
  let userId = options.userId;
  const context = (): ChatContext => ({
    userId,
    teamId: CONSOLE_TEAM,
    origin: { surface: "console", channelId: "console" },
  });
  options.prompt?.(userId);

  for await (const raw of lines) {
    const line = parseScriptLine(raw, options.surface.lastRequestId);
    // A person at a terminal sees what they typed already; scripts and pipes get the echo.
    if (line.kind !== "blank" && !options.json && !options.prompt)
      options.write(`> ${printable(raw.trim())}`);

    switch (line.kind) {
      case "command":
        await options.bot.handleCommand(context(), line.text);
        break;
      case "click":
        await options.bot.handleAction(context(), line.action, line.requestId);
        break;
      case "wait":
        await options.bot.idle();
        break;
      case "as":
        if (isKnownUser(options.policy, line.userId)) userId = line.userId;
        else
          await options.surface.ephemeral(
            context(),
            `${line.userId} is in no role of the policies; still acting as ${userId}.`,
          );
        break;
      case "invalid":
        await options.surface.ephemeral(context(), line.message);
        break;
    }
    options.prompt?.(userId);
  }
  await options.bot.idle();
}
