/**
 * Property strings such as `name=eth0,bridge=vmbr0,ip=10.0.0.5/24` and the two schemas the
 * simulator needs: the container network device (`netN`) and the root volume (`rootfs`), as
 * declared in pve-container 5.x `PVE::LXC::Config` ($netconf_desc, $rootfs_desc).
 */
import { randomBytes } from "node:crypto";
import {
  checkIpv4,
  checkIpv4Config,
  checkIpv6,
  checkIpv6Config,
  checkMacAddress,
  type FormatCheck,
  parseBoolean,
  parseSize,
} from "./formats.ts";
import { checkProperty, formatErrorLines, type PropertySchema } from "./schema.ts";

/** Schema of `net0` .. `net31` (`$netconf_desc`). */
export const netSchema: PropertySchema = {
  type: { type: "string", optional: true, enum: ["veth"] },
  name: { type: "string", pattern: /[-_.\w\d]+/ },
  bridge: { type: "string", optional: true, pattern: /[-_.\w\d]+/ },
  hwaddr: { type: "string", optional: true, format: checkMacAddress },
  mtu: { type: "integer", optional: true, minimum: 64, maximum: 65535 },
  ip: { type: "string", optional: true, format: checkIpv4Config },
  gw: { type: "string", optional: true, format: checkIpv4 },
  ip6: { type: "string", optional: true, format: checkIpv6Config },
  gw6: { type: "string", optional: true, format: checkIpv6 },
  firewall: { type: "boolean", optional: true },
  tag: { type: "integer", optional: true, minimum: 1, maximum: 4094 },
  trunks: { type: "string", optional: true, pattern: /\d+(?:;\d+)*/ },
  rate: { type: "number", optional: true },
  link_down: { type: "boolean", optional: true },
};

const checkDiskSize: FormatCheck = (value) =>
  parseSize(value) === undefined
    ? `value does not look like a valid disk size: ${value}\n`
    : undefined;

/** Schema of `rootfs` (`$rootfs_desc`). */
export const rootfsSchema: PropertySchema = {
  volume: { type: "string", defaultKey: true },
  size: { type: "string", optional: true, format: checkDiskSize },
  acl: { type: "boolean", optional: true },
  mountoptions: { type: "string", optional: true },
  ro: { type: "boolean", optional: true },
  quota: { type: "boolean", optional: true },
  replicate: { type: "boolean", optional: true },
  shared: { type: "boolean", optional: true },
};

/** An invalid property string; the message is the text Proxmox's parser dies with. */
export class PropertyStringError extends Error {}

/**
 * Parses a property string like `PVE::JSONSchema::parse_property_string`. A non-empty `path`
 * prefixes the keys in error messages (e.g. "net0.ip"). Throws PropertyStringError.
 */
export function parsePropertyString(
  schema: PropertySchema,
  data: string,
  path: string,
): Record<string, string> {
  const values = splitParts(schema, data);

  const errors: Record<string, string> = {};
  for (const key of Object.keys(schema)) {
    const error = checkProperty(schema[key]!, values[key]);
    if (error !== undefined) {
      errors[path ? `${path}.${key}` : key] = error;
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new PropertyStringError(`format error\n${formatErrorLines(errors)}`);
  }
  return values;
}

function splitParts(schema: PropertySchema, data: string): Record<string, string> {
  const values: Record<string, string> = {};
  const defaultKey = Object.keys(schema).find((key) => schema[key]!.defaultKey);

  for (const part of data.split(",")) {
    if (/^\s*$/.test(part)) {
      continue;
    }
    const keyValue = /^([^=]+)=(.+)$/s.exec(part);
    if (keyValue) {
      const [, key, value] = keyValue as unknown as [string, string, string];
      if (values[key] !== undefined) {
        throw new PropertyStringError(`duplicate key in comma-separated list property: ${key}\n`);
      }
      if (!schema[key]) {
        throw new PropertyStringError(`invalid key in comma-separated list property: ${key}\n`);
      }
      const isBoolean = schema[key].type === "boolean";
      values[key] = isBoolean ? String(parseBoolean(value) ?? value) : value;
    } else if (!part.includes("=")) {
      if (!defaultKey) {
        throw new PropertyStringError(
          "value without key, but schema does not define a default key\n",
        );
      }
      if (values[defaultKey] !== undefined) {
        throw new PropertyStringError(
          `duplicate key in comma-separated list property: ${defaultKey}\n`,
        );
      }
      values[defaultKey] = part;
    } else {
      throw new PropertyStringError("missing key in comma-separated list property\n");
    }
  }
  return values;
}

/** Returns a format check that validates a whole property string under the option name `path`. */
export function propertyStringFormat(schema: PropertySchema, path: string): FormatCheck {
  return (value) => {
    try {
      parsePropertyString(schema, value, path);
      return undefined;
    } catch (error) {
      if (error instanceof PropertyStringError) {
        return error.message;
      }
      throw error;
    }
  };
}

/**
 * Prints values like `PVE::JSONSchema::print_property_string`: the default key's bare value first,
 * then required keys, then optional keys, each group sorted.
 */
export function printPropertyString(values: Record<string, string>, schema: PropertySchema) {
  const keys = Object.keys(values).filter((key) => values[key] !== undefined);
  const defaultKeys = keys.filter((key) => schema[key]?.defaultKey);
  const required = keys.filter((key) => !schema[key]?.defaultKey && !schema[key]?.optional).sort();
  const optional = keys.filter((key) => !schema[key]?.defaultKey && schema[key]?.optional).sort();

  const parts = defaultKeys.map((key) => values[key]!);
  for (const key of [...required, ...optional]) {
    parts.push(`${key}=${values[key]}`);
  }
  return parts.join(",");
}

/**
 * Returns a random MAC address under BC:24:11, the Proxmox Server Solutions OUI that PVE 8 uses
 * as the default `mac_prefix` of datacenter.cfg (pve-cluster `$PROXMOX_OUI`).
 */
export function randomMacAddress(): string {
  const suffix = [...randomBytes(3)].map((byte) =>
    byte.toString(16).toUpperCase().padStart(2, "0"),
  );
  return ["BC", "24", "11", ...suffix].join(":");
}

/** Parses a valid `netN` value and fills what `parse_lxc_network` fills (type, hwaddr). */
export function normalizeNetwork(value: string, path: string): string {
  const net = parsePropertyString(netSchema, value, path);
  net.type = "veth";
  net.hwaddr ??= randomMacAddress();
  return printPropertyString(net, netSchema);
}
