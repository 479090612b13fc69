/**
 * Guest configs in the shared cluster directory: the simulator's stand-in for pmxcfs's
 * `/etc/pve/nodes/<node>/lxc/<vmid>.conf` files, plus pool membership.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { formatGuestConfig, type GuestConfig, parseGuestConfig } from "./ct-config.ts";
import { clusterPaths, type SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { readFileIfExists, writeFileAtomic } from "./files.ts";

/** Where a guest's config lives. */
export interface GuestLocation {
  vmid: number;
  node: string;
}

/** Lists every container in the cluster, sorted by VMID. */
export function listGuests(clusterDir: string): GuestLocation[] {
  const nodesDir = clusterPaths.nodesDir(clusterDir);
  if (!existsSync(nodesDir)) {
    return [];
  }

  const guests: GuestLocation[] = [];
  for (const node of readdirSync(nodesDir)) {
    const lxcDir = join(nodesDir, node, "lxc");
    if (!existsSync(lxcDir)) {
      continue;
    }
    for (const file of readdirSync(lxcDir)) {
      const match = /^(\d+)\.conf$/.exec(file);
      if (match) {
        guests.push({ vmid: Number(match[1]), node });
      }
    }
  }
  return guests.sort((left, right) => left.vmid - right.vmid);
}

/** Returns where container `vmid` lives, or undefined when no node has it. */
export function findGuest(clusterDir: string, vmid: number): GuestLocation | undefined {
  return listGuests(clusterDir).find((guest) => guest.vmid === vmid);
}

/** Reads a config, or returns undefined when the file does not exist on `node`. */
export function readGuestConfig(clusterDir: string, node: string, vmid: number) {
  const raw = readFileIfExists(clusterPaths.config(clusterDir, node, vmid));
  return raw === undefined ? undefined : parseGuestConfig(raw, vmid);
}

/**
 * Loads a config from this node, as `PVE::AbstractConfig::load_config` does: a container on
 * another node fails with "Configuration file 'nodes/<node>/lxc/<vmid>.conf' does not exist".
 */
export function loadGuestConfig(env: SimEnv, vmid: number): GuestConfig {
  const config = readGuestConfig(env.clusterDir, env.node, vmid);
  if (!config) {
    const path = clusterPaths.relativeConfig(env.node, vmid);
    throw new PveError(`Configuration file '${path}' does not exist`);
  }

  for (const warning of config.warnings) {
    process.stderr.write(`${warning}\n`);
  }
  return config;
}

/** Writes a config atomically. */
export function saveGuestConfig(
  clusterDir: string,
  node: string,
  vmid: number,
  config: GuestConfig,
) {
  const text = formatGuestConfig({ ...config, warnings: [] });
  writeFileAtomic(clusterPaths.config(clusterDir, node, vmid), text);
}

/** Deletes a config file. */
export function removeGuestConfig(clusterDir: string, node: string, vmid: number): void {
  rmSync(clusterPaths.config(clusterDir, node, vmid), { force: true });
}

/**
 * Throws when `digest` (the SHA-1 of the config file that the caller saw) no longer matches,
 * as `PVE::Tools::assert_if_modified` does. An undefined digest skips the check.
 */
export function checkConfigDigest(env: SimEnv, vmid: number, digest: string | undefined): void {
  if (digest === undefined) {
    return;
  }
  const raw = readFileIfExists(clusterPaths.config(env.clusterDir, env.node, vmid)) ?? "";
  if (createHash("sha1").update(raw).digest("hex") !== digest) {
    throw new PveError("detected modified configuration - file changed by other user? Try again.");
  }
}

/** Returns an empty config with only the given main-section values. */
export function newGuestConfig(values: Record<string, string>): GuestConfig {
  return { current: { ...values }, lxc: [], snapshots: {}, warnings: [] };
}

/** Throws "CT is locked (<lock>)" when the config holds a lock (`check_lock`). */
export function checkLock(config: GuestConfig): void {
  const lock = config.current.lock;
  if (lock) {
    throw new PveError(`CT is locked (${lock})`);
  }
}

/** Returns whether the config is a template (`template: 1`). */
export function isTemplate(config: GuestConfig): boolean {
  return config.current.template === "1";
}

/**
 * Returns the lowest VMID >= 100 that no guest uses, like `GET /cluster/nextid`.
 * The result is only valid when requested, because a concurrent clone may take the VMID.
 */
export function nextFreeVmid(clusterDir: string): number {
  const used = new Set(listGuests(clusterDir).map((guest) => guest.vmid));
  for (let vmid = 100; vmid < 1_000_000; vmid++) {
    if (!used.has(vmid)) {
      return vmid;
    }
  }
  throw new PveError("unable to get any free VMID in range [100, 1000000]");
}

/** Returns the pool of each guest that belongs to one. */
export function readPools(clusterDir: string): Record<string, string> {
  const raw = readFileIfExists(clusterPaths.poolsFile(clusterDir));
  return raw === undefined ? {} : (JSON.parse(raw) as Record<string, string>);
}

/** Sets or clears (pool undefined) the pool of a guest; call under the cluster lock. */
export function setPool(clusterDir: string, vmid: number, pool: string | undefined): void {
  const pools = readPools(clusterDir);
  if (pool === undefined) {
    delete pools[vmid];
  } else {
    pools[vmid] = pool;
  }
  writeFileAtomic(clusterPaths.poolsFile(clusterDir), `${JSON.stringify(pools, null, 2)}\n`);
}
