/**
 * Value formats of Proxmox VE's JSON schema (pve-common `PVE::JSONSchema`, PVE 8).
 *
 * A format check returns undefined for a valid value, or the text Proxmox's validator dies with,
 * including its trailing newline: the newline is what puts a blank line after the message in
 * Proxmox's "Parameter verification failed" output.
 */
import { isIPv6 } from "node:net";

/** A format check: undefined when valid, else Proxmox's error text ending in "\n". */
export type FormatCheck = (value: string) => string | undefined;

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^(?:${OCTET}\\.){3}${OCTET}$`);
const DNS_LABEL = "([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)";
const DNS_NAME = new RegExp(`^(${DNS_LABEL}\\.)*${DNS_LABEL}$`);

/** Returns whether `value` is a dotted-quad IPv4 address. */
export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

/** Returns whether `value` is `address/prefix` with a prefix of 8 to 32 (`pve_verify_cidrv4`). */
export function isCidrV4(value: string): boolean {
  const match = /^(.+)\/(\d+)$/.exec(value);
  return !!match && isIpv4(match[1]!) && Number(match[2]) > 7 && Number(match[2]) <= 32;
}

function isCidrV6(value: string): boolean {
  const match = /^(.+)\/(\d+)$/.exec(value);
  return !!match && isIPv6(match[1]!) && Number(match[2]) > 7 && Number(match[2]) <= 128;
}

export const checkIpv4: FormatCheck = (value) =>
  isIpv4(value) ? undefined : "value does not look like a valid IPv4 address\n";

export const checkIpv6: FormatCheck = (value) =>
  isIPv6(value) ? undefined : "value does not look like a valid IPv6 address\n";

export const checkIpv4Config: FormatCheck = (value) =>
  value === "dhcp" || value === "manual" || isCidrV4(value)
    ? undefined
    : "value does not look like a valid ipv4 network configuration\n";

export const checkIpv6Config: FormatCheck = (value) =>
  ["auto", "dhcp", "manual"].includes(value) || isCidrV6(value)
    ? undefined
    : "value does not look like a valid ipv6 network configuration\n";

/** Checks a unicast MAC address, whose first octet must have the I/G bit clear. */
export const checkMacAddress: FormatCheck = (value) =>
  /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(value)
    ? undefined
    : "value does not look like a valid unicast MAC address\n";

export const checkDnsName: FormatCheck = (value) =>
  DNS_NAME.test(value) ? undefined : "value does not look like a valid DNS name\n";

export const checkConfigId: FormatCheck = (value) =>
  /^[a-z][a-z0-9_-]+$/i.test(value) ? undefined : `invalid configuration ID '${value}'\n`;

export const checkNodeName: FormatCheck = (value) =>
  /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(value)
    ? undefined
    : "value does not look like a valid node name\n";

export const checkStorageId: FormatCheck = (value) =>
  /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(value)
    ? undefined
    : `storage ID '${value}' contains illegal characters\n`;

export const checkPoolId: FormatCheck = (value) =>
  /^[A-Za-z0-9_][A-Za-z0-9_\-+.]*$/.test(value) && value.length < 64
    ? undefined
    : `invalid pool ID '${value}'\n`;

/** Checks the `pve-tag-list` format, in which every entry must be a valid tag. */
export const checkTagList: FormatCheck = (value) =>
  splitList(value).every((tag) => /^[a-z0-9_][a-z0-9_\-+.]*$/i.test(tag))
    ? undefined
    : "invalid characters in tag\n";

/** Checks the `pve-configid-list` format used by `--delete`. */
export const checkConfigIdList: FormatCheck = (value) => {
  for (const entry of splitList(value)) {
    const error = checkConfigId(entry);
    if (error) {
      return error;
    }
  }
  return undefined;
};

/** Splits a list the way `PVE::Tools::split_list` does: on commas, semicolons and spaces. */
export function splitList(text: string): string[] {
  return text
    .replace(/[,;]/g, " ")
    .trim()
    .split(/\s+/)
    .filter((entry) => entry !== "");
}

/** Parses a size such as "2G" or "512M" into bytes (`PVE::JSONSchema::parse_size`). */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(text);
  if (!match) {
    return undefined;
  }
  const exponent = match[2] ? "KMGT".indexOf(match[2]) + 1 : 0;
  return Math.trunc(Number(match[1]) * 1024 ** exponent);
}

/** Formats bytes with the largest exact unit, like `PVE::JSONSchema::format_size` ("2G"). */
export function formatSize(bytes: number): string {
  let value = Math.trunc(bytes);
  for (const unit of ["", "K", "M", "G"]) {
    if (value % 1024 !== 0) {
      return `${value}${unit}`;
    }
    value /= 1024;
  }
  return `${value}T`;
}

/** Parses Proxmox booleans (1/on/yes/true, 0/off/no/false); undefined for anything else. */
export function parseBoolean(text: string): 0 | 1 | undefined {
  if (/^(1|on|yes|true)$/i.test(text)) {
    return 1;
  }
  if (/^(0|off|no|false)$/i.test(text)) {
    return 0;
  }
  return undefined;
}
