/**
 * The simulator's environment: which node a process runs as, the shared cluster directory (the
 * pmxcfs stand-in) and the cluster description in its `cluster.json`.
 */
import { join } from "node:path";
import * as z from "zod/mini";
import { SetupError } from "./errors.ts";
import { readFileIfExists } from "./files.ts";

const nodeConfigSchema = z.strictObject({
  cores: z.int().check(z.minimum(1)),
  memoryBytes: z.int().check(z.minimum(1)),
});

const storageConfigSchema = z.strictObject({
  shared: z.boolean(),
  linkedClone: z.boolean(),
});

/** The content of `cluster.json`, written by the lab or by a test. */
export const clusterConfigSchema = z.strictObject({
  nodes: z.record(
    z.string().check(z.regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/)),
    nodeConfigSchema,
  ),
  storage: z.record(z.string(), storageConfigSchema),
  /** Duration of the volume copy phase of `pct clone`, in milliseconds. */
  cloneDelayMs: z._default(z.int().check(z.minimum(0)), 300),
  /** Resource pools that `--pool` may name; when absent, every pool name is accepted. */
  pools: z.optional(z.array(z.string())),
});

/** A parsed `cluster.json`. */
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;

/** The node a simulator process runs as and the cluster it belongs to. */
export interface SimEnv {
  node: string;
  clusterDir: string;
  cluster: ClusterConfig;
}

/**
 * Reads PSA_SIM_NODE and PSA_SIM_CLUSTER and loads `cluster.json`.
 * Throws SetupError (exit status 2) when a variable is missing or the cluster file is invalid.
 */
export function readSimEnv(environment: NodeJS.ProcessEnv = process.env): SimEnv {
  const node = environment.PSA_SIM_NODE;
  const clusterDir = environment.PSA_SIM_CLUSTER;
  if (!node) {
    throw new SetupError("psa-sim: PSA_SIM_NODE is not set; set it to the node name, e.g. pve1");
  }
  if (!clusterDir) {
    throw new SetupError("psa-sim: PSA_SIM_CLUSTER is not set; set it to the cluster directory");
  }

  const cluster = loadClusterConfig(clusterDir);
  if (!cluster.nodes[node]) {
    const known = Object.keys(cluster.nodes).join(", ");
    throw new SetupError(`psa-sim: node '${node}' is not in ${clusterDir}/cluster.json (${known})`);
  }
  return { node, clusterDir, cluster };
}

/** Loads and validates `<clusterDir>/cluster.json`. */
export function loadClusterConfig(clusterDir: string): ClusterConfig {
  const path = join(clusterDir, "cluster.json");
  const raw = readFileIfExists(path);
  if (raw === undefined) {
    throw new SetupError(`psa-sim: ${path} not found; the lab or test must write it first`);
  }

  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new SetupError(`psa-sim: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = clusterConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new SetupError(`psa-sim: ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Paths inside the cluster directory. */
export const clusterPaths = {
  /** Relative config path as Proxmox prints it in errors ("nodes/pve1/lxc/105.conf"). */
  relativeConfig: (node: string, vmid: number) => `nodes/${node}/lxc/${vmid}.conf`,
  config: (clusterDir: string, node: string, vmid: number) =>
    join(clusterDir, "nodes", node, "lxc", `${vmid}.conf`),
  nodesDir: (clusterDir: string) => join(clusterDir, "nodes"),
  runDir: (clusterDir: string) => join(clusterDir, "run"),
  pidFile: (clusterDir: string, vmid: number) => join(clusterDir, "run", `${vmid}.pid`),
  statsFile: (clusterDir: string, vmid: number) => join(clusterDir, "run", `${vmid}.stats`),
  readyFile: (clusterDir: string, vmid: number) => join(clusterDir, "run", `${vmid}.ready`),
  logFile: (clusterDir: string, vmid: number) => join(clusterDir, "run", `${vmid}.log`),
  faultsDir: (clusterDir: string) => join(clusterDir, "faults"),
  lockDir: (clusterDir: string) => join(clusterDir, "lock"),
  poolsFile: (clusterDir: string) => join(clusterDir, "pools.json"),
  taskLog: (clusterDir: string) => join(clusterDir, "tasks", "commands.log"),
};
