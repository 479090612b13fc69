/**
 * Input checks shared by the command builders. Builders throw `RangeError` on invalid input
 * because their arguments come from the validated inventory, so a bad value is a bug in the
 * caller, not a runtime condition.
 */

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const RUNTIME_NAME = /^[A-Za-z0-9_.-]+$/;
const NODE_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const DNS_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const DNS_NAME = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

/** Maximum VMID. Proxmox VE 8 accepts VMIDs from 100 to 999999999. */
export const MAX_VMID = 999_999_999;

/**
 * Returns whether `value` is a dotted-quad IPv4 address. Octets with leading zeros are
 * rejected because some tools read them as octal.
 */
export function isIpv4(value: string): boolean {
  const octets = value.split(".");
  if (octets.length !== 4) {
    return false;
  }
  return octets.every((octet) => OCTET.test(octet) && Number(octet) <= 255);
}

/** Returns whether `value` is an integer TCP port from 1 to 65535. */
export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Returns whether `value` is a backend or server name that the HAProxy runtime API accepts. */
export function isRuntimeName(value: string): boolean {
  return RUNTIME_NAME.test(value);
}

/** Returns `vmid` as text. Throws `RangeError` unless it is a VMID from 100 to 999999999. */
export function checkVmid(vmid: number, label = "vmid"): string {
  if (!Number.isInteger(vmid) || vmid < 100 || vmid > MAX_VMID) {
    throw new RangeError(`invalid ${label} ${vmid}: must be an integer from 100 to ${MAX_VMID}`);
  }
  return String(vmid);
}

/** Returns `value`. Throws `RangeError` unless it is an IPv4 address. */
export function checkIpv4(value: string): string {
  if (!isIpv4(value)) {
    throw new RangeError(`invalid IPv4 address ${JSON.stringify(value)}`);
  }
  return value;
}

/** Returns `value` as text. Throws `RangeError` unless it is a TCP port. */
export function checkPort(value: number): string {
  if (!isPort(value)) {
    throw new RangeError(`invalid port ${value}: must be an integer from 1 to 65535`);
  }
  return String(value);
}

/** Returns `value`. Throws `RangeError` unless it matches `[A-Za-z0-9_.-]+`. */
export function checkRuntimeName(value: string, label: string): string {
  if (!isRuntimeName(value)) {
    throw new RangeError(`invalid ${label} ${JSON.stringify(value)}: use only A-Z a-z 0-9 _ . -`);
  }
  return value;
}

/** Returns `value`. Throws `RangeError` unless it is a node name, which is one DNS label. */
export function checkNodeName(value: string): string {
  if (!NODE_NAME.test(value)) {
    throw new RangeError(`invalid node name ${JSON.stringify(value)}: must be one DNS label`);
  }
  return value;
}

/** Returns `value`. Throws `RangeError` unless it is a DNS name of at most 255 characters. */
export function checkDnsName(value: string, label: string): string {
  if (value.length > 255 || !DNS_NAME.test(value)) {
    throw new RangeError(`invalid ${label} ${JSON.stringify(value)}: must be a DNS name`);
  }
  return value;
}

/** Returns `value` as text. Throws `RangeError` unless it is an integer from `min` to `max`. */
export function checkInteger(value: number, label: string, min: number, max: number): string {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`invalid ${label} ${value}: must be an integer from ${min} to ${max}`);
  }
  return String(value);
}
