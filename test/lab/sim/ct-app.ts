/**
 * The process inside a simulated running container: `node ct-app.mjs <clusterDir> <node> <vmid>`.
 *
 * It serves HTTP on net0's address and the port from the description's `psa-sim-app:` line:
 * `GET <health>` returns 200 `ok <vmid>`, every other request 200 `ct <vmid>\n` with header
 * `X-CT-Id: <vmid>`. It counts requests into `run/<vmid>.stats` about once a second, reports
 * readiness in `run/<vmid>.ready`, re-reads its config on SIGHUP (network hot-plug) and exits on
 * SIGTERM. A container without a `psa-sim-app:` line runs without a listener.
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { containerAddress, parseAppSpec } from "./app-spec.ts";
import { readGuestConfig } from "./cluster-state.ts";
import { clusterPaths } from "./env.ts";
import { readFileIfExists, writeFileAtomic } from "./files.ts";
import type { AppStats } from "./runtime.ts";

const STATS_INTERVAL_MS = 1_000;
const KEPT_SAMPLES = 5;

const [clusterDir, node, vmidText] = process.argv.slice(2);
if (!clusterDir || !node || !vmidText) {
  process.stderr.write("usage: node ct-app.mjs <clusterDir> <node> <vmid>\n");
  process.exit(2);
}
const vmid = Number(vmidText);

let requests = 0;
let server: Server | undefined;
const stats: AppStats = { pid: process.pid, startedAt: Date.now(), samples: [] };

/** Reads the listen address and port from the config; exits with a message when unusable. */
function readListenTarget(): { address: string; port: number; healthPath: string } | null {
  const config = readGuestConfig(clusterDir!, node!, vmid);
  if (!config) {
    fail(`config of CT ${vmid} not found on node ${node}`);
  }

  const spec = parseAppSpec(config.current.description);
  if (!spec) {
    return null;
  }
  const address = containerAddress(config.current);
  if (!address) {
    fail(`CT ${vmid} has no static IPv4 address in net0, so port ${spec.port} cannot be bound`);
  }
  return { address, port: spec.port, healthPath: spec.healthPath };
}

function fail(message: string): never {
  process.stderr.write(`psa-sim ct-app: ${message}\n`);
  process.exit(1);
}

function listen(target: { address: string; port: number; healthPath: string } | null): void {
  if (!target) {
    reportReady(null, null);
    return;
  }

  const next = createServer((request, response) => {
    requests++;
    const path = (request.url ?? "/").split("?")[0];
    if (path === target.healthPath) {
      response.writeHead(200, { "Content-Type": "text/plain" }).end(`ok ${vmid}`);
      return;
    }
    response.writeHead(200, { "Content-Type": "text/plain", "X-CT-Id": String(vmid) });
    response.end(`ct ${vmid}\n`);
  });
  next.once("error", (error) => fail(`${error.message}`));
  next.listen(target.port, target.address, () => {
    server = next;
    reportReady(target.address, target.port);
  });
}

function reportReady(address: string | null, port: number | null): void {
  const report = JSON.stringify({ pid: process.pid, address, port });
  writeFileAtomic(clusterPaths.readyFile(clusterDir!, vmid), `${report}\n`);
}

/**
 * Exits when the simulator no longer considers this process the container: the cluster
 * directory was deleted, or `run/<vmid>.pid` names another process or none. This keeps a removed
 * lab from leaving apps behind that hold their addresses.
 */
function exitIfOrphaned(): void {
  const pidFile = readFileIfExists(clusterPaths.pidFile(clusterDir!, vmid));
  if (!existsSync(join(clusterDir!, "cluster.json")) || pidFile?.trim() !== String(process.pid)) {
    process.stderr.write(`psa-sim ct-app: CT ${vmid} is no longer registered, exiting\n`);
    shutdown();
  }
}

function writeStats(): void {
  stats.samples.push({ time: Date.now(), requests });
  stats.samples = stats.samples.slice(-KEPT_SAMPLES);
  writeFileAtomic(clusterPaths.statsFile(clusterDir!, vmid), `${JSON.stringify(stats)}\n`);
}

function rebind(): void {
  const target = readListenTarget();
  const previous = server;
  server = undefined;
  if (!previous) {
    listen(target);
    return;
  }
  previous.closeAllConnections();
  previous.close(() => listen(target));
}

function shutdown(): void {
  server?.closeAllConnections();
  server?.close();
  process.exit(0);
}

process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.on("SIGHUP", rebind);

writeStats();
setInterval(() => {
  exitIfOrphaned();
  writeStats();
}, STATS_INTERVAL_MS);
listen(readListenTarget());
