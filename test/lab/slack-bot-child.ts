import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { SlackStandin } from "../slack/standin/index.ts";
import type { Lab } from "./lab.ts";

const BOT_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "psa-bot.js");
const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5000;

/** The bot child process in HTTP mode and how to reach it. */
export interface BotChild {
  /** Bolt's request URL, where signed slash commands and interactions go. */
  url: string;
  adminUrl: string;
  signingSecret: string;
  logPath: string;
  stop(): Promise<void>;
}

/** Starts `psa-bot run` on the lab with the stand-in as Slack, and waits until it is healthy. */
export async function startBotChild(
  lab: Lab,
  standin: SlackStandin,
  approvalsChannel: string,
): Promise<BotChild> {
  const [httpPort, adminPort] = await freePorts(2);
  const signingSecret = randomBytes(32).toString("hex");
  const logPath = join(lab.stateDir, "slack-bot.log");
  const ports = { http: httpPort!, admin: adminPort! };
  const env = botEnvironment(lab, standin, signingSecret, ports, approvalsChannel);

  const log = await open(logPath, "w");
  const args = [BOT_BIN, "run", "--config", lab.configPath];
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", log.fd, log.fd] });
  await log.close();
  const exited = new Promise<string>((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit(signal ? `signal ${signal}` : `exit ${code}`));
  });

  const stop = () => stopChild(child, exited);
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitHealthy(adminUrl, exited, logPath).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const url = `http://127.0.0.1:${httpPort}/slack/events`;
  return { url, adminUrl, signingSecret, logPath, stop };
}

function botEnvironment(
  lab: Lab,
  standin: SlackStandin,
  signingSecret: string,
  ports: { http: number; admin: number },
  approvalsChannel: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLACK_BOT_TOKEN: standin.tokens.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: standin.url,
    SLACK_APPROVALS_CHANNEL: approvalsChannel,
    PSA_HTTP_HOST: "127.0.0.1",
    PSA_HTTP_PORT: String(ports.http),
    PSA_ADMIN_HOST: "127.0.0.1",
    PSA_ADMIN_PORT: String(ports.admin),
    DATABASE_URL: lab.databaseUrl,
  };
  // With an app token the bot would use Socket Mode instead of the HTTP receiver under test.
  delete env.SLACK_APP_TOKEN;
  return env;
}

/**
 * Returns ports that were free on 127.0.0.1 a moment ago. Another process may take one before
 * the bot binds it, and then the bot exits with EADDRINUSE in its log.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const listening = servers.map(
    (server) =>
      new Promise<number>((resolvePort, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolvePort((server.address() as AddressInfo).port));
      }),
  );

  const ports = await Promise.all(listening);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

async function waitHealthy(adminUrl: string, exited: Promise<string>, logPath: string) {
  let exit: string | undefined;
  void exited.then((reason) => {
    exit = reason;
  });

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit !== undefined) {
      throw new Error(
        `the bot exited (${exit}) before it was healthy; ${logPath} ends:\n${await tail(logPath)}`,
      );
    }
    if (await isHealthy(adminUrl)) {
      return;
    }
    await delay(200);
  }
  throw new Error(
    `timed out after ${HEALTH_TIMEOUT_MS / 1000} s waiting for ${adminUrl}/healthz; see ${logPath}`,
  );
}

async function isHealthy(adminUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${adminUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    await response.text();
    return response.ok;
  } catch {
    return false;
  }
}

async function tail(path: string): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-20).join("\n");
}

/** Sends SIGTERM to the bot's pid, then SIGKILL when it is still running after 5 s. */
async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  process.kill(child.pid, "SIGTERM");
  const timer = new AbortController();
  const graceOver = delay(STOP_GRACE_MS, true, { signal: timer.signal }).catch(() => false);
  const killed = await Promise.race([exited.then(() => false), graceOver]);
  timer.abort();
  if (killed) {
    process.kill(child.pid, "SIGKILL");
    await exited;
  }
}
