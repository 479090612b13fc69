import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Output of a finished command. */
export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs a program without a shell and returns its output. Rejects with the program, exit code
 * and stderr in the message when it exits non-zero or times out.
 */
export async function runCommand(
  file: string,
  args: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const timeout = options.timeoutMs ?? 30_000;

  try {
    const child = execFileAsync(file, args, { env: options.env, timeout, encoding: "utf8" });
    if (options.input !== undefined) {
      child.child.stdin?.end(options.input);
    }
    return await child;
  } catch (error) {
    throw new Error(describeFailure(file, args, error), { cause: error });
  }
}

function describeFailure(file: string, args: string[], error: unknown): string {
  const details = error as { code?: unknown; signal?: unknown; stderr?: unknown };
  const stderr = typeof details.stderr === "string" ? details.stderr.trim() : "";
  const status = details.signal
    ? `signal ${String(details.signal)}`
    : `exit ${String(details.code)}`;

  return `${[file, ...args].join(" ")} failed (${status})${stderr ? `: ${stderr}` : ""}`;
}

/**
 * Returns whether `pid` is a live process (not a zombie) whose command line contains `marker`.
 * The marker (the lab's state directory) guards against a pid reused by an unrelated process.
 */
export async function isLabProcess(pid: number | undefined, marker: string): Promise<boolean> {
  if (!pid || !Number.isInteger(pid) || pid <= 1) {
    return false;
  }

  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The state is the first field after the ")" that closes the command name, which may
    // contain spaces.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") {
      return false;
    }
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.replaceAll("\0", " ").includes(marker);
  } catch {
    return false;
  }
}

/** Reads a pid file and returns the pid, or undefined when it is missing or malformed. */
export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, "utf8")).trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Ends a lab process: SIGTERM, then SIGKILL after `graceMs`. Does nothing unless the pid still
 * belongs to the lab (see {@link isLabProcess}).
 */
export async function stopProcess(pid: number, marker: string, graceMs = 3000): Promise<void> {
  if (!(await isLabProcess(pid, marker))) {
    return;
  }

  process.kill(pid, "SIGTERM");
  if (await waitFor(async () => !(await isLabProcess(pid, marker)), graceMs)) {
    return;
  }

  process.kill(pid, "SIGKILL");
  await waitFor(async () => !(await isLabProcess(pid, marker)), graceMs);
}

/** Polls `check` every 25 ms until it returns true or `timeoutMs` passes. Returns the outcome. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;

  while (Date.now() < deadline) {
    if (await check()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

/** Returns whether a TCP listener can bind `address:port` right now. */
export function isPortFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: address, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Throws naming every `address:port` in the list that is already taken. */
export async function assertPortsFree(endpoints: { address: string; port: number }[]) {
  const checks = await Promise.all(
    endpoints.map(async (endpoint) => ({
      ...endpoint,
      free: await isPortFree(endpoint.address, endpoint.port),
    })),
  );
  const taken = checks.filter((endpoint) => !endpoint.free);

  if (taken.length > 0) {
    const list = taken.map((endpoint) => `${endpoint.address}:${endpoint.port}`).join(", ");
    throw new Error(
      `cannot start the lab: ${list} already in use (stop what listens there, or choose another net)`,
    );
  }
}
