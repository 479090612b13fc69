/**
 * `pct clone`, after pve-container 5.x `PVE::API2::LXC::clone_vm` (PVE 8):
 *
 * 1. The source gets `lock: disk`, and a config with `lock: create` reserves the new VMID. The
 *    command fails with "CT <newid> already exists on node '<node>'" when any node has it.
 * 2. The checks run: linked or full, snapshot, storage, target node. A failure removes both locks
 *    and the reserved config.
 * 3. The volume copy takes `cloneDelayMs`, during which both locks stay in place, so every other
 *    command on either container fails with "CT is locked (disk|create)".
 * 4. The new config gets its rootfs, loses its lock and moves to `--target`. The source is unlocked.
 */
import {
  checkLock,
  findGuest,
  isTemplate,
  loadGuestConfig,
  newGuestConfig,
  readGuestConfig,
  removeGuestConfig,
  saveGuestConfig,
  setPool,
} from "./cluster-state.ts";
import type { ConfigValues } from "./ct-config.ts";
import type { SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { sleep } from "./files.ts";
import { checkDnsName, checkPoolId, checkStorageId } from "./formats.ts";
import { withClusterLock, withGuestLock } from "./locking.ts";
import {
  flagParam,
  nodeParam,
  type PctCommand,
  pctSpec,
  print,
  snapshotNameParam,
  vmidParam,
  warn,
} from "./pct-common.ts";
import { normalizeNetwork } from "./property-string.ts";
import { runningPid } from "./runtime.ts";
import {
  isBaseVolume,
  parseRootVolume,
  printRootVolume,
  type RootVolume,
  volumeId,
} from "./volumes.ts";

const cloneSpec = pctSpec("clone", ["vmid", "newid"], {
  vmid: vmidParam,
  newid: vmidParam,
  hostname: { type: "string", optional: true, format: checkDnsName },
  description: { type: "string", optional: true },
  pool: { type: "string", optional: true, format: checkPoolId },
  snapname: { ...snapshotNameParam, optional: true },
  storage: { type: "string", optional: true, format: checkStorageId },
  full: flagParam,
  target: { ...nodeParam, optional: true },
  bwlimit: { type: "number", optional: true, minimum: 0 },
});

/** The request after the checks that need no lock. */
interface CloneRequest {
  vmid: number;
  newid: number;
  target: string | undefined;
  storage: string | undefined;
  snapname: string | undefined;
  full: boolean | undefined;
  hostname: string | undefined;
  description: string | undefined;
  pool: string | undefined;
}

/** The clone decided in phase 2: the new config and how to create its root volume. */
interface ClonePlan {
  config: ConfigValues;
  source: RootVolume;
  full: boolean;
}

/** `pct clone <vmid> <newid> [OPTIONS]`. */
export const cloneCommand: PctCommand = {
  spec: cloneSpec,
  async run(env, { values }) {
    const request = checkRequest(env, values);

    const plan = await reserve(env, request);
    const volume = plan.source;
    const kind = plan.full ? "full clone of mountpoint" : "linked clone of mount point";
    print(`create ${kind} rootfs (${volumeId(volume)})\n`);

    await sleep(env.cluster.cloneDelayMs);
    await finish(env, request, plan);
  },
};

function checkRequest(env: SimEnv, values: Record<string, string>): CloneRequest {
  let target = values.target;
  if (target === env.node || target === "localhost") {
    target = undefined;
  }
  if (target !== undefined && !env.cluster.nodes[target]) {
    throw new PveError(`no such cluster node '${target}'`);
  }

  const storage = values.storage;
  if (storage !== undefined) {
    const config = env.cluster.storage[storage];
    if (!config) {
      throw new PveError(`storage '${storage}' does not exist`);
    }
    if (target !== undefined && !config.shared) {
      throw new PveError(`can't clone to non-shared storage '${storage}'`);
    }
  }

  const pool = values.pool;
  if (pool !== undefined && env.cluster.pools && !env.cluster.pools.includes(pool)) {
    throw new PveError(`pool '${pool}' does not exist`);
  }

  return {
    vmid: Number(values.vmid),
    newid: Number(values.newid),
    target,
    storage,
    snapname: values.snapname,
    full: values.full === undefined ? undefined : values.full === "1",
    hostname: values.hostname,
    description: values.description,
    pool,
  };
}

/** Phases 1 and 2: lock the source, reserve the new VMID, decide the clone. */
async function reserve(env: SimEnv, request: CloneRequest): Promise<ClonePlan> {
  const { clusterDir, node } = env;
  const { vmid, newid } = request;

  return withGuestLock(clusterDir, vmid, () =>
    withClusterLock(clusterDir, () => {
      const source = loadGuestConfig(env, vmid);
      checkLock(source);

      const existing = findGuest(clusterDir, newid);
      if (existing) {
        throw new PveError(`CT ${newid} already exists on node '${existing.node}'`);
      }

      const plan = planClone(env, request, source);
      source.current.lock = "disk";
      saveGuestConfig(clusterDir, node, vmid, source);
      saveGuestConfig(clusterDir, node, newid, newGuestConfig(plan.config));
      return plan;
    }),
  );
}

function planClone(
  env: SimEnv,
  request: CloneRequest,
  source: ReturnType<typeof loadGuestConfig>,
): ClonePlan {
  const running = runningPid(env.clusterDir, request.vmid) !== undefined;
  const full = request.full ?? !isTemplate(source);
  if (request.storage !== undefined && !full) {
    throw new PveError("parameter 'storage' not allowed for linked clones");
  }
  if (request.snapname && !source.snapshots[request.snapname]) {
    throw new PveError(`snapshot '${request.snapname}' does not exist`);
  }

  const values = request.snapname ? source.snapshots[request.snapname]! : source.current;
  if (values.rootfs === undefined) {
    throw new PveError(`CT ${request.vmid} has no rootfs to clone`);
  }
  const volume = parseRootVolume(values.rootfs);
  checkVolume(env, request, volume, { full, running });

  return { config: copyConfig(values, request), source: volume, full };
}

function checkVolume(
  env: SimEnv,
  request: CloneRequest,
  volume: RootVolume,
  state: { full: boolean; running: boolean },
): void {
  const storageId = request.storage ?? volume.storage;
  const storage = env.cluster.storage[storageId];
  if (!storage) {
    throw new PveError(`storage '${storageId}' does not exist`);
  }
  if (!storage.shared && request.target !== undefined) {
    warn(`found non-shared volume: ${volumeId(volume)}`);
  }

  if (state.full && state.running && request.snapname === undefined) {
    throw new PveError("Cannot do full clones on a running container without snapshots");
  }
  const linkable = storage.linkedClone && (isBaseVolume(volume.name) || !!request.snapname);
  if (!state.full && !linkable) {
    throw new PveError(`Linked clone feature for '${volumeId(volume)}' is not available`);
  }
  if (request.target !== undefined && !storage.shared) {
    throw new PveError(`can't clone CT to node '${request.target}' (CT uses local storage)`);
  }
}

/** Copies every option as `clone_vm` does: a new MAC per NIC, no snapshot state, `lock: create`. */
function copyConfig(values: ConfigValues, request: CloneRequest): ConfigValues {
  const copy: ConfigValues = {};
  for (const [key, value] of Object.entries(values)) {
    if (/^unused\d+$/.test(key) || key === "rootfs") {
      continue;
    }
    copy[key] = /^net\d+$/.test(key) ? withNewMac(value, key) : value;
  }

  for (const key of ["parent", "snaptime", "snapstate", "template"]) {
    delete copy[key];
  }
  copy.lock = "create";
  if (request.hostname) {
    copy.hostname = request.hostname;
  }
  if (request.description) {
    copy.description = request.description;
  }
  return copy;
}

function withNewMac(value: string, key: string): string {
  const withoutMac = value
    .split(",")
    .filter((part) => !part.startsWith("hwaddr="))
    .join(",");
  return normalizeNetwork(withoutMac, key);
}

/** Phase 4: give the clone its volume, unlock both containers, move the clone to the target. */
async function finish(env: SimEnv, request: CloneRequest, plan: ClonePlan): Promise<void> {
  const { clusterDir, node } = env;
  const { vmid, newid } = request;

  await withGuestLock(clusterDir, newid, () =>
    withClusterLock(clusterDir, () => {
      const clone = readGuestConfig(clusterDir, node, newid);
      if (clone?.current.lock !== "create") {
        throw new PveError("Lost 'create' config lock, aborting.");
      }
      clone.current.rootfs = printRootVolume(clonedVolume(request, plan));
      delete clone.current.lock;
      saveGuestConfig(clusterDir, request.target ?? node, newid, clone);
      if (request.target !== undefined) {
        removeGuestConfig(clusterDir, node, newid);
      }
      if (request.pool !== undefined) {
        setPool(clusterDir, newid, request.pool);
      }
    }),
  );

  await withGuestLock(clusterDir, vmid, () =>
    withClusterLock(clusterDir, () => {
      const source = readGuestConfig(clusterDir, node, vmid);
      if (source?.current.lock === "disk") {
        delete source.current.lock;
        saveGuestConfig(clusterDir, node, vmid, source);
      }
    }),
  );
}

function clonedVolume(request: CloneRequest, plan: ClonePlan): RootVolume {
  const source = plan.source;
  const diskName = `vm-${request.newid}-disk-0`;
  if (plan.full) {
    return { ...source, storage: request.storage ?? source.storage, name: diskName };
  }
  const base = source.name.split("/").at(-1)!;
  const name = isBaseVolume(source.name) ? `${base}/${diskName}` : diskName;
  return { ...source, name };
}
