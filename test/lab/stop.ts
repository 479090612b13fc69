import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { containerPids } from "./containers.ts";
import { HOST_NAMES, type LabPaths } from "./layout.ts";
import { stopPostgres } from "./postgres.ts";
import { isLabProcess, readPidFile, stopProcess } from "./process.ts";

/** Returns every pid whose parent pid is `parent`, read from /proc. */
async function childPids(parent: number): Promise<number[]> {
  const children: number[] = [];

  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // The parent pid is the second field after the ")" that closes the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) {
        children.push(Number(entry));
      }
    } catch {
      // The process ended while the list was read.
    }
  }
  return children;
}

/** Returns the descendants of `pid`, children before grandchildren. */
export async function descendantPids(pid: number): Promise<number[]> {
  const found: number[] = [];
  let level = [pid];

  while (level.length > 0) {
    const next = (await Promise.all(level.map(childPids))).flat();
    found.push(...next);
    level = next;
  }
  return found;
}

/** Sends SIGTERM to each pid that still exists, ignoring those that ended meanwhile. */
function terminate(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
}

/**
 * Returns the pids of HAProxy processes started with the lab's config: the current one and any
 * older one that a reload (`-sf`) told to finish its connections.
 */
async function haproxyPids(configPath: string): Promise<number[]> {
  const pids: number[] = [];

  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0");
      const config = argv[argv.indexOf("-f") + 1];
      if (argv[0]?.endsWith("haproxy") && config === configPath) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while the list was read.
    }
  }
  return pids;
}

/**
 * Stops one sshd and its session processes. Ending the listener alone leaves open sessions
 * (and the commands they run, such as a hung fault) running until their clients disconnect.
 */
async function stopSshd(pidFile: string, marker: string): Promise<void> {
  const pid = await readPidFile(pidFile);
  if (pid === undefined || !(await isLabProcess(pid, marker))) {
    return;
  }

  terminate((await descendantPids(pid)).reverse());
  await stopProcess(pid, marker);
}

/**
 * Stops every process of the lab in `paths`: container apps (pids from the simulator's run
 * directory), PostgreSQL, HAProxy, then each sshd with its sessions. All by pid, and only
 * processes whose command line names the state directory. Removes the pid files and nothing
 * else. PostgreSQL removes its own postmaster.pid when it shuts down.
 */
export async function stopLabProcesses(paths: LabPaths): Promise<void> {
  const marker = paths.stateDir;
  const containers = await containerPids(paths);
  await Promise.all([...containers.values()].map((pid) => stopProcess(pid, marker)));
  await stopPostgres(paths);

  const haproxy = await haproxyPids(paths.haproxyConfig);
  await Promise.all(haproxy.map((pid) => stopProcess(pid, marker)));
  await Promise.all(
    HOST_NAMES.map((host) => stopSshd(join(paths.hostDir(host), "sshd.pid"), marker)),
  );

  const pidFiles = [
    ...[...containers.keys()].map((vmid) => join(paths.clusterDir, "run", `${vmid}.pid`)),
    paths.haproxyPidFile,
    ...HOST_NAMES.map((host) => join(paths.hostDir(host), "sshd.pid")),
  ];
  await Promise.all(pidFiles.map((file) => rm(file, { force: true })));
}
