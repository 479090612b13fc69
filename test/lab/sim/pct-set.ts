/**
 * `pct set`, after pve-container 5.x `PVE::API2::LXC::Config::update_vm` and
 * `PVE::LXC::Config::update_pct_config` (PVE 8). Every option the simulator accepts is
 * hot-pluggable on Proxmox, so changes apply at once and no `[pve:pending]` section is written.
 * `--netN` replaces the whole value: keys left out are dropped and a missing hwaddr gets a new one.
 */
import { containerAddress } from "./app-spec.ts";
import { type CommandSpec, verificationError } from "./cli-args.ts";
import { checkConfigDigest, checkLock, loadGuestConfig, saveGuestConfig } from "./cluster-state.ts";
import { rebindContainerApp } from "./ct-process.ts";
import type { SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { checkConfigIdList, checkDnsName, checkTagList, splitList } from "./formats.ts";
import { withClusterLock, withGuestLock } from "./locking.ts";
import { flagParam, type PctCommand, pctSpec, vmidParam, warn } from "./pct-common.ts";
import {
  netSchema,
  normalizeNetwork,
  parsePropertyString,
  printPropertyString,
  propertyStringFormat,
  rootfsSchema,
} from "./property-string.ts";
import { runningPid } from "./runtime.ts";
import type { PropertySchema } from "./schema.ts";

const MAX_NETWORKS = 32;

/** Config options of `update_vm` that the simulator accepts (a subset of pve-container's). */
const configOptions: PropertySchema = {
  hostname: { type: "string", optional: true, format: checkDnsName, maxLength: 255 },
  description: { type: "string", optional: true, maxLength: 8192 },
  tags: { type: "string", optional: true, format: checkTagList },
  cores: { type: "integer", optional: true, minimum: 1, maximum: 8192 },
  memory: { type: "integer", optional: true, minimum: 16 },
  swap: { type: "integer", optional: true, minimum: 0 },
  cpulimit: { type: "number", optional: true, minimum: 0, maximum: 8192 },
  cpuunits: { type: "integer", optional: true, minimum: 0, maximum: 500_000 },
  onboot: flagParam,
  protection: flagParam,
  console: flagParam,
  template: flagParam,
  unprivileged: flagParam,
  startup: { type: "string", optional: true },
  nameserver: { type: "string", optional: true },
  searchdomain: { type: "string", optional: true },
  arch: {
    type: "string",
    optional: true,
    enum: ["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"],
  },
  ostype: {
    type: "string",
    optional: true,
    enum: [
      "debian",
      "devuan",
      "ubuntu",
      "centos",
      "fedora",
      "opensuse",
      "archlinux",
      "alpine",
      "gentoo",
      "nixos",
      "unmanaged",
    ],
  },
  tty: { type: "integer", optional: true, minimum: 0, maximum: 6 },
  cmode: { type: "string", optional: true, enum: ["shell", "console", "tty"] },
  rootfs: { type: "string", optional: true, format: propertyStringFormat(rootfsSchema, "rootfs") },
};
for (let index = 0; index < MAX_NETWORKS; index++) {
  const key = `net${index}`;
  configOptions[key] = {
    type: "string",
    optional: true,
    format: propertyStringFormat(netSchema, key),
  };
}

const setSpec: CommandSpec = pctSpec("set", ["vmid"], {
  vmid: vmidParam,
  delete: { type: "string", optional: true, format: checkConfigIdList, list: true },
  revert: { type: "string", optional: true, format: checkConfigIdList, list: true },
  digest: { type: "string", optional: true, maxLength: 40 },
  ...configOptions,
});

const REQUIRED_OPTIONS = ["memory", "rootfs", "ostype"];

/** `pct set <vmid> [OPTIONS]`. */
export const setCommand: PctCommand = {
  spec: setSpec,
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    const { delete: deleteList, revert, digest, vmid: _vmid, ...changes } = values;
    if (Object.keys(changes).length === 0 && !deleteList && !revert) {
      throw new PveError("no options specified");
    }
    const deletions = checkDeletions([...new Set(splitList(deleteList ?? ""))], changes);

    await withGuestLock(env.clusterDir, vmid, async () => {
      const hotplug = await withClusterLock(env.clusterDir, () =>
        applyChanges(env, vmid, { changes, deletions, digest }),
      );
      if (hotplug) {
        await rebindContainerApp(env, vmid, hotplug.pid, hotplug.address);
      }
    });
  },
};

function checkDeletions(deletions: string[], changes: Record<string, string>): string[] {
  for (const option of deletions) {
    if (!configOptions[option]) {
      throw verificationError(setSpec, { delete: `unknown option '${option}'` });
    }
    if (changes[option] !== undefined) {
      const message = `you can't use '-${option}' and -delete ${option}' at the same time`;
      throw verificationError(setSpec, { delete: message });
    }
  }
  return deletions;
}

interface ChangeRequest {
  changes: Record<string, string>;
  deletions: string[];
  digest: string | undefined;
}

/** Applies the request and returns the app to rebind when a running container's address moved. */
function applyChanges(env: SimEnv, vmid: number, request: ChangeRequest) {
  const config = loadGuestConfig(env, vmid);
  checkLock(config);
  checkConfigDigest(env, vmid, request.digest);
  const values = config.current;
  const oldAddress = containerAddress(values);

  for (const option of request.deletions) {
    if (values[option] === undefined) {
      warn(`cannot delete '${option}' - not set in current configuration!`);
      continue;
    }
    if (REQUIRED_OPTIONS.includes(option)) {
      throw new PveError(`unable to delete required option '${option}'`);
    }
    if (option === "unprivileged") {
      throw new PveError(`unable to delete read-only option: '${option}'`);
    }
    delete values[option];
  }

  for (const [option, value] of Object.entries(request.changes).sort()) {
    values[option] = normalizeOption(vmid, option, value, values);
  }
  saveGuestConfig(env.clusterDir, env.node, vmid, config);

  const pid = runningPid(env.clusterDir, vmid);
  const newAddress = containerAddress(values);
  return pid !== undefined && newAddress !== undefined && newAddress !== oldAddress
    ? { pid, address: newAddress }
    : undefined;
}

function normalizeOption(
  vmid: number,
  option: string,
  value: string,
  current: Record<string, string>,
): string {
  if (option === "unprivileged") {
    throw new PveError(`unable to modify read-only option: '${option}'`);
  }
  if (option === "tags") {
    return uniqueTags(value);
  }
  if (/^net\d+$/.test(option)) {
    return normalizeNetwork(value, option);
  }
  if (option === "rootfs") {
    if (current.protection === "1") {
      throw new PveError(`can't update CT ${vmid} drive 'rootfs' - protection mode enabled`);
    }
    return printPropertyString(parsePropertyString(rootfsSchema, value, "rootfs"), rootfsSchema);
  }
  if (configOptions[option]!.type === "integer") {
    return String(Number.parseInt(value, 10));
  }
  return value;
}

/** Lower-cases, de-duplicates and sorts tags like `PVE::GuestHelpers::get_unique_tags`. */
function uniqueTags(value: string): string {
  const tags = splitList(value).map((tag) => tag.toLowerCase());
  return [...new Set(tags)].sort().join(";");
}
