/**
 * Proxmox VE property strings: the `key=value,key=value` values of keys such as `net0` and
 * `rootfs` in a container config.
 */
import { fail, type OpsFailure, quoteLine } from "./result.ts";

/** One `key=value` item of a Proxmox property string. `key` is null for the default key. */
export interface PropertyEntry {
  key: string | null;
  value: string;
}

/** The result of `parsePropertyList`. */
export type PropertyListResult = { ok: true; entries: PropertyEntry[] } | OpsFailure;

const PROPERTY_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Parses a Proxmox property string such as `name=eth0,bridge=vmbr0,ip=10.0.0.5/24` into its
 * entries in order. An item without `=` is the value of the schema's default key, such as the
 * volume in `rootfs: local-lvm:vm-105-disk-0,size=8G`. Quoted values are rejected because the
 * simple comma split would cut them apart.
 */
export function parsePropertyList(text: string): PropertyListResult {
  const entries: PropertyEntry[] = [];
  const seen = new Set<string | null>();

  for (const item of text.split(",")) {
    const entry = parsePropertyItem(item);
    if (typeof entry === "string") return fail(`${entry} in property string ${quoteLine(text)}`);
    if (seen.has(entry.key)) {
      return fail(
        `duplicate key ${entry.key ?? "(default)"} in property string ${quoteLine(text)}`,
      );
    }

    seen.add(entry.key);
    entries.push(entry);
  }

  return { ok: true, entries };
}

function parsePropertyItem(item: string): PropertyEntry | string {
  if (item === "") return "empty item";
  if (item.includes('"')) return "quoted value";

  const equals = item.indexOf("=");
  if (equals === -1) return { key: null, value: item };

  const key = item.slice(0, equals);
  const value = item.slice(equals + 1);
  if (!PROPERTY_KEY.test(key)) return `invalid key ${quoteLine(key)}`;
  if (value === "") return `empty value for ${key}`;
  return { key, value };
}

/**
 * Formats entries as a Proxmox property string, the inverse of `parsePropertyList`.
 * Throws `RangeError` on a key or value that the string cannot carry.
 */
export function formatPropertyList(entries: readonly PropertyEntry[]): string {
  return entries.map(formatPropertyItem).join(",");
}

function formatPropertyItem(entry: PropertyEntry): string {
  if (entry.key !== null && !PROPERTY_KEY.test(entry.key)) {
    throw new RangeError(`invalid property key ${JSON.stringify(entry.key)}`);
  }
  // A default-key value containing `=` would read back as a key=value item.
  const ambiguous = entry.key === null && entry.value.includes("=");
  if (entry.value === "" || /[,"\s]/.test(entry.value) || ambiguous) {
    throw new RangeError(`invalid property value ${JSON.stringify(entry.value)}`);
  }

  return entry.key === null ? entry.value : `${entry.key}=${entry.value}`;
}
