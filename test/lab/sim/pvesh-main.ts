/**
 * `pvesh get <api_path> [OPTIONS]` for the API paths the bot reads, after pve-manager 8.x
 * `PVE::CLI::pvesh`. Other pvesh commands (`ls`, `set`, `create`, `delete`) are not simulated.
 */
import { createHash } from "node:crypto";
import { type CommandSpec, parseCommandArgs, verificationError } from "./cli-args.ts";
import { listGuests, nextFreeVmid, readGuestConfig } from "./cluster-state.ts";
import type { GuestConfig } from "./ct-config.ts";
import { clusterPaths, type SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { readFileIfExists } from "./files.ts";
import { flagParam, snapshotNameParam, vmidParam } from "./pct-common.ts";
import {
  type ApiObject,
  type ApiValue,
  clusterResources,
  nodeGuestStatuses,
  nodeLoad,
} from "./pvesh-data.ts";
import { type OutputOptions, renderResult } from "./pvesh-output.ts";
import { guestStatus } from "./runtime.ts";
import type { PropertySchema } from "./schema.ts";

/** One API path: its own parameters and the code computing its result. */
interface ApiHandler {
  params: PropertySchema;
  get: (env: SimEnv, values: Record<string, string>) => ApiValue;
}

const formatParams: PropertySchema = {
  "output-format": {
    type: "string",
    optional: true,
    enum: ["text", "json", "json-pretty", "yaml"],
  },
  noborder: flagParam,
  noheader: flagParam,
  "human-readable": flagParam,
  quiet: flagParam,
};

const BOOLEAN_FORMAT_OPTIONS = ["noborder", "noheader", "human-readable", "quiet"];

/** Runs `pvesh <args>`. */
export async function runPvesh(env: SimEnv, args: readonly string[]): Promise<void> {
  const [command, ...rest] = args;
  if (command === undefined) {
    throw new PveError("ERROR: no command specified\nUSAGE: pvesh <COMMAND> [ARGS] [OPTIONS]\n");
  }
  if (command !== "get") {
    throw new PveError(`psa-sim: 'pvesh ${command}' is not simulated; only 'pvesh get' is`);
  }

  const path = findApiPath(rest);
  const { handler, pathParams } = resolveHandler(env, path);
  const spec: CommandSpec = {
    prefix: "pvesh get",
    positional: ["api_path"],
    params: { api_path: { type: "string" }, ...handler.params, ...formatParams },
  };
  const { values } = parseCommandArgs(spec, rest);

  const data = callHandler(env, handler, { ...values, ...pathParams }, path);
  if (values.quiet === "1") {
    return;
  }
  const options: OutputOptions = {
    format: (values["output-format"] ?? "text") as OutputOptions["format"],
    noborder: values.noborder === "1",
    noheader: values.noheader === "1",
  };
  process.stdout.write(renderResult(data, options));
}

/**
 * Runs the handler. A path on another node is proxied over SSH by the real pvesh, so its errors
 * come back followed by the failed proxy command (`PVE::CLI::pvesh::proxy_handler`).
 */
function callHandler(
  env: SimEnv,
  handler: ApiHandler,
  values: Record<string, string>,
  path: string,
): ApiValue {
  try {
    return handler.get(env, values);
  } catch (error) {
    if (!(error instanceof PveError) || values.node === undefined || values.node === env.node) {
      throw error;
    }
    // NOTE: Proxmox names the node's IP address where this names the node.
    const command = `ssh -o BatchMode=yes root@${values.node} pvesh --noproxy get ${path} --output-format json`;
    const proxyError = `proxy handler failed: command '${command}' failed: exit code ${error.exitCode}`;
    throw new PveError(`${error.message}${proxyError}`);
  }
}

/** Returns the first argument that is not an option or an option's value. */
function findApiPath(args: readonly string[]): string {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (!arg.startsWith("-")) {
      return arg;
    }
    const name = arg.replace(/^--?/, "");
    if (!name.includes("=") && !BOOLEAN_FORMAT_OPTIONS.includes(name)) {
      index++;
    }
  }
  throw new PveError("400 not enough arguments\npvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]\n");
}

function resolveHandler(
  env: SimEnv,
  rawPath: string,
): { handler: ApiHandler; pathParams: Record<string, string> } {
  const path = `/${rawPath.replace(/^\/+|\/+$/g, "")}`;
  // pvesh prints this itself and exits 1, before its CLI handler (`extract_path_info`).
  const noHandler = new PveError(`No 'get' handler defined for '${rawPath}'`, 1);

  if (path === "/cluster/nextid") {
    return { handler: nextIdHandler, pathParams: {} };
  }
  if (path === "/cluster/resources") {
    return { handler: resourcesHandler, pathParams: {} };
  }
  if (path === "/nodes") {
    return { handler: nodesHandler, pathParams: {} };
  }

  const match = /^\/nodes\/([^/]+)(\/.*)?$/.exec(path);
  if (!match) {
    throw noHandler;
  }
  const node = nodeName(env, match[1]!);
  const rest = match[2] ?? "";
  const guest = /^\/lxc\/(\d+)\/(status\/current|config)$/.exec(rest);
  if (rest === "/status") {
    return { handler: nodeStatusHandler, pathParams: { node } };
  }
  if (rest === "/lxc") {
    return { handler: nodeLxcHandler, pathParams: { node } };
  }
  if (guest) {
    const handler = guest[2] === "config" ? guestConfigHandler : guestStatusHandler;
    return { handler, pathParams: { node, vmid: guest[1]! } };
  }
  throw noHandler;
}

/** Resolves "localhost" and rejects nodes outside the cluster, as pvesh's proxying does. */
function nodeName(env: SimEnv, requestedNode: string): string {
  const node = requestedNode === "localhost" ? env.node : requestedNode;
  if (!env.cluster.nodes[node]) {
    // NOTE: approximates the DNS failure a real node reports when it cannot proxy to `node`.
    const reason = `failed to get address info for: ${node}: Name or service not known`;
    throw new PveError(`hostname lookup '${node}' failed - ${reason}`);
  }
  return node;
}

/**
 * `/cluster/nextid`: the lowest free VMID, returned as a JSON string ("105") like the real API,
 * whose Perl scalar ends up string-typed. `--vmid N` asserts that N is free instead.
 */
const nextIdHandler: ApiHandler = {
  params: { vmid: { ...vmidParam, optional: true } },
  get(env, values) {
    if (values.vmid === undefined) {
      return String(nextFreeVmid(env.clusterDir));
    }
    const used = listGuests(env.clusterDir).some((guest) => guest.vmid === Number(values.vmid));
    if (used) {
      const spec = { prefix: "pvesh get", positional: ["api_path"], params: formatParams };
      throw verificationError(spec, { vmid: `VM ${values.vmid} already exists` });
    }
    return values.vmid;
  },
};

const resourcesHandler: ApiHandler = {
  params: { type: { type: "string", optional: true, enum: ["vm", "storage", "node", "sdn"] } },
  get: (env, values) => clusterResources(env, values.type),
};

const nodesHandler: ApiHandler = {
  params: {},
  get: (env) =>
    Object.keys(env.cluster.nodes)
      .sort()
      .map((node) => ({ node, status: "online", level: "", ...nodeLoad(env, node) })),
};

/** `/nodes/<node>/status`: the fields of pve-manager's node status the lab can fill. */
const nodeStatusHandler: ApiHandler = {
  params: {},
  get(env, { node }) {
    const load = nodeLoad(env, node!);
    const total = load.maxmem;
    return {
      cpu: load.cpu,
      cpuinfo: { cpus: load.maxcpu, cores: load.maxcpu, sockets: 1, model: "psa-sim vCPU" },
      memory: { total, used: load.mem, free: total - load.mem },
      ksm: { shared: 0 },
      swap: { total: 0, used: 0, free: 0 },
      rootfs: { total: load.maxdisk, used: load.disk, free: load.maxdisk - load.disk },
      uptime: load.uptime,
      loadavg: ["0.00", "0.00", "0.00"],
      idle: 0,
      wait: 0,
      kversion: "Linux 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (psa-sim)",
      pveversion: "pve-manager/8.2.7/3e0176e6bb2ade3b",
    };
  },
};

const nodeLxcHandler: ApiHandler = {
  params: {},
  get: (env, { node }) => nodeGuestStatuses(env, node!) as unknown as ApiObject[],
};

function loadNodeGuest(env: SimEnv, node: string, vmid: number): GuestConfig {
  const config = readGuestConfig(env.clusterDir, node, vmid);
  if (!config) {
    const path = clusterPaths.relativeConfig(node, vmid);
    throw new PveError(`Configuration file '${path}' does not exist`);
  }
  return config;
}

const guestStatusHandler: ApiHandler = {
  params: {},
  get(env, { node, vmid }) {
    const config = loadNodeGuest(env, node!, Number(vmid));
    const status = guestStatus(env.clusterDir, env.cluster, node!, Number(vmid), config);
    return { ...(status as unknown as ApiObject), ha: { managed: 0 } };
  },
};

/** Config keys whose values stay strings in the API even when they consist of digits. */
const TEXT_KEYS = ["description", "hostname", "tags", "parent"];

const guestConfigHandler: ApiHandler = {
  params: { current: flagParam, snapshot: { ...snapshotNameParam, optional: true } },
  get(env, { node, vmid, snapshot }) {
    const config = loadNodeGuest(env, node!, Number(vmid));
    const section = snapshot === undefined ? config.current : config.snapshots[snapshot];
    if (!section) {
      throw new PveError(`snapshot '${snapshot}' does not exist`);
    }

    const result: ApiObject = {};
    for (const [key, value] of Object.entries(section)) {
      result[key] = /^\d+$/.test(value) && !TEXT_KEYS.includes(key) ? Number(value) : value;
    }
    const raw = readFileIfExists(clusterPaths.config(env.clusterDir, node!, Number(vmid))) ?? "";
    result.digest = createHash("sha1").update(raw).digest("hex");
    return result;
  },
};
