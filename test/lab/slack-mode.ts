import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/load.ts";
import { CARD_ACTIONS } from "../../src/slack/blocks/request-card.ts";
import { postInteraction, postSlashCommand, type SignedResponse } from "../slack/signed-requests.ts";
import {
  blockActionsPayload,
  type RecordedCall,
  type RecordedResponse,
  type SlackStandin,
  startSlackStandin,
} from "../slack/standin/index.ts";
import { type Lab, startLab } from "./lab.ts";

const BOT_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "psa-bot.js");

/** The #ops channel, where slash commands come from until `channel` switches. */
export const OPS_CHANNEL = "C0LABOPS1";
/** The channel the bot posts a card in when it cannot post in the command's channel. */
export const APPROVALS_CHANNEL = "C0LABAPPR1";
const FIRST_USER = "U0LABSRE1";

/** A line that has been quiet this long counts as handled, and `wait` waits this long by default. */
const QUIET_MS = 1000;
/** Longest time a slash command or click waits for the bot's output before the next line. */
const SETTLE_MAX_MS = 15_000;
const WAIT_MAX_SECONDS = 120;
const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5000;

const HELP = `/psa TEXT            send the slash command "/psa TEXT" as the current user in the current channel
as USER_ID           act as another user from now on, such as U0LABSRE2
click ACTION REQ     click a button on the card of request REQ; ACTION is approve, reject, cancel, undo or resume
channel CHANNEL_ID   send later slash commands from this channel (${OPS_CHANNEL} is #ops, ${APPROVALS_CHANNEL} is #approvals)
wait [SECONDS]       wait until Slack has received nothing for SECONDS (default 1, at most ${WAIT_MAX_SECONDS})
(empty line)         show what Slack received since the last input
help                 show this list
Ctrl-D or Ctrl-C stops the bot and the stand-in; the lab keeps running (npm run lab:down stops it).`;

/** Where Slack mode runs, where its input comes from and where its output goes. */
export interface SlackModeOptions {
  stateDir: string;
  /** Lab instance number, the second octet of every lab address. */
  net: number;
  /** Input, one command a line: a readline interface on stdin, or an array in tests. */
  lines: AsyncIterable<string> | Iterable<string>;
  write: (line: string) => void;
  /** Shows a prompt before each line is read, on a terminal. Without it, each line is echoed. */
  prompt?: (userId: string, channelId: string) => void;
  /** Ends the session after the current line, and cuts a wait short. */
  signal?: AbortSignal;
}

/** The bot child process in HTTP mode and how to reach it. */
interface BotChild {
  /** Bolt's request URL, where signed slash commands and interactions go. */
  url: string;
  adminUrl: string;
  signingSecret: string;
  logPath: string;
  stop(): Promise<void>;
}

interface Session {
  standin: SlackStandin;
  bot: BotChild;
  transcript: Transcript;
  write: (line: string) => void;
  signal: AbortSignal | undefined;
  userId: string;
  channelId: string;
  /** Numbers the response URLs, so each command and click gets its own. */
  sequence: number;
}

/**
 * Runs the bot as `psa-bot run` in Slack's HTTP mode against the local Slack stand-in, on the
 * lab in `stateDir` (started when it is not running), and drives it from `lines`. After each
 * line it writes what Slack would have received. At the end of input it stops the bot and the
 * stand-in and leaves the lab running.
 */
export async function runSlackMode(options: SlackModeOptions): Promise<void> {
  const { write } = options;
  const lab = await startLab({ stateDir: options.stateDir, net: options.net, log: write });
  const users = await labUsers(lab.configPath);
  const standin = await startSlackStandin({ channels: labChannels(users) });

  try {
    const bot = await startBotChild(lab, standin);
    const session: Session = {
      standin,
      bot,
      transcript: new Transcript(standin),
      write,
      signal: options.signal,
      userId: FIRST_USER,
      channelId: OPS_CHANNEL,
      sequence: 0,
    };
    try {
      printAddresses(session, users);
      await runSession(session, options);
    } finally {
      await bot.stop();
      // Progress the bot flushed while stopping arrives after the last input.
      printNew(session);
    }
  } finally {
    await standin.close();
  }
}

/** Reads the user ids of every role in the lab's policy. */
async function labUsers(configPath: string): Promise<string[]> {
  const loaded = await loadConfig(configPath);
  if (!loaded.ok) {
    throw new Error(`lab config ${configPath} is invalid: ${JSON.stringify(loaded.problems)}`);
  }
  return [...new Set(Object.values(loaded.config.policy.roles).flat())];
}

function labChannels(users: string[]) {
  const bot = "U00BOT001";
  return [
    { id: OPS_CHANNEL, name: "ops", members: [bot, ...users] },
    { id: APPROVALS_CHANNEL, name: "approvals", members: [bot, ...users] },
  ];
}

function printAddresses(session: Session, users: string[]): void {
  const { bot, standin, write } = session;
  write(`bot:      ${bot.url} (HTTP mode, signing secret generated for this run)`);
  write(`admin:    ${bot.adminUrl}/healthz and ${bot.adminUrl}/metrics`);
  write(`stand-in: ${standin.url}`);
  write(`bot log:  ${bot.logPath}`);
  write(`channels: ${OPS_CHANNEL} #ops, ${APPROVALS_CHANNEL} #approvals; users: ${users.join(", ")}`);
  write(`acting as ${session.userId} in ${session.channelId}; type help for the commands`);
}

async function runSession(session: Session, options: SlackModeOptions): Promise<void> {
  options.prompt?.(session.userId, session.channelId);
  for await (const raw of options.lines) {
    const line = raw.trim();
    if (!options.prompt && line !== "") {
      session.write(`> ${line}`);
    }

    await handleLine(session, line);
    printNew(session);
    if (session.signal?.aborted) {
      return;
    }
    options.prompt?.(session.userId, session.channelId);
  }
}

async function handleLine(session: Session, line: string): Promise<void> {
  const command = /^\/psa(?:\s+(.*))?$/.exec(line);
  const [word, ...args] = line.split(/\s+/);

  if (command) {
    await sendCommand(session, command[1] ?? "");
  } else if (word === "as") {
    setUser(session, args);
  } else if (word === "click") {
    await click(session, args);
  } else if (word === "channel") {
    setChannel(session, args);
  } else if (word === "wait") {
    await waitCommand(session, args);
  } else if (word === "help") {
    session.write(HELP);
  } else if (line !== "") {
    session.write(`unknown input "${line}"; type help for the commands`);
  }
}

async function sendCommand(session: Session, text: string): Promise<void> {
  const { standin, bot, userId, channelId } = session;
  const responseUrl = standin.responseUrl(`command-${++session.sequence}`, {
    channel: channelId,
    user: userId,
  });

  const input = { text, user_id: userId, channel_id: channelId, response_url: responseUrl };
  const ack = await postSlashCommand(bot.url, bot.signingSecret, input);

  printNew(session);
  describeAck(ack).forEach((line) => session.write(line));
  // A command rejected in the ack is not handled further, so there is nothing to wait for.
  if (ack.status === 200 && ack.body === "") {
    await waitQuiet(session, QUIET_MS, SETTLE_MAX_MS, true);
  }
}

async function click(session: Session, args: string[]): Promise<void> {
  const [action = "", requestId = ""] = args;
  if (!Object.hasOwn(CARD_ACTIONS, action) || !/^R\d+$/.test(requestId) || args.length !== 2) {
    session.write("usage: click approve|reject|cancel|undo|resume REQ, such as click approve R1");
    return;
  }
  const card = findCard(session, requestId);
  if (!card) {
    session.write(`no message in ${searchedChannels(session).join(", ")} mentions ${requestId}`);
    return;
  }

  const { standin, bot, userId } = session;
  const target = { channel: card.channel, user: userId, ts: card.ts };
  const payload = blockActionsPayload({
    userId,
    channelId: card.channel,
    messageTs: card.ts,
    actionId: CARD_ACTIONS[action as keyof typeof CARD_ACTIONS],
    value: requestId,
    responseUrl: standin.responseUrl(`click-${++session.sequence}`, target),
  });
  const ack = await postInteraction(bot.url, bot.signingSecret, payload);

  printNew(session);
  describeAck(ack).forEach((line) => session.write(line));
  if (ack.status === 200) {
    await waitQuiet(session, QUIET_MS, SETTLE_MAX_MS, true);
  }
}

function searchedChannels(session: Session): string[] {
  return [...new Set([session.channelId, OPS_CHANNEL, APPROVALS_CHANNEL])];
}

/** Finds the card of a request: the oldest top-level message whose text mentions its id. */
function findCard(session: Session, requestId: string) {
  const mention = new RegExp(`\\b${requestId}\\b`);
  const messages = searchedChannels(session).flatMap((id) => session.standin.messages(id));

  const mentions = messages.filter((message) => mention.test(message.text));
  return mentions.sort((a, b) => Number(a.ts) - Number(b.ts))[0];
}

function setUser(session: Session, args: string[]): void {
  if (args.length !== 1 || !/^[UW][A-Z0-9]{2,}$/.test(args[0] ?? "")) {
    session.write("usage: as USER_ID, such as as U0LABSRE2");
    return;
  }
  session.userId = args[0]!;
  session.write(`acting as ${session.userId}`);
}

function setChannel(session: Session, args: string[]): void {
  if (args.length !== 1 || !/^[CGD][A-Z0-9]{2,}$/.test(args[0] ?? "")) {
    session.write(`usage: channel CHANNEL_ID, such as channel ${OPS_CHANNEL}`);
    return;
  }
  session.channelId = args[0]!;
  session.write(`slash commands now come from ${session.channelId}`);
}

async function waitCommand(session: Session, args: string[]): Promise<void> {
  const seconds = args.length === 0 ? QUIET_MS / 1000 : Number(args[0]);
  if (args.length > 1 || !(seconds > 0 && seconds <= WAIT_MAX_SECONDS)) {
    session.write(`usage: wait [SECONDS], from above 0 to ${WAIT_MAX_SECONDS}`);
    return;
  }

  const quiet = await waitQuiet(session, seconds * 1000, WAIT_MAX_SECONDS * 1000, false);
  if (!quiet && !session.signal?.aborted) {
    session.write(`Slack still receives calls after ${WAIT_MAX_SECONDS} s`);
  }
}

/**
 * Waits until the stand-in has received no call and no response_url post for `quietMs`, and
 * returns whether it did within `maxMs`. With `afterFirst`, the quiet time starts only at the
 * first new arrival, because the bot handles a command only after its ack.
 */
async function waitQuiet(
  session: Session,
  quietMs: number,
  maxMs: number,
  afterFirst: boolean,
): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let count = session.transcript.arrivals();
  let lastChange = afterFirst ? undefined : Date.now();

  while (Date.now() < deadline && !session.signal?.aborted) {
    await delay(100);
    if (session.transcript.arrivals() !== count) {
      count = session.transcript.arrivals();
      lastChange = Date.now();
    } else if (lastChange !== undefined && Date.now() - lastChange >= quietMs) {
      return true;
    }
  }
  return false;
}

function printNew(session: Session): void {
  session.transcript.takeNew().forEach((line) => session.write(line));
}

/** Starts `psa-bot run` on the lab with the stand-in as Slack, and waits until it is healthy. */
async function startBotChild(lab: Lab, standin: SlackStandin): Promise<BotChild> {
  const [httpPort, adminPort] = await freePorts(2);
  const signingSecret = randomBytes(32).toString("hex");
  const logPath = join(lab.stateDir, "slack-bot.log");
  const env = { ...process.env, ...botEnvironment(lab, standin, signingSecret) };
  env.PSA_HTTP_PORT = String(httpPort);
  env.PSA_ADMIN_PORT = String(adminPort);
  // With an app token the bot would use Socket Mode instead of the HTTP receiver under test.
  delete env.SLACK_APP_TOKEN;

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

function botEnvironment(lab: Lab, standin: SlackStandin, signingSecret: string) {
  return {
    SLACK_BOT_TOKEN: standin.tokens.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: standin.url,
    SLACK_APPROVALS_CHANNEL: APPROVALS_CHANNEL,
    PSA_HTTP_HOST: "127.0.0.1",
    PSA_ADMIN_HOST: "127.0.0.1",
    DATABASE_URL: lab.databaseUrl,
  };
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
      throw new Error(`the bot stopped (${exit}) before it was healthy:\n${await tail(logPath)}`);
    }
    if (await isHealthy(adminUrl)) {
      return;
    }
    await delay(200);
  }
  throw new Error(`the bot did not answer ${adminUrl}/healthz within 60 s; see ${logPath}`);
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

/** Reads the stand-in's Web API calls and response_url posts that arrived since the last read. */
class Transcript {
  private callsRead: number;
  private responsesRead: number;

  /** Starts after what the stand-in has already received, such as the bot's auth.test. */
  constructor(private readonly standin: SlackStandin) {
    this.callsRead = standin.calls.length;
    this.responsesRead = standin.responses.length;
  }

  /** Counts every call and response_url post so far. */
  arrivals(): number {
    return this.standin.calls.length + this.standin.responses.length;
  }

  /** Describes the calls and posts that arrived since the last read, oldest first. */
  takeNew(): string[] {
    const calls = this.standin.calls.slice(this.callsRead);
    const responses = this.standin.responses.slice(this.responsesRead);
    this.callsRead += calls.length;
    this.responsesRead += responses.length;

    const arrivals = [
      ...calls.map((call) => ({ time: call.time, lines: describeCall(call) })),
      ...responses.map((post) => ({ time: post.time, lines: describeResponse(post) })),
    ];
    arrivals.sort((a, b) => a.time.getTime() - b.time.getTime());
    return arrivals.flatMap((arrival) => arrival.lines);
  }
}

function describeCall(call: RecordedCall): string[] {
  const { channel, thread_ts: thread, ts, user, text, blocks } = call.body;
  const place = [
    typeof channel === "string" ? ` in ${channel}` : "",
    typeof thread === "string" ? `, thread ${thread}` : "",
    call.method === "chat.update" && typeof ts === "string" ? `, message ${ts}` : "",
    typeof user === "string" ? ` (only ${user})` : "",
  ].join("");
  return [`${call.method}${place}${blockCount(blocks)}${callFailure(call)}`, ...indent(text)];
}

function callFailure(call: RecordedCall): string {
  const response = typeof call.response === "object" ? call.response : null;
  const { ok, error } = (response ?? {}) as { ok?: unknown; error?: unknown };
  if (call.status === 200 && ok === true) {
    return "";
  }
  return ` -> failed: ${typeof error === "string" ? error : `HTTP ${call.status}`}`;
}

function describeResponse(post: RecordedResponse): string[] {
  const { text, blocks } = post.body;
  return [`response_url (${audience(post.body)})${blockCount(blocks)}`, ...indent(text)];
}

/** Describes the bot's reply to a slash command or click in the HTTP response, if any. */
function describeAck(ack: SignedResponse): string[] {
  if (ack.status !== 200) {
    return [`ack: HTTP ${ack.status} ${ack.body}`.trimEnd()];
  }
  if (ack.body === "") {
    return [];
  }
  if (typeof ack.json !== "object" || ack.json === null) {
    return [`ack: ${ack.body}`];
  }
  const body = ack.json as Record<string, unknown>;
  return [`ack (${audience(body)})${blockCount(body.blocks)}`, ...indent(body.text)];
}

/** Who sees a reply. Slack shows an ack or response_url reply to its user alone by default. */
function audience(body: Record<string, unknown>): string {
  if (body.delete_original === true || body.delete_original === "true") {
    return "deletes the original message";
  }
  if (body.replace_original === true || body.replace_original === "true") {
    return "replaces the original message";
  }
  return body.response_type === "in_channel" ? "in channel" : "only you";
}

function blockCount(blocks: unknown): string {
  if (!Array.isArray(blocks)) {
    return "";
  }
  return ` [${blocks.length} ${blocks.length === 1 ? "block" : "blocks"}]`;
}

function indent(text: unknown): string[] {
  if (typeof text !== "string" || text === "") {
    return [];
  }
  return text.split("\n").map((line) => `    ${line}`);
}
