/**
 * Locks shared by the simulated nodes.
 *
 * Proxmox VE guards each guest config with a local flock (`/run/lock/lxc/pve-config-<vmid>.lock`,
 * 10 s timeout) and relies on pmxcfs for cluster-wide atomic writes. The simulator mirrors both
 * with directories created by `mkdir`, which is atomic: a per-guest lock held across a whole
 * command, and one short cluster mutex around every read-modify-write of shared files. Always take
 * the guest lock first and the cluster mutex inside it, never the reverse.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clusterPaths } from "./env.ts";
import { PveError } from "./errors.ts";
import { isErrnoException, isProcessAlive, readFileIfExists, sleep } from "./files.ts";

const GUEST_LOCK_TIMEOUT_MS = 10_000;
const CLUSTER_LOCK_TIMEOUT_MS = 10_000;

/** A lock directory whose owner file has not appeared after this long is treated as abandoned. */
const OWNERLESS_LOCK_STALE_MS = 2_000;

/** Runs `action` while holding the cluster mutex. */
export async function withClusterLock<T>(clusterDir: string, action: () => T | Promise<T>) {
  const path = join(clusterPaths.lockDir(clusterDir), "cluster");
  const timeoutMessage = "psa-sim: cluster lock timeout - another simulator call holds it";
  return withDirectoryLock(path, CLUSTER_LOCK_TIMEOUT_MS, timeoutMessage, action);
}

/** Runs `action` while holding the per-guest lock, as Proxmox's `lock_config` does. */
export async function withGuestLock<T>(
  clusterDir: string,
  vmid: number,
  action: () => T | Promise<T>,
): Promise<T> {
  const path = join(clusterPaths.lockDir(clusterDir), `guest-${vmid}`);
  const timeoutMessage = `can't lock file '/run/lock/lxc/pve-config-${vmid}.lock' - got timeout`;
  return withDirectoryLock(path, GUEST_LOCK_TIMEOUT_MS, timeoutMessage, action);
}

async function withDirectoryLock<T>(
  path: string,
  timeoutMs: number,
  timeoutMessage: string,
  action: () => T | Promise<T>,
): Promise<T> {
  await acquire(path, timeoutMs, timeoutMessage);

  try {
    return await action();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

async function acquire(path: string, timeoutMs: number, timeoutMessage: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  mkdirSync(join(path, ".."), { recursive: true });

  for (;;) {
    if (tryCreate(path)) {
      return;
    }
    if (isAbandoned(path)) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PveError(timeoutMessage);
    }
    await sleep(5 + Math.random() * 15);
  }
}

function tryCreate(path: string): boolean {
  try {
    mkdirSync(path);
  } catch (error) {
    if (isErrnoException(error) && error.code === "EEXIST") {
      return false;
    }
    throw error;
  }

  writeFileSync(join(path, "owner"), String(process.pid));
  return true;
}

/** Returns whether the lock is abandoned because its owner is gone, e.g. after `kill -9` of `pct`. */
function isAbandoned(path: string): boolean {
  const owner = readFileIfExists(join(path, "owner"));
  if (owner !== undefined && owner !== "") {
    return !isProcessAlive(Number(owner));
  }

  try {
    return Date.now() - statSync(path).mtimeMs > OWNERLESS_LOCK_STALE_MS;
  } catch {
    return false;
  }
}
