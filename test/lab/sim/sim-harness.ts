/**
 * Test harness for the simulator: builds the bundles once per test file, creates a temporary
 * two-node cluster directory and runs `pct`, `pvesh` and `fault-check` as child processes.
 * Containers in these tests bind 127.0.99.0/24 on port 18080 so they never meet other labs.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSimulator } from "./build.ts";
import { isProcessAlive } from "./files.ts";

/** Port every test container listens on. */
export const TEST_PORT = 18080;

/** Result of one simulator call. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Options of one simulator call. */
export interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
}

/** A temporary cluster directory and helpers to run the simulator against it. */
export interface SimCluster {
  dir: string;
  pct: (node: string, ...args: string[]) => Promise<RunResult>;
  pvesh: (node: string, ...args: string[]) => Promise<RunResult>;
  faultCheck: (host: string, argv: string[], options?: RunOptions) => Promise<RunResult>;
  writeConfig: (node: string, vmid: number, text: string) => Promise<void>;
  readConfig: (node: string, vmid: number) => Promise<string>;
  /** Kills every container app the tests started (by the pids in run/), then deletes the dir. */
  destroy: () => Promise<void>;
}

/** Builds the simulator into a fresh temporary directory and returns that directory. */
export async function buildTestSimulator(): Promise<string> {
  const binDir = await mkdtemp(join(tmpdir(), "psa-sim-bin-"));
  await buildSimulator(binDir);
  return binDir;
}

/** Creates a cluster with nodes pve1 and pve2 and storages `shared` and `local`. */
export async function createSimCluster(binDir: string, cloneDelayMs = 50): Promise<SimCluster> {
  const dir = await mkdtemp(join(tmpdir(), "psa-sim-cluster-"));
  const cluster = {
    nodes: {
      pve1: { cores: 8, memoryBytes: 16 * 1024 ** 3 },
      pve2: { cores: 8, memoryBytes: 16 * 1024 ** 3 },
    },
    storage: {
      shared: { shared: true, linkedClone: true },
      local: { shared: false, linkedClone: true },
    },
    cloneDelayMs,
  };
  await writeFile(join(dir, "cluster.json"), JSON.stringify(cluster));

  const run = (file: string, env: Record<string, string>, args: string[], options?: RunOptions) =>
    runNode(join(binDir, file), args, { ...env, ...options?.env }, options?.stdin);
  const nodeEnv = (node: string) => ({ PSA_SIM_NODE: node, PSA_SIM_CLUSTER: dir });
  const configPath = (node: string, vmid: number) =>
    join(dir, "nodes", node, "lxc", `${vmid}.conf`);

  return {
    dir,
    pct: (node, ...args) => run("pct.mjs", nodeEnv(node), args),
    pvesh: (node, ...args) => run("pvesh.mjs", nodeEnv(node), args),
    faultCheck: (host, argv, options) => run("fault-check.mjs", {}, [dir, host, ...argv], options),
    async writeConfig(node, vmid, text) {
      await mkdir(join(dir, "nodes", node, "lxc"), { recursive: true });
      await writeFile(configPath(node, vmid), text);
    },
    readConfig: (node, vmid) => readFile(configPath(node, vmid), "utf8"),
    async destroy() {
      await killContainerApps(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `node file args...` and collects its output and exit status. */
export function runNode(
  file: string,
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<RunResult> {
  const started = Date.now();
  const cleanEnv = { ...process.env };
  delete cleanEnv.PSA_SIM_NODE;
  delete cleanEnv.PSA_SIM_CLUSTER;

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env: { ...cleanEnv, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code: code ?? -1, stdout, stderr, durationMs: Date.now() - started });
    });
    child.stdin.end(stdin ?? "");
  });
}

async function killContainerApps(dir: string): Promise<void> {
  const runDir = join(dir, "run");
  const files = await readdir(runDir).catch(() => [] as string[]);
  for (const file of files.filter((name) => name.endsWith(".pid"))) {
    const pid = Number((await readFile(join(runDir, file), "utf8")).trim());
    if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
      process.kill(pid, "SIGKILL");
    }
  }
}

/** Returns the config text of a template whose app listens on `address`:18080. */
export function templateConfig(address: string, hostname = "web-template"): string {
  return [
    `#psa-sim-app%3A port=${TEST_PORT} health=/health`,
    "arch: amd64",
    "cores: 2",
    `hostname: ${hostname}`,
    "memory: 1024",
    `net0: name=eth0,bridge=vmbr0,gw=127.0.99.1,hwaddr=BC:24:11:5E:7A:01,ip=${address}/24,type=veth`,
    "ostype: debian",
    "rootfs: shared:base-9000-disk-0,size=2G",
    "swap: 512",
    "tags: web",
    "template: 1",
    "",
  ].join("\n");
}

/** Returns the config text of a plain container with its own volume on `storage`. */
export function containerConfig(vmid: number, address: string, storage = "shared"): string {
  return templateConfig(address, `ct-${vmid}`)
    .replace(
      "rootfs: shared:base-9000-disk-0,size=2G",
      `rootfs: ${storage}:vm-${vmid}-disk-0,size=2G`,
    )
    .replace("template: 1\n", "");
}

/** Fetches `http://address:18080/path` and returns status, body and the X-CT-Id header. */
export async function fetchContainer(address: string, path = "/") {
  const response = await fetch(`http://${address}:${TEST_PORT}${path}`);
  return {
    status: response.status,
    body: await response.text(),
    ctId: response.headers.get("x-ct-id"),
  };
}
