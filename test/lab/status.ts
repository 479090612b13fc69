import { join, resolve } from "node:path";
import { type ContainerStatus, listContainers } from "./containers.ts";
import { type HaproxyServer, listHaproxyServers } from "./haproxy.ts";
import { HOST_NAMES, type LabPaths, labPaths } from "./layout.ts";
import { postgresPaths } from "./postgres.ts";
import { isLabProcess, readPidFile } from "./process.ts";
import { type LabRecord, readLabRecord } from "./record.ts";

/** One lab daemon and whether it runs. */
export interface ProcessStatus {
  name: string;
  pid?: number;
  up: boolean;
  /** `address:port` it listens on. */
  listen?: string;
}

/** What runs in a lab's state directory, as `labStatus` reports it. */
export interface LabStatus {
  /** True when every sshd, HAProxy and PostgreSQL run. */
  up: boolean;
  stateDir: string;
  net?: number;
  configPath?: string;
  processes: ProcessStatus[];
  containers: ContainerStatus[];
  haproxyServers: HaproxyServer[];
  frontends: Record<string, string>;
  /** Problems met while collecting the status, such as an unreachable admin socket. */
  errors: string[];
}

async function processStatus(name: string, pidFile: string, marker: string, listen?: string) {
  const pid = await readPidFile(pidFile);
  const up = await isLabProcess(pid, marker);
  return { name, up, ...(pid !== undefined ? { pid } : {}), ...(listen ? { listen } : {}) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function processStatuses(paths: LabPaths, record: LabRecord | undefined) {
  const sshd = HOST_NAMES.map((host) => {
    const entry = record?.hosts[host];
    const listen = entry ? `${entry.address}:${entry.port}` : undefined;
    return processStatus(
      `sshd ${host}`,
      join(paths.hostDir(host), "sshd.pid"),
      paths.stateDir,
      listen,
    );
  });
  const haproxy = processStatus("haproxy", paths.haproxyPidFile, paths.stateDir);
  const postgres = processStatus(
    "postgres",
    join(postgresPaths(paths).dataDir, "postmaster.pid"),
    paths.stateDir,
    record?.postgres ? `${record.postgres.address}:${record.postgres.port}` : undefined,
  );

  return Promise.all([...sshd, haproxy, postgres]);
}

/** Returns what `run` returns, or records its error under `label` and returns `fallback`. */
async function collect<T>(label: string, errors: string[], fallback: T, run: () => Promise<T>) {
  try {
    return await run();
  } catch (error) {
    errors.push(`${label}: ${describeError(error)}`);
    return fallback;
  }
}

/**
 * Reports whether the lab in `stateDir` runs: each sshd, HAProxy and PostgreSQL by pid, the
 * containers of the simulated cluster, and HAProxy's servers from its admin socket.
 */
export async function labStatus(stateDir: string): Promise<LabStatus> {
  const paths = labPaths(resolve(stateDir));
  const record = await readLabRecord(paths.labJson);
  const processes: ProcessStatus[] = await processStatuses(paths, record);
  const haproxyUp = processes.find((entry) => entry.name === "haproxy")?.up === true;

  const errors: string[] = [];
  const containers = record
    ? await collect("containers", errors, [], () => listContainers(paths))
    : [];
  const haproxyServers = haproxyUp
    ? await collect("haproxy servers", errors, [], () => listHaproxyServers(paths.haproxySocket))
    : [];

  return {
    up: record !== undefined && processes.every((entry) => entry.up),
    stateDir: paths.stateDir,
    ...(record ? { net: record.net, configPath: record.configPath } : {}),
    processes,
    containers,
    haproxyServers,
    frontends: record?.haproxy.frontends ?? {},
    errors,
  };
}
