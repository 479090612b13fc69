import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, constants } from "node:fs/promises";
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import { pino } from "pino";
import { type LoadedConfig, loadConfig } from "./config/load.ts";
import { formatProblem } from "./config/problems.ts";
import { runConsole } from "./console/console-session.ts";
import { ConsoleSurface } from "./console/console-surface.ts";
import { Bot } from "./core/bot.ts";
import type { BotDeps } from "./core/bot-deps.ts";
import { isPsaError, PsaError } from "./core/errors.ts";
import { parseCommand } from "./core/grammar.ts";
import { isKnownUser } from "./core/policy.ts";
import { type Logger, systemClock } from "./core/ports.ts";
import { previewScale } from "./core/preview.ts";
import type { ChatSurface } from "./core/surface.ts";
import { BotMetrics, observeAudit } from "./slack/metrics.ts";
import { createWebClient, type SlackSettings, startSlackRuntime } from "./slack/slack-runtime.ts";
import { SlackSurface } from "./slack/slack-surface.ts";
import { fetchFingerprint } from "./ssh/pin-host.ts";
import { SshRunner } from "./ssh/ssh-runner.ts";
import { createStore } from "./store/create-store.ts";

/** Exit codes of `psa-bot`. */
export const EXIT = { ok: 0, fault: 1, invalid: 2, denied: 3 } as const;

/** Where output goes; tests pass their own. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function configPath(option: string | undefined): string {
  return option ?? process.env.PSA_CONFIG ?? "psa.yml";
}

function createLogger(defaultLevel: string): Logger {
  return pino({ level: process.env.PSA_LOG_LEVEL ?? defaultLevel }, pino.destination(2));
}

async function loadOrReport(path: string, io: Io): Promise<LoadedConfig | undefined> {
  const result = await loadConfig(path);
  if (result.ok) return result.config;
  for (const problem of result.problems) io.err(formatProblem(problem));
  return undefined;
}

/** Names this process among the bot's replicas; it owns the leases the process takes. */
function replicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** The bot's adapters for one process: SSH runner, store and the given surface. */
async function createDeps(
  config: LoadedConfig,
  surface: ChatSurface,
  logger: Logger,
  metrics?: BotMetrics,
) {
  const { inventory } = config;
  const hosts = Object.fromEntries(
    Object.entries(inventory.hosts).map(([name, host]) => [
      name,
      { ...host, keyFile: config.keyFiles[name]! },
    ]),
  );
  const runner = new SshRunner({
    hosts,
    logger,
    maxSessionsPerHost: inventory.settings.maxSessionsPerHost,
  });
  // Without DATABASE_URL the store is PGlite in PSA_DATA_DIR, so one machine needs no server.
  const store = await createStore({
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    dataDir: process.env.PSA_DATA_DIR ?? ".psa-data",
    logger,
  });
  const deps: BotDeps = {
    inventory,
    policy: config.policy,
    runner,
    store: metrics ? observeAudit(store, metrics) : store,
    surface,
    clock: systemClock,
    logger,
    pollIntervalMs: 500,
    replicaId: replicaId(),
  };
  const close = async () => {
    runner.close();
    await store.close();
  };
  return { deps, close };
}

async function isReadableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** `psa-bot check-config`: prints one line per problem, exit 2 on any. */
export async function checkConfigVerb(
  options: { config?: string },
  io = processIo,
): Promise<number> {
  const path = configPath(options.config);
  const config = await loadOrReport(path, io);
  if (!config) return EXIT.invalid;

  const { inventory, policy } = config;
  const counts = `${Object.keys(inventory.hosts).length} hosts, ${Object.keys(inventory.proxmox.nodes).length} Proxmox nodes, ${Object.keys(inventory.services).length} services, ${policy.rules.length} policy rules`;
  io.out(`${path}: valid (${counts})`);
  return EXIT.ok;
}

/** `psa-bot console`: the bot in a terminal, reading a script or a person's input. */
export async function consoleVerb(
  options: { config?: string; as?: string; script?: string; json: boolean },
  io = processIo,
): Promise<number> {
  const config = await loadOrReport(configPath(options.config), io);
  if (!config) return EXIT.invalid;
  const userId = options.as ?? Object.values(config.policy.roles)[0]?.[0];
  if (!userId || !isKnownUser(config.policy, userId)) {
    io.err(
      `--as ${userId ?? "(none)"}: not a user of any role in the policies; pass --as with a user id listed under roles`,
    );
    return EXIT.invalid;
  }

  if (options.script && !(await isReadableFile(options.script))) {
    io.err(
      `--script ${options.script}: file not found or unreadable; pass a script file, one input a line`,
    );
    return EXIT.invalid;
  }

  const surface = new ConsoleSurface(io.out, options.json);
  // Denials and failures already show in the console's own replies; logs stay for errors.
  const { deps, close } = await createDeps(config, surface, createLogger("error"));
  const bot = new Bot(deps);
  // A console restarted after a crash reports the runs it interrupted before reading input.
  await bot.duties.tick();
  bot.duties.start();
  const input = options.script ? createReadStream(options.script) : process.stdin;
  const interactive = !options.script && process.stdin.isTTY === true;
  const lines = createInterface({ input, terminal: false });
  input.on("error", (error: Error) => io.err(`reading ${options.script} failed: ${error.message}`));
  try {
    await runConsole(lines, {
      bot,
      surface,
      policy: config.policy,
      userId,
      write: io.out,
      json: options.json,
      ...(interactive ? { prompt: (user: string) => process.stdout.write(`psa ${user}> `) } : {}),
    });
  } finally {
    await bot.duties.stop();
    await close();
  }
  return EXIT.ok;
}

/** `psa-bot plan`: prints the plan of a command for a user; changes nothing. */
export async function planVerb(
  options: { config?: string; as?: string; text: string },
  io = processIo,
): Promise<number> {
  const config = await loadOrReport(configPath(options.config), io);
  if (!config) return EXIT.invalid;
  if (!options.as || !isKnownUser(config.policy, options.as)) {
    io.err(
      `--as ${options.as ?? "(missing)"}: pass the user id of someone listed under roles in the policies`,
    );
    return EXIT.invalid;
  }
  const parsed = parseCommand(options.text.replace(/^\/psa\s+/, ""), {
    services: Object.keys(config.inventory.services),
  });
  const command =
    parsed.ok && parsed.command.verb === "plan"
      ? parsed.command.command
      : parsed.ok
        ? parsed.command
        : undefined;
  if (!parsed.ok || command?.verb !== "scale") {
    io.err(
      parsed.ok
        ? `only scale commands have a plan; try "scale SERVICE +1"`
        : `${parsed.rejection.message}\nUsage:\n${parsed.rejection.usage}`,
    );
    return EXIT.invalid;
  }

  const { deps, close } = await createDeps(
    config,
    new ConsoleSurface(io.out, false),
    createLogger("warn"),
  );
  try {
    const preview = await previewScale(deps, options.as, command);
    io.out(preview.text);
    return preview.allowed ? EXIT.ok : EXIT.denied;
  } catch (error) {
    if (!isPsaError(error)) throw error;
    io.err(`${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`);
    return EXIT.fault;
  } finally {
    await close();
  }
}

/** `psa-bot pin-host`: prints a host's SHA-256 key fingerprint for review. */
export async function pinHostVerb(
  options: { config?: string; host: string },
  io = processIo,
): Promise<number> {
  const config = await loadConfig(configPath(options.config));
  const known = config.ok ? config.config.inventory.hosts[options.host] : undefined;
  const target = known ? { address: known.address, port: known.port } : parseHostPort(options.host);
  if (!target) {
    io.err(
      `${options.host}: not a host of the inventory nor ADDRESS[:PORT]; check the name or pass an address`,
    );
    return EXIT.invalid;
  }

  try {
    const fingerprint = await fetchFingerprint(target.address, target.port);
    io.out(`${options.host} (${target.address}:${target.port}) offers ${fingerprint}`);
    io.out(
      `Compare it with the host's own "ssh-keygen -lf" output, then set: fingerprint: ${fingerprint}`,
    );
    if (known && known.fingerprint !== fingerprint)
      io.out(`The inventory pins ${known.fingerprint}: they differ.`);
    return EXIT.ok;
  } catch (error) {
    io.err(
      `cannot fetch the host key of ${target.address}:${target.port}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return EXIT.fault;
  }
}

function parseHostPort(text: string): { address: string; port: number } | undefined {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  return match ? { address: match[1]!, port: Number(match[2] ?? 22) } : undefined;
}

/** `psa-bot run`: the Slack bot. */
export async function runVerb(options: { config?: string }, io = processIo): Promise<number> {
  const config = await loadOrReport(configPath(options.config), io);
  if (!config) return EXIT.invalid;
  const env = process.env;
  const missing = ["SLACK_BOT_TOKEN"].filter((name) => !env[name]);
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET)
    missing.push("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET");
  if (missing.length > 0) {
    io.err(
      `psa-bot run needs Slack settings; missing: ${missing.join(", ")}. For a local bot without Slack, use psa-bot console.`,
    );
    return EXIT.invalid;
  }

  const settings: SlackSettings = {
    botToken: env.SLACK_BOT_TOKEN!,
    ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
    ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
    ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
    listenHost: env.PSA_HTTP_HOST ?? "0.0.0.0",
    listenPort: Number(env.PSA_HTTP_PORT ?? 3000),
    adminHost: env.PSA_ADMIN_HOST ?? "127.0.0.1",
    adminPort: Number(env.PSA_ADMIN_PORT ?? 9464),
  };
  const logger = createLogger("info");
  const metrics = new BotMetrics();
  const client = createWebClient(settings.botToken, settings.apiUrl);
  const calls = {
    client,
    clock: systemClock,
    logger,
    countError: (method: string, error: string) => metrics.countSlackError(method, error),
  };
  const surface = new SlackSurface(calls, {
    ...(env.SLACK_APPROVALS_CHANNEL ? { approvalsChannel: env.SLACK_APPROVALS_CHANNEL } : {}),
    progressIntervalMs: 1100,
    respond: (url, body) => postResponse(url, body, settings.apiUrl),
  });

  const { deps, close } = await createDeps(config, surface, logger, metrics);
  const bot = new Bot(deps);
  try {
    const runtime = await startSlackRuntime(bot, deps, calls, metrics, settings);
    await bot.duties.tick();
    bot.duties.start();
    await waitForSignal();
    await runtime.stop();
    await bot.duties.stop();
    await surface.flush();
    return EXIT.ok;
  } catch (error) {
    logger.error({ err: error }, "the Slack bot stopped on an error");
    io.err(`psa-bot run failed: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.fault;
  } finally {
    await close();
  }
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
}

/**
 * Posts to an interaction's response_url. Only Slack's own hooks, or the configured API's
 * origin (a local stand-in), are accepted, so a payload cannot send the bot elsewhere.
 */
async function postResponse(url: string, body: object, apiUrl: string | undefined): Promise<void> {
  const target = new URL(url);
  const allowed =
    target.origin === "https://hooks.slack.com" ||
    (apiUrl !== undefined && target.origin === new URL(apiUrl).origin);
  if (!allowed)
    throw new PsaError(
      "internal",
      `response_url ${target.origin} is neither Slack's nor the configured API's`,
    );
  const response = await fetch(target, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new PsaError("internal", `response_url returned HTTP ${response.status}`);
}
