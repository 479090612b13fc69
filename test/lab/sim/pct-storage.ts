/**
 * Volume and config-state `pct` subcommands: resize, template, snapshot, delsnapshot and unlock,
 * after pve-container 5.x `PVE::API2::LXC` (resize_vm, template), `PVE::API2::LXC::Snapshot` and
 * pve-guest-common `PVE::AbstractConfig` (snapshot_create, snapshot_delete, remove_lock), PVE 8.
 */
import {
  checkConfigDigest,
  checkLock,
  isTemplate,
  loadGuestConfig,
  saveGuestConfig,
} from "./cluster-state.ts";
import type { ConfigValues, GuestConfig } from "./ct-config.ts";
import type { SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { parseSize } from "./formats.ts";
import { withClusterLock, withGuestLock } from "./locking.ts";
import { flagParam, type PctCommand, pctSpec, snapshotNameParam, vmidParam } from "./pct-common.ts";
import { PropertyStringError, parsePropertyString, rootfsSchema } from "./property-string.ts";
import { runningPid } from "./runtime.ts";
import { baseVolumeName, parseRootVolume, printRootVolume, volumeOwner } from "./volumes.ts";

const VOLUME_KEYS = ["rootfs", ...Array.from({ length: 256 }, (_, index) => `mp${index}`)];

/** Runs `change` on this node's config of `vmid` under both locks, then saves it. */
async function updateConfig(
  env: SimEnv,
  vmid: number,
  change: (config: GuestConfig) => void,
): Promise<void> {
  await withGuestLock(env.clusterDir, vmid, () =>
    withClusterLock(env.clusterDir, () => {
      const config = loadGuestConfig(env, vmid);
      change(config);
      saveGuestConfig(env.clusterDir, env.node, vmid, config);
    }),
  );
}

/** `pct resize <vmid> <disk> <size>`: `+20G` grows by 20 GiB, `30G` sets 30 GiB; never shrinks. */
export const resizeCommand: PctCommand = {
  spec: pctSpec("resize", ["vmid", "disk", "size"], {
    vmid: vmidParam,
    disk: { type: "string", enum: VOLUME_KEYS },
    size: { type: "string", pattern: /\+?\d+(\.\d+)?[KMGT]?/ },
    digest: { type: "string", optional: true, maxLength: 40 },
  }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    const disk = values.disk!;
    const grow = values.size!.startsWith("+");
    const requested = parseSize(values.size!.replace(/^\+/, ""))!;

    await updateConfig(env, vmid, (config) => {
      checkLock(config);
      checkConfigDigest(env, vmid, values.digest);
      if (disk !== "rootfs" || config.current.rootfs === undefined) {
        rejectMissingVolume(config.current[disk]);
      }

      const volume = parseRootVolume(config.current.rootfs!);
      const owner = volumeOwner(volume.name);
      if (owner !== vmid) {
        throw new PveError(`can't resize mount point owned by another container (${owner})`);
      }
      const newSize = Math.trunc(grow ? volume.sizeBytes + requested : requested);
      if (newSize < volume.sizeBytes) {
        throw new PveError("unable to shrink disk size");
      }
      if (newSize === volume.sizeBytes) {
        throw new PveError("disk is already at specified size");
      }
      config.current.rootfs = printRootVolume({ ...volume, sizeBytes: newSize });
    });
  },
};

/** Fails like `parse_volume` on an unset or mount-point volume, which the simulator lacks. */
function rejectMissingVolume(value: string | undefined): never {
  try {
    parsePropertyString(rootfsSchema, value ?? "", "");
  } catch (error) {
    if (error instanceof PropertyStringError) {
      throw new PveError(error.message);
    }
    throw error;
  }
  throw new PveError("psa-sim: only rootfs volumes are simulated, not mount points");
}

/** `pct template <vmid>`: marks the container a template and turns its volume into a base volume. */
export const templateCommand: PctCommand = {
  spec: pctSpec("template", ["vmid"], { vmid: vmidParam }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    await updateConfig(env, vmid, (config) => {
      checkLock(config);
      if (Object.keys(config.snapshots).length > 0) {
        throw new PveError("unable to create template, because CT contains snapshots");
      }
      if (isTemplate(config)) {
        throw new PveError("you can't convert a template to a template");
      }
      if (runningPid(env.clusterDir, vmid) !== undefined) {
        throw new PveError("you can't convert a CT to template if the CT is running");
      }

      if (config.current.rootfs !== undefined) {
        const volume = parseRootVolume(config.current.rootfs);
        config.current.rootfs = printRootVolume({ ...volume, name: baseVolumeName(volume.name) });
      }
      config.current.template = "1";
    });
  },
};

/** Keys that `__snapshot_copy_config` leaves out of a snapshot section. */
const NOT_SNAPSHOTTED = ["snapstate", "snaptime", "vmstate", "lock", "digest", "description"];

/** `pct snapshot <vmid> <snapname> [--description TEXT]`. */
export const snapshotCommand: PctCommand = {
  spec: pctSpec("snapshot", ["vmid", "snapname"], {
    vmid: vmidParam,
    snapname: snapshotNameParam,
    description: { type: "string", optional: true },
  }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    const name = values.snapname!;
    if (name === "current" || name === "vzdump") {
      throw new PveError(`unable to use snapshot name '${name}' (reserved name)`);
    }

    await updateConfig(env, vmid, (config) => {
      if (isTemplate(config)) {
        throw new PveError("you can't take a snapshot if it's a template");
      }
      checkLock(config);
      if (config.snapshots[name]) {
        throw new PveError(`snapshot name '${name}' already used`);
      }

      const snapshot: ConfigValues = {};
      for (const [key, value] of Object.entries(config.current)) {
        if (!NOT_SNAPSHOTTED.includes(key) && !/^unused\d+$/.test(key)) {
          snapshot[key] = value;
        }
      }
      snapshot.snaptime = String(Math.floor(Date.now() / 1000));
      if (values.description) {
        snapshot.description = values.description;
      }
      config.snapshots[name] = snapshot;
      config.current.parent = name;
    });
  },
};

/** `pct delsnapshot <vmid> <snapname>`: removes the snapshot and relinks its children. */
export const delSnapshotCommand: PctCommand = {
  spec: pctSpec("delsnapshot", ["vmid", "snapname"], {
    vmid: vmidParam,
    snapname: snapshotNameParam,
    force: flagParam,
  }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    const name = values.snapname!;

    await updateConfig(env, vmid, (config) => {
      checkLock(config);
      if (isTemplate(config)) {
        throw new PveError("you can't delete a snapshot if vm is a template");
      }
      const snapshot = config.snapshots[name];
      if (!snapshot) {
        throw new PveError(`snapshot '${name}' does not exist`);
      }

      delete config.snapshots[name];
      for (const section of [config.current, ...Object.values(config.snapshots)]) {
        if (section.parent !== name) {
          continue;
        }
        if (snapshot.parent === undefined) {
          delete section.parent;
        } else {
          section.parent = snapshot.parent;
        }
      }
    });
  },
};

/** `pct unlock <vmid>`: removes any config lock, e.g. one left by an interrupted clone. */
export const unlockCommand: PctCommand = {
  spec: pctSpec("unlock", ["vmid"], { vmid: vmidParam }),
  async run(env, { values }) {
    await updateConfig(env, Number(values.vmid), (config) => {
      if (!config.current.lock) {
        throw new PveError("no lock found trying to remove any lock");
      }
      delete config.current.lock;
    });
  },
};
