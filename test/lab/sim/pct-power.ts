/**
 * Power and lifetime `pct` subcommands: start, stop, shutdown and destroy, after pve-container
 * 5.x `PVE::API2::LXC::Status` (vm_start, vm_stop, vm_shutdown), `PVE::LXC::vm_stop` and
 * `PVE::API2::LXC::destroy_vm` (PVE 8).
 */

import { rmSync } from "node:fs";
import {
  checkLock,
  isTemplate,
  listGuests,
  loadGuestConfig,
  readGuestConfig,
  removeGuestConfig,
  setPool,
} from "./cluster-state.ts";
import type { GuestConfig } from "./ct-config.ts";
import { startContainerApp, stopContainerApp } from "./ct-process.ts";
import { clusterPaths, type SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { withClusterLock, withGuestLock } from "./locking.ts";
import { flagParam, type PctCommand, pctSpec, print, vmidParam, warn } from "./pct-common.ts";
import { runningPid } from "./runtime.ts";
import { isBaseVolume, linksToBase, rootVolumeOf, volumeOwner } from "./volumes.ts";

/** Grace period between SIGTERM and SIGKILL for `pct stop` and forced destroys. */
const STOP_GRACE_MS = 3_000;

/** Checks the lock unless `--skiplock` is set or the lock is `mounted`, as vm_start and vm_stop do. */
function checkLockUnlessSkipped(config: GuestConfig, skiplock: string | undefined): void {
  if (skiplock !== "1" && config.current.lock !== "mounted") {
    checkLock(config);
  }
}

/** `pct start <vmid>`: spawns the container app and returns once it listens. */
export const startCommand: PctCommand = {
  spec: pctSpec("start", ["vmid"], { vmid: vmidParam, skiplock: flagParam, debug: flagParam }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    await withGuestLock(env.clusterDir, vmid, async () => {
      const config = loadGuestConfig(env, vmid);
      if (runningPid(env.clusterDir, vmid) !== undefined) {
        throw new PveError(`CT ${vmid} already running`);
      }
      if (isTemplate(config)) {
        throw new PveError("you can't start a CT if it's a template");
      }
      checkLockUnlessSkipped(config, values.skiplock);
      await startContainerApp(env, vmid);
    });
  },
};

/** `pct stop <vmid>`: SIGTERM, then SIGKILL after a short grace period (`lxc-stop --kill`). */
export const stopCommand: PctCommand = {
  spec: pctSpec("stop", ["vmid"], {
    vmid: vmidParam,
    skiplock: flagParam,
    "overrule-shutdown": flagParam,
  }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    await withGuestLock(env.clusterDir, vmid, async () => {
      const config = loadGuestConfig(env, vmid);
      const pid = runningPid(env.clusterDir, vmid);
      if (pid === undefined) {
        throw new PveError(`CT ${vmid} not running`);
      }
      checkLockUnlessSkipped(config, values.skiplock);
      await stopContainerApp(env.clusterDir, vmid, pid, { graceMs: STOP_GRACE_MS, kill: true });
    });
  },
};

/**
 * `pct shutdown <vmid> [--timeout N] [--forceStop 0|1]`: SIGTERM and a wait of `timeout`
 * seconds (default 60). Then SIGKILL with `--forceStop 1`, else "container did not stop".
 */
export const shutdownCommand: PctCommand = {
  spec: pctSpec("shutdown", ["vmid"], {
    vmid: vmidParam,
    timeout: { type: "integer", optional: true, minimum: 0 },
    forceStop: flagParam,
  }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    const timeout = Number(values.timeout ?? 60);
    await withGuestLock(env.clusterDir, vmid, async () => {
      const config = loadGuestConfig(env, vmid);
      const pid = runningPid(env.clusterDir, vmid);
      if (pid === undefined) {
        throw new PveError(`CT ${vmid} not running`);
      }
      checkLock(config);

      const kill = values.forceStop === "1";
      const options = { graceMs: timeout * 1000, kill };
      if (!(await stopContainerApp(env.clusterDir, vmid, pid, options))) {
        warn(`command 'lxc-stop -n ${vmid} --nokill --timeout ${timeout}' failed: got timeout`);
        throw new PveError("container did not stop");
      }
    });
  },
};

/**
 * `pct destroy <vmid> [--purge 0|1] [--force 0|1]`. A running container is rejected unless
 * `--force` is set. The storage layer rejects a template whose base volume backs linked clones.
 */
export const destroyCommand: PctCommand = {
  spec: pctSpec("destroy", ["vmid"], {
    vmid: vmidParam,
    purge: flagParam,
    force: flagParam,
    "destroy-unreferenced-disks": flagParam,
  }),
  async run(env, { values }) {
    const vmid = Number(values.vmid);
    const force = values.force === "1";
    checkDestroyable(env, vmid, loadGuestConfig(env, vmid), force);

    await withGuestLock(env.clusterDir, vmid, async () => {
      const config = loadGuestConfig(env, vmid);
      checkDestroyable(env, vmid, config, force);

      const pid = runningPid(env.clusterDir, vmid);
      if (pid !== undefined) {
        warn(`forced to stop CT ${vmid} before destroying!`);
        await stopContainerApp(env.clusterDir, vmid, pid, { graceMs: STOP_GRACE_MS, kill: true });
      }
      await withClusterLock(env.clusterDir, () => removeGuest(env, vmid, values.purge === "1"));
    });
  },
};

function checkDestroyable(env: SimEnv, vmid: number, config: GuestConfig, force: boolean): void {
  if (config.current.protection === "1") {
    throw new PveError(`can't remove CT ${vmid} - protection mode enabled`);
  }
  checkLock(config);
  if (!force && runningPid(env.clusterDir, vmid) !== undefined) {
    throw new PveError(`unable to destroy CT ${vmid} - container is running`);
  }
}

function removeGuest(env: SimEnv, vmid: number, purge: boolean): void {
  const config = readGuestConfig(env.clusterDir, env.node, vmid);
  const volume = config ? rootVolumeOf(config.current) : undefined;
  if (volume && volumeOwner(volume.name) === vmid && isBaseVolume(volume.name)) {
    const base = volume.name.split("/").at(-1)!;
    const inUse = listGuests(env.clusterDir).some((guest) => {
      const other =
        guest.vmid === vmid ? undefined : readGuestConfig(env.clusterDir, guest.node, guest.vmid);
      return other !== undefined && linksToBase(other, volume.storage, base);
    });
    if (inUse) {
      throw new PveError(`base volume '${volume.name}' is still in use by linked clones`);
    }
  }

  if (purge) {
    print(`purging CT ${vmid} from related configurations..\n`);
  }
  setPool(env.clusterDir, vmid, undefined);
  removeGuestConfig(env.clusterDir, env.node, vmid);
  for (const path of [clusterPaths.statsFile, clusterPaths.readyFile, clusterPaths.pidFile]) {
    rmSync(path(env.clusterDir, vmid), { force: true });
  }
}
