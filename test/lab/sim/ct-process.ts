/**
 * Starts and stops the process that simulates a running container: `node ct-app.mjs`, spawned
 * detached in its own process group with its output in `run/<vmid>.log`. Processes are always
 * addressed by the pid recorded in `run/<vmid>.pid`, never by name.
 */
import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { fileURLToPath } from "node:url";
import { clusterPaths, type SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { isProcessAlive, readFileIfExists, sleep, writeFileAtomic } from "./files.ts";

/** The app's readiness report in `run/<vmid>.ready`. */
export interface ReadyReport {
  pid: number;
  /** Listening address, or null for a container without an app. */
  address: string | null;
  port: number | null;
}

const START_TIMEOUT_MS = 10_000;
const KILL_WAIT_MS = 2_000;
const POLL_MS = 20;

/** Returns the path of the bundled container app, a sibling of the running bundle. */
function containerAppPath(): string {
  const sibling = fileURLToPath(new URL("./ct-app.mjs", import.meta.url));
  if (existsSync(sibling)) {
    return sibling;
  }
  throw new PveError(`psa-sim: ${sibling} not found; run the simulator from its esbuild bundle`);
}

/**
 * Spawns the container app and resolves once it listens. On failure prints the app's log like
 * `print_ct_stderr_log` and fails with "startup for container '<vmid>' failed".
 */
export async function startContainerApp(env: SimEnv, vmid: number): Promise<void> {
  const { clusterDir } = env;
  const logPath = clusterPaths.logFile(clusterDir, vmid);
  mkdirSync(clusterPaths.runDir(clusterDir), { recursive: true });
  rmSync(clusterPaths.readyFile(clusterDir, vmid), { force: true });
  const logOffset = existsSync(logPath) ? statSync(logPath).size : 0;

  const logFd = openSync(logPath, "a");
  const child = spawn(process.execPath, [containerAppPath(), clusterDir, env.node, String(vmid)], {
    detached: true,
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const pid = child.pid!;
  writeFileAtomic(clusterPaths.pidFile(clusterDir, vmid), `${pid}\n`);

  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.unref();

  const ready = await waitForReady(clusterDir, vmid, pid, () => exited);
  if (!ready) {
    await stopContainerApp(clusterDir, vmid, pid, { graceMs: 0, kill: true });
    const log = readFileSync(logPath, "utf8").slice(logOffset);
    throw new PveError(`${log}startup for container '${vmid}' failed`);
  }
}

async function waitForReady(
  clusterDir: string,
  vmid: number,
  pid: number,
  hasExited: () => boolean,
) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (readReadyReport(clusterDir, vmid)?.pid === pid) {
      return true;
    }
    if (hasExited() || !isProcessAlive(pid)) {
      return false;
    }
    await sleep(POLL_MS);
  }
  return false;
}

/** Reads `run/<vmid>.ready`, or undefined when the app has not reported. */
export function readReadyReport(clusterDir: string, vmid: number): ReadyReport | undefined {
  const raw = readFileIfExists(clusterPaths.readyFile(clusterDir, vmid));
  try {
    return raw === undefined ? undefined : (JSON.parse(raw) as ReadyReport);
  } catch {
    return undefined;
  }
}

/**
 * Sends SIGTERM to the app, waits up to `graceMs`, then sends SIGKILL when `kill` is set.
 * Resolves to whether the process is gone, and removes its run files when it is.
 */
export async function stopContainerApp(
  clusterDir: string,
  vmid: number,
  pid: number,
  options: { graceMs: number; kill: boolean },
): Promise<boolean> {
  signal(pid, "SIGTERM");
  let stopped = await waitForExit(pid, options.graceMs);
  if (!stopped && options.kill) {
    signal(pid, "SIGKILL");
    stopped = await waitForExit(pid, KILL_WAIT_MS);
  }

  if (stopped) {
    rmSync(clusterPaths.pidFile(clusterDir, vmid), { force: true });
    rmSync(clusterPaths.readyFile(clusterDir, vmid), { force: true });
  }
  return stopped;
}

/**
 * Asks a running app to re-read its config (SIGHUP) and waits until it listens on `address`, as a
 * network hot-plug takes effect at once on Proxmox. Fails when the app cannot bind the address.
 */
export async function rebindContainerApp(env: SimEnv, vmid: number, pid: number, address: string) {
  signal(pid, "SIGHUP");
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const report = readReadyReport(env.clusterDir, vmid);
    if (report?.pid === pid && (report.address === address || report.address === null)) {
      return;
    }
    if (!isProcessAlive(pid)) {
      throw new PveError(`unable to hotplug net0: container app of CT ${vmid} exited`);
    }
    await sleep(POLL_MS);
  }
  throw new PveError(`unable to hotplug net0: CT ${vmid} did not bind ${address}`);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) {
      return false;
    }
    await sleep(POLL_MS);
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // The process is already gone.
  }
}
