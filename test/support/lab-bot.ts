import { rm } from "node:fs/promises";
import { pino } from "pino";
import { type LoadedConfig, loadConfig } from "../../src/config/load.ts";
import { CONSOLE_TEAM } from "../../src/console/console-session.ts";
import { type ConsoleReply, ConsoleSurface } from "../../src/console/console-surface.ts";
import { Bot } from "../../src/core/bot.ts";
import type { BotDeps } from "../../src/core/bot-deps.ts";
import { readLiveState } from "../../src/core/live-state.ts";
import { systemClock } from "../../src/core/ports.ts";
import type { ChatContext } from "../../src/core/surface.ts";
import { type SshHost, SshRunner } from "../../src/ssh/ssh-runner.ts";
import { createStore } from "../../src/store/create-store.ts";
import { type Lab, startLab, stopLab } from "../lab/lab.ts";

/** A lab of real servers with a bot wired to it through the console surface. */
export interface LabBot {
  lab: Lab;
  config: LoadedConfig;
  bot: Bot;
  deps: BotDeps;
  hosts: Record<string, SshHost>;
  replies: ConsoleReply[];
  runner: SshRunner;
  close(): Promise<void>;
}

/** Starts a fresh lab on 127.NET.x.y and a bot on it; lab timeouts are shortened for tests. */
export async function startLabBot(net: number): Promise<LabBot> {
  const stateDir = `/tmp/psa-test-lab-${net}`;
  await stopLab(stateDir).catch(() => undefined);
  await rm(stateDir, { recursive: true, force: true });
  const lab = await startLab({ stateDir, net });

  const loaded = await loadConfig(lab.configPath);
  if (!loaded.ok) throw new Error(`lab config invalid: ${JSON.stringify(loaded.problems)}`);
  const config = loaded.config;
  config.inventory.settings.healthTimeoutSeconds = 5;
  config.inventory.settings.drainTimeoutSeconds = 5;

  const replies: ConsoleReply[] = [];
  const surface = new ConsoleSurface(
    (line) => replies.push(JSON.parse(line) as ConsoleReply),
    true,
  );
  const logger = pino({ level: process.env.PSA_LOG_LEVEL ?? "silent" });
  const hosts = Object.fromEntries(
    Object.entries(config.inventory.hosts).map(([name, host]) => [
      name,
      { ...host, keyFile: config.keyFiles[name]! },
    ]),
  );
  const runner = new SshRunner({ hosts, logger, maxSessionsPerHost: 8 });
  const store = await createStore({ databaseUrl: lab.databaseUrl, dataDir: "", logger });
  const deps: BotDeps = {
    inventory: config.inventory,
    policy: config.policy,
    runner,
    store,
    surface,
    clock: systemClock,
    logger,
    pollIntervalMs: 200,
    replicaId: `test-${net}`,
  };

  return {
    lab,
    config,
    bot: new Bot(deps),
    deps,
    hosts,
    replies,
    runner,
    close: async () => {
      runner.close();
      await store.close();
      await stopLab(stateDir);
    },
  };
}

/** A console user context. */
export function as(userId: string): ChatContext {
  return { userId, teamId: CONSOLE_TEAM, origin: { surface: "console", channelId: "console" } };
}

/** What tests compare to prove a failed run left nothing behind. */
export async function snapshot(labBot: LabBot, service: string) {
  const live = await readLiveState(labBot.runner, labBot.deps.inventory, service);
  return {
    containers: live.containers
      .map(({ vmid, node, status, tags, hostname, ip, template }) => ({
        vmid,
        node,
        status,
        tags,
        hostname,
        ip,
        template,
      }))
      .sort((a, b) => a.vmid - b.vmid),
    config: live.config.text,
    runtime: live.runtime.map(({ name, address, port }) => ({ name, address, port })),
  };
}

/** Sends requests through HAProxy's frontend and returns the CT ids that answered. */
export async function servingCtIds(frontend: string, requests: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < requests; i++) {
    const response = await fetch(`http://${frontend}/`, { headers: { connection: "close" } });
    const id = response.headers.get("x-ct-id");
    await response.text();
    if (id) ids.add(id);
  }
  return ids;
}

/** The latest request card's id among the replies. */
export function lastRequestId(replies: ConsoleReply[]): string | undefined {
  return replies.filter((r) => r.kind === "card").at(-1)?.requestId;
}
