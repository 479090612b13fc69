import { setTimeout as delay } from "node:timers/promises";
import { loadConfig } from "../../src/config/load.ts";
import { CARD_ACTIONS } from "../../src/slack/blocks/request-card.ts";
import { postInteraction, postSlashCommand } from "../slack/signed-requests.ts";
import {
  blockActionsPayload,
  defaultIdentity,
  type SlackStandin,
  startSlackStandin,
} from "../slack/standin/index.ts";
import { startLab } from "./lab.ts";
import { type BotChild, startBotChild } from "./slack-bot-child.ts";
import { describeAck, Transcript } from "./slack-transcript.ts";

/** The #ops channel, where slash commands come from until `channel` switches. */
export const OPS_CHANNEL = "C0LABOPS1";
/** The channel the bot posts a card in when it cannot post in the command's channel. */
export const APPROVALS_CHANNEL = "C0LABAPPR1";
const FIRST_USER = "U0LABSRE1";

/** Quiet time after which a slash command or click counts as handled, and the default of `wait`. */
const QUIET_MS = 1000;
/** Maximum time a slash command or click waits for the bot's output before the next line. */
const SETTLE_MAX_MS = 15_000;
const WAIT_QUIET_MAX_SECONDS = 60;
const WAIT_MAX_SECONDS = 120;

const HELP = `/psa TEXT            send the slash command "/psa TEXT" as the current user in the current channel
as USER_ID           act as another user from now on, such as U0LABSRE2
click ACTION REQ     click a button on the card of request REQ; ACTION is approve, reject, cancel, undo or resume
channel CHANNEL_ID   send later slash commands from this channel (${OPS_CHANNEL} is #ops, ${APPROVALS_CHANNEL} is #approvals)
wait [SECONDS]       wait until Slack has received nothing for SECONDS (default 1, at most ${WAIT_QUIET_MAX_SECONDS}), giving up after ${WAIT_MAX_SECONDS} s
(empty line)         show what Slack received since the last input
help                 show this list
Ctrl-D or Ctrl-C stops the bot and the stand-in; the lab keeps running (npm run lab:down stops it).`;

/** Where Slack mode runs, where its input comes from and where its output goes. */
export interface SlackModeOptions {
  stateDir: string;
  /** Lab instance number, the second octet of every lab address. */
  net: number;
  /**
   * Input, one command a line, such as an array or a generator in tests. Create a readline
   * interface's iterator before calling, because readline drops lines read before that.
   */
  lines: AsyncIterable<string> | Iterable<string>;
  write: (line: string) => void;
  /** Shows a prompt before each line is read, on a terminal. Without it, each line is echoed. */
  prompt?: (userId: string, channelId: string) => void;
  /** Ends the session after the current line, and cuts a wait short. */
  signal?: AbortSignal;
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
    const bot = await startBotChild(lab, standin, APPROVALS_CHANNEL);
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
  const bot = defaultIdentity.botUserId;
  return [
    { id: OPS_CHANNEL, name: "ops", members: [bot, ...users] },
    { id: APPROVALS_CHANNEL, name: "approvals", members: [bot, ...users] },
  ];
}

function printAddresses(session: Session, users: string[]): void {
  const { bot, standin, write } = session;
  write(`bot:      ${bot.url} (HTTP mode, signing secret generated for this run)`);
  write(`admin:    ${bot.adminUrl} (/healthz, /metrics)`);
  write(`stand-in: ${standin.url}`);
  write(`bot log:  ${bot.logPath}`);
  write(
    `channels: ${OPS_CHANNEL} #ops, ${APPROVALS_CHANNEL} #approvals; users: ${users.join(", ")}`,
  );
  write(`acting as ${session.userId} in ${session.channelId}; type help for the commands`);
}

async function runSession(session: Session, options: SlackModeOptions): Promise<void> {
  const input = iteratorOf(options.lines);
  try {
    while (!session.signal?.aborted) {
      options.prompt?.(session.userId, session.channelId);
      const raw = await nextLine(input, session.signal);
      if (raw === undefined) {
        return;
      }

      const line = raw.trim();
      if (!options.prompt && line !== "") {
        session.write(`> ${line}`);
      }
      await handleLine(session, line).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        session.write(`"${line}" failed: ${reason}; the bot's log is ${session.bot.logPath}`);
      });
      printNew(session);
    }
  } finally {
    await input.return?.();
  }
}

function iteratorOf(lines: SlackModeOptions["lines"]): AsyncIterator<string> | Iterator<string> {
  return Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : lines[Symbol.iterator]();
}

/**
 * Resolves with the next input line, or with undefined at the end of input or once `signal`
 * aborts. A readline iterator may never settle after Ctrl-C, so the signal is watched separately.
 */
function nextLine(
  input: AsyncIterator<string> | Iterator<string>,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  if (signal?.aborted) {
    return Promise.resolve(undefined);
  }

  return new Promise((resolveLine, reject) => {
    const onAbort = () => resolveLine(undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
    Promise.resolve(input.next()).then((result) => {
      signal?.removeEventListener("abort", onAbort);
      resolveLine(result.done ? undefined : result.value);
    }, reject);
  });
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
  writeAll(session, describeAck(ack));
  // A command rejected in the ack is not handled further, so there is nothing to wait for.
  if (ack.status === 200 && ack.body === "") {
    await waitQuiet(session, QUIET_MS, SETTLE_MAX_MS, true);
  }
}

async function click(session: Session, args: string[]): Promise<void> {
  const [action = "", requestId = ""] = args;
  if (!Object.hasOwn(CARD_ACTIONS, action) || !/^R\d+$/.test(requestId) || args.length !== 2) {
    session.write(
      "usage: click approve|reject|cancel|undo|resume REQ, for example: click approve R1",
    );
    return;
  }
  const card = findCard(session, requestId);
  if (!card) {
    session.write(
      `card of ${requestId} not found: no message in ${searchedChannels(session).join(", ")} mentions it`,
    );
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
  writeAll(session, describeAck(ack));
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
    session.write("usage: as USER_ID, for example: as U0LABSRE2");
    return;
  }
  session.userId = args[0]!;
  session.write(`acting as ${session.userId}`);
}

function setChannel(session: Session, args: string[]): void {
  if (args.length !== 1 || !/^[CGD][A-Z0-9]{2,}$/.test(args[0] ?? "")) {
    session.write(`usage: channel CHANNEL_ID, for example: channel ${OPS_CHANNEL}`);
    return;
  }
  session.channelId = args[0]!;
  session.write(`slash commands now come from ${session.channelId}`);
}

async function waitCommand(session: Session, args: string[]): Promise<void> {
  const seconds = args.length === 0 ? QUIET_MS / 1000 : Number(args[0]);
  if (args.length > 1 || !(seconds > 0 && seconds <= WAIT_QUIET_MAX_SECONDS)) {
    session.write(
      `usage: wait [SECONDS], where SECONDS is above 0 and at most ${WAIT_QUIET_MAX_SECONDS}`,
    );
    return;
  }

  const quiet = await waitQuiet(session, seconds * 1000, WAIT_MAX_SECONDS * 1000, false);
  if (!quiet && !session.signal?.aborted) {
    session.write(`wait timed out after ${WAIT_MAX_SECONDS} s: Slack still receives calls`);
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
  writeAll(session, session.transcript.takeNew());
}

function writeAll(session: Session, lines: string[]): void {
  for (const line of lines) {
    session.write(line);
  }
}
