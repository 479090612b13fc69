import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { containerPids, createContainers, replicaEndpoints } from "./containers.ts";
import { startHaproxy } from "./haproxy.ts";
import { writeInventory } from "./inventory.ts";
import {
  APP_PORT,
  frontendAddress,
  HOST_NAMES,
  type HostName,
  hostAddress,
  type LabPaths,
  labPaths,
  NODE_NAMES,
  SERVICES,
  type ServiceName,
  SSH_PORT,
  STATS_PORT,
  serviceAddress,
  validateNet,
} from "./layout.ts";
import {
  POSTGRES_PORT,
  type PostgresInfo,
  postgresAddress,
  postgresPaths,
  startPostgres,
} from "./postgres.ts";
import { assertPortsFree, isLabProcess } from "./process.ts";
import { type LabRecord, readLabRecord, writeLabRecord } from "./record.ts";
import {
  LB_SHIMMED,
  NODE_SHIMMED,
  writeReloadScript,
  writeShims,
  writeSimulatorCommands,
} from "./shims.ts";
import { buildSimulator } from "./sim/build.ts";
import { clearFaults, type Fault, injectFault } from "./sim/faults.ts";
import { createClientKey, type SshdInfo, startSshd, writeKnownHosts } from "./sshd.ts";
import { stopLabProcesses } from "./stop.ts";

export { ensurePackages } from "./packages.ts";
export { type LabStatus, labStatus } from "./status.ts";

/** Where and as which instance to run a lab. */
export interface LabOptions {
  stateDir: string;
  /** Instance number, the second octet of every lab address (127.N.x.y). */
  net: number;
  log?: (line: string) => void;
}

/** A running lab: where its hosts listen, its files, and fault injection into its commands. */
export interface Lab {
  stateDir: string;
  net: number;
  configPath: string;
  clusterDir: string;
  hosts: Record<HostName, { address: string; port: number; fingerprint: string }>;
  haproxy: { socket: string; config: string; frontends: Record<ServiceName, string> };
  /** `postgres://psa:PASSWORD@127.N.30.10:5432/psa`, also in `STATE/database-url`. */
  databaseUrl: string;
  /** Makes matching commands on lab hosts fail, and returns the fault's file name. */
  injectFault(fault: Fault): Promise<string>;
  clearFaults(): Promise<void>;
}

function toLab(record: LabRecord): Lab {
  const hosts = Object.fromEntries(
    HOST_NAMES.map((name) => {
      const { address, port, fingerprint } = record.hosts[name];
      return [name, { address, port, fingerprint }];
    }),
  ) as Lab["hosts"];
  const { socket, config, frontends } = record.haproxy;

  return {
    stateDir: record.stateDir,
    net: record.net,
    configPath: record.configPath,
    clusterDir: record.clusterDir,
    hosts,
    haproxy: { socket, config, frontends },
    databaseUrl: record.postgres.url,
    injectFault: (fault) => injectFault(record.clusterDir, fault),
    clearFaults: () => clearFaults(record.clusterDir),
  };
}

/** Returns whether every daemon in the record (each sshd, HAProxy, PostgreSQL) is running. */
export async function isRecordRunning(record: LabRecord): Promise<boolean> {
  const pids = [
    ...HOST_NAMES.map((name) => record.hosts[name].pid),
    record.haproxy.pid,
    // A lab.json written without PostgreSQL counts as not running, so the lab is rebuilt.
    record.postgres?.pid,
  ];
  const alive = await Promise.all(pids.map((pid) => isLabProcess(pid, record.stateDir)));
  return alive.every(Boolean);
}

/** Removes what a previous start generated, keeping anything else in the state directory. */
async function removeGenerated(paths: LabPaths): Promise<void> {
  const generated = [
    paths.keysDir,
    join(paths.stateDir, "hosts"),
    paths.simDir,
    paths.clusterDir,
    paths.configPath,
    paths.policyPath,
    paths.labJson,
    postgresPaths(paths).root,
    postgresPaths(paths).urlFile,
  ];
  await Promise.all(generated.map((path) => rm(path, { recursive: true, force: true })));
}

function labEndpoints(net: number): { address: string; port: number }[] {
  const lb = hostAddress(net, "lb1");
  const frontends = SERVICES.map((service) => ({ address: lb, port: service.frontendPort }));

  return [
    ...HOST_NAMES.map((host) => ({ address: hostAddress(net, host), port: SSH_PORT })),
    ...frontends,
    { address: lb, port: STATS_PORT },
    { address: postgresAddress(net), port: POSTGRES_PORT },
    ...replicaEndpoints(net),
  ];
}

/** Writes each host's bin directory: simulator commands, fault shims and lb1's reload script. */
async function prepareHosts(paths: LabPaths): Promise<string> {
  for (const node of NODE_NAMES) {
    await writeShims(paths, node, NODE_SHIMMED);
    await writeSimulatorCommands(paths, node);
  }
  await writeShims(paths, "lb1", LB_SHIMMED);
  return writeReloadScript(paths);
}

async function startHosts(paths: LabPaths, net: number): Promise<Record<HostName, SshdInfo>> {
  const sessionPath = (host: HostName) => `${paths.hostBin(host)}:/usr/sbin:/usr/bin:/sbin:/bin`;
  const environment = (host: HostName): Record<string, string> => ({
    PATH: sessionPath(host),
    ...(host === "lb1" ? {} : { PSA_SIM_NODE: host }),
    PSA_SIM_CLUSTER: paths.clusterDir,
  });

  const started = await Promise.all(
    HOST_NAMES.map((host) => startSshd(paths, host, hostAddress(net, host), environment(host))),
  );
  return Object.fromEntries(HOST_NAMES.map((host, index) => [host, started[index]])) as Record<
    HostName,
    SshdInfo
  >;
}

async function buildLab(paths: LabPaths, net: number, log: (line: string) => void) {
  await mkdir(paths.stateDir, { recursive: true });
  await Promise.all([createClientKey(paths), buildSimulator(paths.simDir)]);
  const reloadCommand = await prepareHosts(paths);

  log("creating templates and containers");
  await createContainers(paths, net);
  log("starting sshd on pve1, pve2 and lb1, then HAProxy");
  const hosts = await startHosts(paths, net);
  await writeKnownHosts(paths, hosts);
  const haproxyPid = await startHaproxy(paths, net);
  const postgres = await startPostgres(paths, net, log);

  await writeInventory(paths, net, hosts, reloadCommand);
  const record = await labRecord(paths, net, { hosts, haproxyPid, postgres }, reloadCommand);
  await writeLabRecord(paths.labJson, record);
  return record;
}

/** The daemons a lab start launched. */
interface Daemons {
  hosts: Record<HostName, SshdInfo>;
  haproxyPid: number;
  postgres: PostgresInfo;
}

async function labRecord(
  paths: LabPaths,
  net: number,
  { hosts, haproxyPid, postgres }: Daemons,
  reloadCommand: string,
): Promise<LabRecord> {
  const pids = await containerPids(paths);
  const containers = SERVICES.flatMap((service) =>
    service.replicas.map((replica) => ({
      vmid: replica.vmid,
      node: replica.node,
      name: replica.hostname,
      address: serviceAddress(net, service, replica.hostOctet),
      port: APP_PORT,
      pid: pids.get(replica.vmid),
    })),
  );
  const frontends = Object.fromEntries(
    SERVICES.map((service) => [service.name, frontendAddress(net, service)]),
  ) as Record<ServiceName, string>;

  return {
    net,
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    policyPath: paths.policyPath,
    clusterDir: paths.clusterDir,
    clientKey: paths.clientKey,
    hosts,
    haproxy: {
      pid: haproxyPid,
      pidFile: paths.haproxyPidFile,
      socket: paths.haproxySocket,
      config: paths.haproxyConfig,
      reloadCommand,
      frontends,
      stats: `${hostAddress(net, "lb1")}:${STATS_PORT}`,
    },
    containers,
    postgres,
    startedAt: new Date().toISOString(),
  };
}

/**
 * Starts the lab in `stateDir`, or returns the one already running there. A lab that is partly
 * running is stopped first. A new lab is built from scratch: keys, simulator, cluster state,
 * containers, sshd per host, HAProxy, PostgreSQL, psa.yml and the policy file. Rejects when
 * another lab instance runs there, or when one of the lab's addresses is taken.
 */
export async function startLab(options: LabOptions): Promise<Lab> {
  const log = options.log ?? (() => {});
  const paths = labPaths(resolve(options.stateDir));
  validateNet(options.net);

  const existing = await readLabRecord(paths.labJson);
  if (existing && (await isRecordRunning(existing))) {
    if (existing.net !== options.net) {
      throw new Error(
        `the lab in ${paths.stateDir} runs with net ${existing.net}, not ${options.net}: stop it first`,
      );
    }
    log(`lab already running in ${paths.stateDir}`);
    return toLab(existing);
  }

  await stopLabProcesses(paths);
  await assertPortsFree(labEndpoints(options.net));
  await removeGenerated(paths);
  try {
    return toLab(await buildLab(paths, options.net, log));
  } catch (error) {
    await stopLabProcesses(paths);
    throw error;
  }
}

/**
 * Stops the lab in `stateDir`: container apps, PostgreSQL, HAProxy and every sshd, by pid.
 * Removes only the pid files, so lab.json, configs, logs and PostgreSQL's data stay for
 * inspection.
 */
export async function stopLab(stateDir: string): Promise<void> {
  await stopLabProcesses(labPaths(resolve(stateDir)));
}
