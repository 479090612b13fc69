import { chmod, readFile, writeFile } from "node:fs/promises";
import type { HostName, ServiceName } from "./layout.ts";
import type { PostgresInfo } from "./postgres.ts";
import type { SshdInfo } from "./sshd.ts";

/** One container the lab started, as recorded in lab.json. */
export interface ContainerRecord {
  vmid: number;
  node: string;
  name: string;
  address: string;
  port: number;
  pid?: number;
}

/** The contents of `STATE/lab.json`: everything a running lab consists of. */
export interface LabRecord {
  net: number;
  stateDir: string;
  configPath: string;
  policyPath: string;
  clusterDir: string;
  clientKey: string;
  hosts: Record<HostName, SshdInfo>;
  haproxy: {
    pid: number;
    pidFile: string;
    socket: string;
    config: string;
    reloadCommand: string;
    frontends: Record<ServiceName, string>;
    stats: string;
  };
  containers: ContainerRecord[];
  postgres: PostgresInfo;
  startedAt: string;
}

/** Reads lab.json, or returns undefined when it is missing or not valid JSON. */
export async function readLabRecord(path: string): Promise<LabRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as LabRecord;
  } catch {
    return undefined;
  }
}

/** Writes lab.json with mode 600, because it contains the database password. */
export async function writeLabRecord(path: string, record: LabRecord): Promise<void> {
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  // The mode option applies only when the file is created.
  await chmod(path, 0o600);
}
