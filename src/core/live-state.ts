import type { Inventory, ServiceConfig } from "../config/schema.ts";
import { parseContainerConfigLines } from "../ops/config-scan.ts";
import { balanceAlgorithm, listServers } from "../ops/haproxy-config.ts";
import {
  parseServersState,
  parseShowStat,
  showServersState,
  showStat,
  socketArgv,
} from "../ops/haproxy-runtime.ts";
import { clusterResourcesArgv, parseClusterResources } from "../ops/pvesh.ts";
import { PsaError } from "./errors.ts";
import type { CommandResult, CommandRunner } from "./ports.ts";

/** A container as the cluster reports it, with the fields of its config the bot needs. */
export interface ContainerInfo {
  vmid: number;
  node: string;
  status: string;
  template: boolean;
  maxmem: number;
  tags: string[];
  hostname?: string;
  ip?: string;
  lock?: string;
}

/** A Proxmox node's memory, in bytes. */
export interface NodeInfo {
  name: string;
  status: string;
  mem: number;
  maxmem: number;
}

/** A server of the backend as HAProxy reports it at run time. */
export interface RuntimeServer {
  name: string;
  address: string;
  port: number;
  /** HAProxy's status column of `show stat`: UP, DOWN, MAINT, DRAIN, "no check"... */
  status: string;
  sessions: number;
}

/** Everything a plan for one service is built from, read in one pass. */
export interface LiveState {
  containers: ContainerInfo[];
  nodes: NodeInfo[];
  config: { text: string; servers: Array<{ name: string; address: string; port: number }> };
  balance: string | undefined;
  runtime: RuntimeServer[];
}

/** Reads the cluster, `haproxy.cfg` and HAProxy's run-time state for one service. */
export async function readLiveState(
  runner: CommandRunner,
  inventory: Inventory,
  serviceName: string,
): Promise<LiveState> {
  const service = inventory.services[serviceName];
  if (!service) throw new PsaError("internal", `service ${serviceName} is not in the inventory`);

  const [cluster, configs, haproxy] = await Promise.all([
    readResources(runner, inventory),
    readContainerConfigs(runner, inventory),
    readHaproxy(runner, inventory, service),
  ]);
  const containers = cluster.guests
    .filter((guest) => guest.type === "lxc")
    .map((guest) => ({
      vmid: guest.vmid,
      node: guest.node,
      status: guest.status,
      template: guest.template,
      maxmem: guest.maxmem,
      tags: guest.tags,
      lock: guest.lock,
      hostname: configs.get(guest.vmid)?.hostname ?? guest.name,
      ip: configs.get(guest.vmid)?.ip,
    }));
  const nodes = cluster.nodes.map((node) => ({
    name: node.node,
    status: node.status,
    mem: node.mem,
    maxmem: node.maxmem,
  }));
  return { containers, nodes, ...haproxy };
}

async function readResources(runner: CommandRunner, inventory: Inventory) {
  const result = await onAnyNode(runner, inventory, clusterResourcesArgv());
  const parsed = parseClusterResources(result.stdout);
  if (!parsed.ok) throw unreadable(`cluster resources from ${result.host}`, parsed.error);
  return parsed;
}

async function readContainerConfigs(runner: CommandRunner, inventory: Inventory) {
  // One command reads every container config of every node: the cluster file system shows all
  // nodes' configs on each node, and one `pct config` per container would cost a session each.
  const argv = [
    "find",
    `${inventory.proxmox.configDir}/nodes`,
    "-path",
    "*/lxc/*.conf",
    "-exec",
    "grep",
    "-H",
    "-E",
    "^(hostname|net0): ",
    "{}",
    "+",
  ];
  // grep exits 1 when no file has a match, which is no error; find reports a missing directory
  // on stderr, which is one.
  const result = await onAnyNode(runner, inventory, argv, [0, 1]);
  if (result.exitCode === 1 && result.stderr.trim() !== "") {
    throw unreadable(
      `container configs under ${inventory.proxmox.configDir}/nodes on ${result.host}`,
      result.stderr.trim(),
    );
  }
  return parseContainerConfigLines(result.stdout);
}

async function readHaproxy(runner: CommandRunner, inventory: Inventory, service: ServiceConfig) {
  const { host, socket, backend, config } = service.haproxy;
  const timeoutMs = inventory.settings.stepTimeoutSeconds * 1000;
  const [file, state, stat] = await Promise.all([
    runner.run(host, ["cat", config], { timeoutMs }),
    runner.run(host, socketArgv(socket), { stdin: `${showServersState(backend)}\n`, timeoutMs }),
    // Server rows only: every proxy (-1), type 4 (servers), every server (-1).
    runner.run(host, socketArgv(socket), { stdin: `${showStat()} -1 4 -1\n`, timeoutMs }),
  ]);
  for (const result of [file, state, stat]) assertPassed(result);

  const servers = listServers(file.stdout, backend);
  if (!servers.ok) throw unreadable(`backend ${backend} in ${config}`, servers.error);
  const balance = balanceAlgorithm(file.stdout, backend);
  if (!balance.ok) throw unreadable(`balance of backend ${backend}`, balance.error);
  return {
    config: { text: file.stdout, servers: servers.servers },
    balance: balance.algorithm,
    runtime: runtimeServers(backend, state.stdout, stat.stdout),
  };
}

function runtimeServers(backend: string, stateText: string, statText: string): RuntimeServer[] {
  const state = parseServersState(stateText);
  const stat = parseShowStat(statText);
  if (!state.ok) throw unreadable(`HAProxy servers state of ${backend}`, state.error);
  if (!stat.ok) throw unreadable("HAProxy statistics", stat.error);

  return state.rows
    .filter((row) => row.be_name === backend)
    .map((row) => {
      const counters = stat.rows.find(
        (line) => line.pxname === backend && line.svname === row.srv_name,
      );
      return {
        name: row.srv_name,
        address: row.srv_addr,
        port: Number(row.srv_port),
        status: counters?.status ?? "unknown",
        sessions: counters?.scur ?? 0,
      };
    });
}

async function onAnyNode(
  runner: CommandRunner,
  inventory: Inventory,
  argv: string[],
  okCodes = [0],
): Promise<CommandResult> {
  const timeoutMs = inventory.settings.stepTimeoutSeconds * 1000;
  let last: CommandResult | undefined;
  // Any node serves cluster-wide reads; the next one is tried when a node is down.
  for (const { host } of Object.values(inventory.proxmox.nodes)) {
    last = await runner.run(host, argv, { timeoutMs });
    if (last.exitCode !== null && okCodes.includes(last.exitCode)) return last;
  }
  throw unreadable(`"${argv.join(" ")}" on every Proxmox node`, last?.stderr.trim() ?? "no node");
}

function assertPassed(result: CommandResult): void {
  if (result.exitCode === 0) return;
  throw unreadable(
    `"${result.commandLine}" on ${result.host}`,
    result.stderr.trim() || `exit ${result.exitCode}`,
  );
}

function unreadable(what: string, detail: string): PsaError {
  return new PsaError("live_state_unreadable", `cannot read ${what}: ${detail}`);
}
