import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { ConsoleReply } from "../../src/console/console-surface.ts";

/** A `psa-bot console --json` process driven through its stdin, as one bot replica. */
export interface BotProcess {
  replies: ConsoleReply[];
  child: ChildProcessWithoutNullStreams;
  send(line: string): void;
  /** Resolves with the first reply, old or new, that matches; rejects after `timeoutMs`. */
  waitFor(match: (reply: ConsoleReply) => boolean, timeoutMs?: number): Promise<ConsoleReply>;
  /** Ends stdin and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Starts a console replica on a config, with extra environment such as DATABASE_URL. */
export function startBotProcess(
  configPath: string,
  userId: string,
  env: Record<string, string>,
): BotProcess {
  const child = spawn(
    process.execPath,
    ["bin/psa-bot.js", "console", "--json", "--config", configPath, "--as", userId],
    {
      env: { ...process.env, ...env },
    },
  );
  const replies: ConsoleReply[] = [];
  const waiters: Array<() => void> = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    replies.push(JSON.parse(line) as ConsoleReply);
    for (const wake of waiters.splice(0)) wake();
  });

  const waitFor = (match: (reply: ConsoleReply) => boolean, timeoutMs = 60_000) =>
    new Promise<ConsoleReply>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching reply in ${timeoutMs} ms; replies: ${JSON.stringify(replies.slice(-5))}; stderr: ${stderr}`,
            ),
          ),
        timeoutMs,
      );
      const check = () => {
        const found = replies.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else {
          waiters.push(check);
        }
      };
      check();
    });

  return {
    replies,
    child,
    send: (line) => child.stdin.write(`${line}\n`),
    waitFor,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
      }),
  };
}
