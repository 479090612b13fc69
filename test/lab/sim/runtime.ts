/**
 * Run-time state of simulated containers: whether the app process lives, and the status fields
 * Proxmox VE 8 reports (`PVE::LXC::vmstatus` in pve-container 5.x) derived from the app's
 * request counter.
 *
 * Load model, an estimate chosen for the lab rather than a measurement. The request rate is
 * averaged over the app's last samples (about 4 s). `cpu` is 0.002 of the allotted cores per
 * request per second plus an idle base of 0.003, capped at 1. `mem` is 30% of `maxmem` plus 0.1%
 * of `maxmem` per request per second, capped at 95%. As on Proxmox, where `cpu` is the difference
 * between two samples, `cpu` reads 0 until the app has written its second sample (about 1 s).
 */
import type { GuestConfig } from "./ct-config.ts";
import { type ClusterConfig, clusterPaths } from "./env.ts";
import { isProcessAlive, readFileIfExists, readProcessCommandLine } from "./files.ts";
import { rootVolumeOf } from "./volumes.ts";

/** One sample of the app's request counter. */
export interface StatsSample {
  /** Milliseconds since the epoch. */
  time: number;
  requests: number;
}

/** The content of `run/<vmid>.stats`, written by the app about once a second. */
export interface AppStats {
  pid: number;
  startedAt: number;
  /** The most recent samples, oldest first. */
  samples: StatsSample[];
}

/** Status fields of one container, named as in Proxmox's API. */
export interface GuestStatus {
  vmid: number;
  type: "lxc";
  name: string;
  status: "running" | "stopped";
  cpu: number;
  cpus: number;
  mem: number;
  maxmem: number;
  swap: number;
  maxswap: number;
  disk: number;
  maxdisk: number;
  uptime: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  pid?: number;
  template?: 1;
  lock?: string;
  tags?: string;
}

const MIB = 1024 * 1024;
const IDLE_CPU = 0.003;
const CPU_PER_REQUEST_RATE = 0.002;
const STALE_SAMPLE_MS = 5_000;

/** Returns the app's pid when the container runs, undefined when it is stopped or crashed. */
export function runningPid(clusterDir: string, vmid: number): number | undefined {
  const raw = readFileIfExists(clusterPaths.pidFile(clusterDir, vmid));
  const pid = raw === undefined ? Number.NaN : Number(raw.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) {
    return undefined;
  }

  // Guard against pid reuse after a crash: the live process must be a container app.
  const commandLine = readProcessCommandLine(pid);
  return commandLine === undefined || commandLine.includes("ct-app") ? pid : undefined;
}

/** Reads the app's stats file, or undefined when there is none. */
export function readStats(clusterDir: string, vmid: number): AppStats | undefined {
  const raw = readFileIfExists(clusterPaths.statsFile(clusterDir, vmid));
  if (raw === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(raw) as AppStats;
  } catch {
    return undefined;
  }
}

/** Returns requests per second over the kept samples (about the last 4 s) of the running app. */
export function requestRate(stats: AppStats | undefined, pid: number, now = Date.now()): number {
  const samples = stats?.pid === pid ? stats.samples : [];
  if (samples.length < 2) {
    return 0;
  }
  const oldest = samples[0]!;
  const latest = samples.at(-1)!;
  if (now - latest.time > STALE_SAMPLE_MS || latest.time <= oldest.time) {
    return 0;
  }
  return ((latest.requests - oldest.requests) * 1000) / (latest.time - oldest.time);
}

/** Computes a container's status the way `PVE::LXC::vmstatus` fills it. */
export function guestStatus(
  clusterDir: string,
  cluster: ClusterConfig,
  node: string,
  vmid: number,
  config: GuestConfig,
): GuestStatus {
  const status = stoppedStatus(cluster, node, vmid, config);
  const pid = runningPid(clusterDir, vmid);
  if (pid === undefined) {
    return status;
  }

  const stats = readStats(clusterDir, vmid);
  const samples = stats?.pid === pid ? stats.samples : [];
  const rate = requestRate(stats, pid);
  const requests = samples.at(-1)?.requests ?? 0;
  const firstReading = samples.length < 2;

  status.status = "running";
  status.pid = pid;
  status.cpu = firstReading ? 0 : Math.min(1, IDLE_CPU + CPU_PER_REQUEST_RATE * rate);
  status.mem = Math.round(Math.min(0.95, 0.3 + 0.001 * rate) * status.maxmem);
  status.disk = Math.min(512 * MIB, Math.round(status.maxdisk * 0.9));
  status.uptime = stats?.pid === pid ? Math.floor((Date.now() - stats.startedAt) / 1000) : 0;
  status.netin = requests * 180;
  status.netout = requests * 260;
  status.diskread = 8 * MIB;
  return status;
}

function stoppedStatus(cluster: ClusterConfig, node: string, vmid: number, config: GuestConfig) {
  const values = config.current;
  const nodeCores = cluster.nodes[node]?.cores ?? 1;
  const cores = Number(values.cores ?? values.cpulimit ?? 0);

  const status: GuestStatus = {
    vmid,
    type: "lxc",
    name: (values.hostname ?? `CT${vmid}`).replace(/\s/g, ""),
    status: "stopped",
    cpu: 0,
    cpus: cores > 0 ? cores : nodeCores,
    mem: 0,
    maxmem: Number(values.memory ?? 512) * MIB,
    swap: 0,
    maxswap: Number(values.swap ?? 0) * MIB,
    disk: 0,
    maxdisk: rootVolumeOf(values)?.sizeBytes ?? 4 * 1024 * MIB,
    uptime: 0,
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
  };
  if (values.template === "1") {
    status.template = 1;
  }
  if (values.lock) {
    status.lock = values.lock;
  }
  if (values.tags !== undefined) {
    status.tags = values.tags;
  }
  return status;
}
