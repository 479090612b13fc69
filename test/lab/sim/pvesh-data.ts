/**
 * Data of the API paths `pvesh get` serves, shaped like pve-manager 8.x's API results:
 * `/cluster/resources` (`PVE::API2::Cluster`, `PVE::API2Tools::extract_*_stats`),
 * `/nodes/<node>/status` (`PVE::API2::Nodes`) and the container status of pve-container 5.x.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { listGuests, readGuestConfig, readPools } from "./cluster-state.ts";
import type { SimEnv } from "./env.ts";
import { type GuestStatus, guestStatus } from "./runtime.ts";
import { isBaseVolume, rootVolumeOf } from "./volumes.ts";

/** A JSON value as the API returns it. */
export type ApiValue = string | number | null | ApiValue[] | { [key: string]: ApiValue };

/** A JSON object as the API returns it. */
export type ApiObject = { [key: string]: ApiValue };

const GIB = 1024 ** 3;

/** Memory a node uses for itself before guests, as a share of its RAM (an estimate). */
const NODE_BASE_MEMORY_SHARE = 0.1;

/** Returns the status of every container of `node` (the `/nodes/<node>/lxc` list). */
export function nodeGuestStatuses(env: SimEnv, node: string): GuestStatus[] {
  const statuses: GuestStatus[] = [];
  for (const guest of listGuests(env.clusterDir)) {
    const config = guest.node === node && readGuestConfig(env.clusterDir, node, guest.vmid);
    if (config) {
      statuses.push(guestStatus(env.clusterDir, env.cluster, node, guest.vmid, config));
    }
  }
  return statuses;
}

/** Returns one `/cluster/resources` entry per guest, node, storage and SDN zone. */
export function clusterResources(env: SimEnv, type: string | undefined): ApiObject[] {
  const resources: ApiObject[] = [];
  if (type === undefined || type === "vm") {
    resources.push(...guestResources(env));
  }
  if (type === undefined || type === "node") {
    resources.push(
      ...Object.keys(env.cluster.nodes)
        .sort()
        .map((node) => nodeResource(env, node)),
    );
  }
  if (type === undefined || type === "storage") {
    resources.push(...storageResources(env));
  }
  if (type === undefined || type === "sdn") {
    for (const node of Object.keys(env.cluster.nodes).sort()) {
      const id = `sdn/${node}/localnetwork`;
      resources.push({ id, node, sdn: "localnetwork", status: "ok", type: "sdn" });
    }
  }
  return resources;
}

function guestResources(env: SimEnv): ApiObject[] {
  const pools = readPools(env.clusterDir);
  return Object.keys(env.cluster.nodes)
    .flatMap((node) => nodeGuestStatuses(env, node).map((status) => ({ node, status })))
    .sort((left, right) => left.status.vmid - right.status.vmid)
    .map(({ node, status }) => {
      const entry: ApiObject = {
        id: `lxc/${status.vmid}`,
        vmid: status.vmid,
        node,
        type: "lxc",
        name: status.name,
        status: status.status,
        template: status.template ?? 0,
        cpu: status.cpu,
        maxcpu: status.cpus,
        mem: status.mem,
        maxmem: status.maxmem,
        disk: status.disk,
        maxdisk: status.maxdisk,
        uptime: status.uptime,
        netin: status.netin,
        netout: status.netout,
        diskread: status.diskread,
        diskwrite: status.diskwrite,
      };
      addOptional(entry, { tags: status.tags, lock: status.lock, pool: pools[status.vmid] });
      return entry;
    });
}

function addOptional(entry: ApiObject, fields: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) {
      entry[key] = value;
    }
  }
}

/** Returns a node's load: its own base plus what its running containers use. */
export function nodeLoad(env: SimEnv, node: string) {
  const hardware = env.cluster.nodes[node]!;
  const guests = nodeGuestStatuses(env, node).filter((status) => status.status === "running");
  const busyCores = guests.reduce((sum, status) => sum + status.cpu * status.cpus, 0);
  const guestMemory = guests.reduce((sum, status) => sum + status.mem, 0);
  const baseMemory = Math.round(hardware.memoryBytes * NODE_BASE_MEMORY_SHARE);

  return {
    cpu: Math.min(1, 0.01 + busyCores / hardware.cores),
    maxcpu: hardware.cores,
    mem: Math.min(hardware.memoryBytes, baseMemory + guestMemory),
    maxmem: hardware.memoryBytes,
    disk: 8 * GIB,
    maxdisk: 100 * GIB,
    uptime: clusterUptime(env),
  };
}

/** Seconds since `cluster.json` was written, which stands for the nodes' boot time. */
function clusterUptime(env: SimEnv): number {
  const written = statSync(join(env.clusterDir, "cluster.json")).mtimeMs;
  return Math.max(0, Math.floor((Date.now() - written) / 1000));
}

function nodeResource(env: SimEnv, node: string): ApiObject {
  return {
    id: `node/${node}`,
    node,
    type: "node",
    status: "online",
    level: "",
    "cgroup-mode": 2,
    ...nodeLoad(env, node),
  };
}

function storageResources(env: SimEnv): ApiObject[] {
  const resources: ApiObject[] = [];
  for (const storage of Object.keys(env.cluster.storage).sort()) {
    const used = storageUsage(env, storage);
    const shared = env.cluster.storage[storage]!.shared ? 1 : 0;
    for (const node of Object.keys(env.cluster.nodes).sort()) {
      resources.push({
        id: `storage/${node}/${storage}`,
        storage,
        node,
        type: "storage",
        status: "available",
        shared,
        content: "images,rootdir",
        plugintype: shared ? "rbd" : "zfspool",
        disk: used,
        maxdisk: 1024 * GIB,
      });
    }
  }
  return resources;
}

/** Sums the sizes of the volumes on `storage`; linked clones share their base volume's size. */
function storageUsage(env: SimEnv, storage: string): number {
  let used = 0;
  for (const guest of listGuests(env.clusterDir)) {
    const config = readGuestConfig(env.clusterDir, guest.node, guest.vmid);
    const volume = config && rootVolumeOf(config.current);
    if (volume?.storage === storage && (isBaseVolume(volume.name) || !volume.name.includes("/"))) {
      used += volume.sizeBytes;
    }
  }
  return used;
}
