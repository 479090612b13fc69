/**
 * Read-only `pct` subcommands: list, status, config, listsnapshot and exec, with the output
 * formats of pve-container 5.x `PVE::CLI::pct` and pve-guest-common `print_snapshot_tree`.
 */
import { listGuests, loadGuestConfig, readGuestConfig } from "./cluster-state.ts";
import { encodeText } from "./ct-config.ts";
import { PveError } from "./errors.ts";
import {
  flagParam,
  type PctCommand,
  pctSpec,
  print,
  snapshotNameParam,
  vmidParam,
} from "./pct-common.ts";
import { guestStatus, runningPid } from "./runtime.ts";
import { rootVolumeOf } from "./volumes.ts";

/** `pct list`: the containers of this node, sorted by VMID. */
export const listCommand: PctCommand = {
  spec: pctSpec("list", [], {}),
  async run(env) {
    const rows = listGuests(env.clusterDir).filter((guest) => guest.node === env.node);
    if (rows.length === 0) {
      return;
    }

    const line = (...cells: string[]) =>
      `${cells[0]!.padEnd(10)} ${cells[1]!.padEnd(10)} ${cells[2]!.padEnd(12)} ${cells[3]!.padEnd(20)}\n`;
    let text = line("VMID", "Status", "Lock", "Name");
    for (const { vmid } of rows) {
      const config = readGuestConfig(env.clusterDir, env.node, vmid);
      if (!config) {
        continue;
      }
      const status = guestStatus(env.clusterDir, env.cluster, env.node, vmid, config);
      text += line(String(vmid), status.status, status.lock ?? "", status.name);
    }
    print(text);
  },
};

/** `pct status <vmid> [--verbose]`. */
export const statusCommand: PctCommand = {
  spec: pctSpec("status", ["vmid"], { vmid: vmidParam, verbose: flagParam }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    const config = loadGuestConfig(env, vmid);
    const status = guestStatus(env.clusterDir, env.cluster, env.node, vmid, config);

    if (values.verbose !== "1") {
      print(`status: ${status.status}\n`);
      return;
    }
    const fields = status as unknown as Record<string, string | number | undefined>;
    for (const key of Object.keys(fields).sort()) {
      if (key !== "cpu" && fields[key] !== undefined) {
        print(`${key}: ${fields[key]}\n`);
      }
    }
  },
};

const configSpec = pctSpec("config", ["vmid"], {
  vmid: vmidParam,
  current: flagParam,
  snapshot: { ...snapshotNameParam, optional: true },
});

/** `pct config <vmid> [--current] [--snapshot NAME]`: sorted `key: value` lines. */
export const configCommand: PctCommand = {
  spec: configSpec,
  async run(env, { values }) {
    if (values.snapshot && values.current === "1") {
      const message = "cannot use 'snapshot' parameter with 'current'";
      throw new PveError(
        `400 Parameter verification failed.\ncurrent: ${message}\nsnapshot: ${message}\npct config <vmid> [OPTIONS]\n`,
      );
    }

    const config = loadGuestConfig(env, Number(values.vmid));
    let section = config.current;
    if (values.snapshot) {
      const snapshot = config.snapshots[values.snapshot];
      if (!snapshot) {
        throw new PveError(`snapshot '${values.snapshot}' does not exist`);
      }
      section = snapshot;
    }

    let text = "";
    for (const key of Object.keys(section).sort()) {
      const value = key === "description" ? encodeText(section[key]!) : section[key];
      text += `${key}: ${value}\n`;
    }
    const lxc = values.snapshot ? [] : config.lxc;
    print(text + lxc.map(([key, value]) => `${key}: ${value}\n`).join(""));
  },
};

/** `pct listsnapshot <vmid>`: the snapshot tree, oldest first, ending in "current". */
export const listSnapshotCommand: PctCommand = {
  spec: pctSpec("listsnapshot", ["vmid"], { vmid: vmidParam }),
  async run(env, { values }) {
    const config = loadGuestConfig(env, Number(values.vmid));
    const entries = Object.entries(config.snapshots).map(([name, snapshot]) => ({
      name,
      parent: snapshot.parent,
      time: snapshot.snaptime === undefined ? undefined : Number(snapshot.snaptime),
      description: snapshot.description,
    }));
    entries.push({
      name: "current",
      parent: config.current.parent,
      time: undefined,
      description: "You are here!",
    });
    print(renderSnapshotTree(entries));
  },
};

interface SnapshotEntry {
  name: string;
  parent: string | undefined;
  time: number | undefined;
  description: string | undefined;
}

function renderSnapshotTree(entries: SnapshotEntry[]): string {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const byTime = (left: SnapshotEntry, right: SnapshotEntry) =>
    (left.time ?? Number.POSITIVE_INFINITY) - (right.time ?? Number.POSITIVE_INFINITY);
  const children = (name: string) =>
    entries.filter((entry) => entry.parent === name && entry.name !== name).sort(byTime);

  const render = (prefix: string, entry: SnapshotEntry): string => {
    const width = 30 - prefix.length;
    const time = entry.time === undefined ? "" : formatLocalTime(entry.time);
    const description = (entry.description || "no-description").split("\n")[0];
    let text = `${prefix} ${entry.name.padEnd(width)} ${time.padEnd(23)} ${description}\n`;
    for (const child of children(entry.name)) {
      text += render(`    ${prefix}`, child);
    }
    return text;
  };

  const roots = entries.filter((entry) => !entry.parent || !byName.has(entry.parent)).sort(byTime);
  return roots.map((root) => render("`->", root)).join("");
}

function formatLocalTime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (value: number) => String(value).padStart(2, "0");
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const execSpec = pctSpec("exec", ["vmid", "extra-args"], {
  vmid: vmidParam,
  "keep-env": flagParam,
});

/**
 * `pct exec <vmid> -- <command>`. Only `df` of the root filesystem and `hostname` are simulated.
 * Other commands fail with exit status 127 like a missing binary.
 */
export const execCommand: PctCommand = {
  spec: execSpec,
  async run(env, { values, extraArgs }) {
    const vmid = Number(values.vmid);
    const config = loadGuestConfig(env, vmid);
    if (runningPid(env.clusterDir, vmid) === undefined) {
      throw new PveError(`container '${vmid}' not running!`);
    }
    if (extraArgs.length === 0) {
      throw new PveError("missing command");
    }

    const command = extraArgs.join(" ");
    if (/^df( -B1| --block-size=1)?( \/)?$/.test(command)) {
      print(renderDf(vmid, rootVolumeOf(config.current)?.sizeBytes ?? 4 * 1024 ** 3));
      return;
    }
    if (command === "hostname") {
      print(`${config.current.hostname ?? `CT${vmid}`}\n`);
      return;
    }
    throw new PveError(
      `psa-sim: pct exec simulates only 'df -B1 /' and 'hostname', not '${command}'`,
      127,
    );
  },
};

/**
 * Renders `df -B1 /` as GNU coreutils prints it inside the container. The total is 95% of the
 * volume size, an estimate of ext4's metadata overhead, so callers must not expect the exact size.
 */
function renderDf(vmid: number, sizeBytes: number): string {
  const total = Math.floor((sizeBytes * 0.95) / 4096) * 4096;
  const used = Math.min(536_870_912, Math.floor(total / 2));
  const available = total - used;
  const percent = `${Math.ceil((used * 100) / total)}%`;
  const device = `/dev/loop${vmid % 8}`;

  const header = ["Filesystem", "1B-blocks", "Used", "Available", "Use%", "Mounted on"];
  const row = [device, String(total), String(used), String(available), percent, "/"];
  const widths = header.map((cell, index) => Math.max(cell.length, row[index]!.length));
  const format = (cells: string[]) =>
    cells
      .map((cell, index) =>
        index === 0 || index === 5 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!),
      )
      .join(" ")
      .trimEnd();
  return `${format(header)}\n${format(row)}\n`;
}
