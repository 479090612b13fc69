import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  APP_PORT,
  type LabPaths,
  NODE_NAMES,
  type NodeName,
  type ReplicaSpec,
  SERVICES,
  type ServiceSpec,
  serviceAddress,
} from "./layout.ts";
import { type CommandResult, readPidFile, runCommand } from "./process.ts";

const GIB = 1024 ** 3;

/** One container as the lab status shows it. */
export interface ContainerStatus {
  vmid: number;
  node: string;
  name: string;
  status: string;
  ip?: string;
  template: boolean;
}

/** Runs the bundled simulator's `pct` locally as if on `node`. */
export function runPct(paths: LabPaths, node: NodeName, args: string[]): Promise<CommandResult> {
  return runSimulator(paths, node, "pct", args);
}

function runSimulator(
  paths: LabPaths,
  node: NodeName,
  program: "pct" | "pvesh",
  args: string[],
): Promise<CommandResult> {
  const env = { ...process.env, PSA_SIM_NODE: node, PSA_SIM_CLUSTER: paths.clusterDir };
  return runCommand(process.execPath, [join(paths.simDir, `${program}.mjs`), ...args], { env });
}

/** Writes cluster.json: two nodes of 8 cores and 16 GiB, and shared storage for linked clones. */
export async function writeClusterJson(paths: LabPaths): Promise<void> {
  const nodes = Object.fromEntries(
    NODE_NAMES.map((node) => [node, { cores: 8, memoryBytes: 16 * GIB }]),
  );
  const cluster = {
    nodes,
    storage: { shared: { shared: true, linkedClone: true } },
    cloneDelayMs: 300,
  };

  await mkdir(paths.clusterDir, { recursive: true });
  await writeFile(join(paths.clusterDir, "cluster.json"), `${JSON.stringify(cluster, null, 2)}\n`);
}

/** Returns a MAC address under BC:24:11, the prefix Proxmox VE 8.1 and later assign. */
export function randomMac(): string {
  const tail = [...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, "0").toUpperCase());
  return ["BC", "24", "11", ...tail].join(":");
}

/** Builds the `net0` value of a container in a service's subnet. */
export function net0Value(net: number, service: ServiceSpec, octet: number, mac?: string): string {
  const fields = [
    "name=eth0",
    "bridge=vmbr0",
    `gw=${serviceAddress(net, service, 1)}`,
    ...(mac ? [`hwaddr=${mac}`] : []),
    `ip=${serviceAddress(net, service, octet)}/24`,
    "type=veth",
  ];
  return fields.join(",");
}

function templateConfig(net: number, service: ServiceSpec): string {
  return [
    "arch: amd64",
    "cores: 1",
    `hostname: ${service.name}-template`,
    "memory: 512",
    `net0: ${net0Value(net, service, 9, randomMac())}`,
    "ostype: debian",
    `rootfs: shared:vm-${service.template}-disk-0,size=2G`,
    "swap: 512",
    `tags: ${service.name}`,
    "unprivileged: 1",
    "",
  ].join("\n");
}

/**
 * Creates a service's template on pve1: writes a plain container config, sets the description
 * line that declares the container's app with `pct set`, then converts it with `pct template`.
 */
export async function createTemplate(paths: LabPaths, net: number, service: ServiceSpec) {
  const lxcDir = join(paths.clusterDir, "nodes", "pve1", "lxc");
  await mkdir(lxcDir, { recursive: true });
  await writeFile(join(lxcDir, `${service.template}.conf`), templateConfig(net, service));

  const description = `psa-sim-app: port=${APP_PORT} health=/health`;
  await runPct(paths, "pve1", ["set", String(service.template), "--description", description]);
  await runPct(paths, "pve1", ["template", String(service.template)]);
}

async function cloneReplica(paths: LabPaths, service: ServiceSpec, replica: ReplicaSpec) {
  const args = ["clone", String(service.template), String(replica.vmid)];
  args.push("--hostname", replica.hostname);
  if (replica.node !== "pve1") {
    args.push("--target", replica.node);
  }
  await runPct(paths, "pve1", args);
}

async function configureAndStart(
  paths: LabPaths,
  net: number,
  service: ServiceSpec,
  replica: ReplicaSpec,
): Promise<void> {
  const vmid = String(replica.vmid);
  const net0 = net0Value(net, service, replica.hostOctet);

  await runPct(paths, replica.node, ["set", vmid, "--net0", net0, "--tags", service.name]);
  await runPct(paths, replica.node, ["start", vmid]);
}

/**
 * Creates a service's template and running replicas with the simulator, as an operator would:
 * linked clones from pve1's template, a new address, then `pct start`. Clones of one template
 * run one after another because the clone locks its source.
 */
export async function createService(paths: LabPaths, net: number, service: ServiceSpec) {
  await createTemplate(paths, net, service);

  for (const replica of service.replicas) {
    await cloneReplica(paths, service, replica);
  }
  await Promise.all(
    service.replicas.map((replica) => configureAndStart(paths, net, service, replica)),
  );
}

/** Creates every lab service's template and replicas, the services in parallel. */
export async function createContainers(paths: LabPaths, net: number): Promise<void> {
  await writeClusterJson(paths);
  await Promise.all(SERVICES.map((service) => createService(paths, net, service)));
}

/** Returns the pids of running container apps from the simulator's run directory. */
export async function containerPids(paths: LabPaths): Promise<Map<number, number>> {
  const runDir = join(paths.clusterDir, "run");
  const pids = new Map<number, number>();
  let names: string[] = [];

  try {
    names = await readdir(runDir);
  } catch {
    return pids;
  }
  for (const name of names.filter((entry) => /^\d+\.pid$/.test(entry))) {
    const pid = await readPidFile(join(runDir, name));
    if (pid !== undefined) {
      pids.set(Number.parseInt(name, 10), pid);
    }
  }
  return pids;
}

/** Returns the `ip=` address of a container's net0 from its config file, without the prefix. */
export async function containerAddress(paths: LabPaths, node: string, vmid: number) {
  const file = join(paths.clusterDir, "nodes", node, "lxc", `${vmid}.conf`);
  let text: string;

  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  // Stop at the first snapshot section: the current config comes before it.
  const current = text.split(/^\[/m)[0] ?? "";
  return /^net0:.*\bip=([0-9.]+)/m.exec(current)?.[1];
}

interface ResourceRow {
  type?: string;
  vmid?: number;
  node?: string;
  name?: string;
  status?: string;
  template?: number;
}

/** Lists every container of the simulated cluster with `pvesh get /cluster/resources`. */
export async function listContainers(paths: LabPaths): Promise<ContainerStatus[]> {
  const args = ["get", "/cluster/resources", "--type", "vm", "--output-format", "json"];
  const { stdout } = await runSimulator(paths, "pve1", "pvesh", args);
  const rows = (JSON.parse(stdout) as ResourceRow[]).filter((row) => row.type === "lxc");
  const containers: ContainerStatus[] = [];

  for (const row of rows) {
    const vmid = row.vmid ?? 0;
    const node = row.node ?? "";
    const ip = await containerAddress(paths, node, vmid);
    containers.push({
      vmid,
      node,
      name: row.name ?? "",
      status: row.status ?? "unknown",
      template: row.template === 1,
      ...(ip ? { ip } : {}),
    });
  }
  return containers.sort((a, b) => a.vmid - b.vmid);
}

/** Returns the `address:port` each starting replica's app listens on. */
export function replicaEndpoints(net: number): { address: string; port: number }[] {
  return SERVICES.flatMap((service) =>
    service.replicas.map((replica) => ({
      address: serviceAddress(net, service, replica.hostOctet),
      port: APP_PORT,
    })),
  );
}
