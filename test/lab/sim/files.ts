/** File and process helpers shared by the simulator's commands and its container app. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes `data` to `path` through a temporary file and a rename, so readers on the other node
 * see either the old or the new content, as with pmxcfs.
 */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/** Returns the file's text, or undefined when it does not exist. */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") {
      return undefined;
    }
    throw error;
  }
}

/** Narrows an unknown error to a Node.js system error with a `code`. */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && "code" in error;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Returns whether process `pid` exists and is not a zombie.
 *
 * A stopped container app is reparented to init and may linger as a zombie where PID 1 does not
 * reap children (common in Docker), so `kill(pid, 0)` alone would report it alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return isErrnoException(error) && error.code === "EPERM";
  }

  const stat = readFileIfExists(`/proc/${pid}/stat`);
  if (stat === undefined) {
    // Without /proc (not Linux), kill(pid, 0) is the best evidence. With /proc, the pid is gone.
    return !existsSync("/proc/self");
  }
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/** Returns the command line of process `pid`, or undefined where /proc is unavailable. */
export function readProcessCommandLine(pid: number): string | undefined {
  const raw = readFileIfExists(`/proc/${pid}/cmdline`);
  return raw?.split("\0").join(" ");
}
