/**
 * Root volumes of simulated containers. A volume ID is `<storage>:<name>` where the name follows
 * Proxmox's conventions for thin-provisioned storages: `vm-105-disk-0` (a plain volume),
 * `base-9000-disk-0` (a template's base volume) and `base-9000-disk-0/vm-105-disk-0` (a linked
 * clone that shares the base). Sizes live in the config's `size=` field only.
 */
import type { GuestConfig } from "./ct-config.ts";
import { PveError } from "./errors.ts";
import { formatSize, parseSize } from "./formats.ts";
import { parsePropertyString, printPropertyString, rootfsSchema } from "./property-string.ts";

/** A parsed `rootfs` value. */
export interface RootVolume {
  storage: string;
  /** Volume name inside the storage, e.g. "base-9000-disk-0/vm-105-disk-0". */
  name: string;
  /** Size in bytes; Proxmox assumes 4 GiB when the config has none. */
  sizeBytes: number;
  /** Every key of the property string (volume, size, acl, ...). */
  values: Record<string, string>;
}

const DEFAULT_ROOTFS_BYTES = 4 * 1024 ** 3;

/** Parses a `rootfs` value such as `shared:vm-105-disk-0,size=2G`. */
export function parseRootVolume(value: string): RootVolume {
  const values = parsePropertyString(rootfsSchema, value, "rootfs");
  const volume = values.volume!;
  const separator = volume.indexOf(":");
  if (separator <= 0) {
    throw new PveError(`unable to parse volume ID '${volume}'`);
  }

  const size = values.size === undefined ? DEFAULT_ROOTFS_BYTES : parseSize(values.size)!;
  return {
    storage: volume.slice(0, separator),
    name: volume.slice(separator + 1),
    sizeBytes: size,
    values,
  };
}

/** Prints a root volume back into its config value, formatting the size like Proxmox. */
export function printRootVolume(volume: RootVolume): string {
  const values: Record<string, string> = {
    ...volume.values,
    volume: `${volume.storage}:${volume.name}`,
    size: formatSize(volume.sizeBytes),
  };
  return printPropertyString(values, rootfsSchema);
}

/** Returns the volume ID `<storage>:<name>`. */
export function volumeId(volume: RootVolume): string {
  return `${volume.storage}:${volume.name}`;
}

/** Returns the root volume of a config section, or undefined when it has none. */
export function rootVolumeOf(values: Record<string, string>): RootVolume | undefined {
  return values.rootfs === undefined ? undefined : parseRootVolume(values.rootfs);
}

/** Returns the VMID that owns a volume: the last path component's `vm-<id>-` or `base-<id>-`. */
export function volumeOwner(name: string): number | undefined {
  const last = name.split("/").pop()!;
  const match = /^(?:vm|base)-(\d+)-/.exec(last);
  return match ? Number(match[1]) : undefined;
}

/** Returns whether the volume itself is a base volume (a template's disk). */
export function isBaseVolume(name: string): boolean {
  return name.split("/").pop()!.startsWith("base-");
}

/** Returns the name of the volume that a template conversion gives `name` (vm- becomes base-). */
export function baseVolumeName(name: string): string {
  const parts = name.split("/");
  parts[parts.length - 1] = parts.at(-1)!.replace(/^vm-/, "base-");
  return parts.join("/");
}

/**
 * Returns whether any section of `config` (current or a snapshot) is a linked clone of the base
 * volume `baseName` (the last path component, e.g. "base-9000-disk-0").
 */
export function linksToBase(config: GuestConfig, storage: string, baseName: string): boolean {
  const sections = [config.current, ...Object.values(config.snapshots)];
  return sections.some((section) => {
    const volume = rootVolumeOf(section);
    return volume?.storage === storage && volume.name.split("/").at(-2) === baseName;
  });
}
