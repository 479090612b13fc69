/**
 * Argument vectors for Proxmox VE 8 `pct` commands and parsers for their output. Run every
 * command on the node that hosts the container, because `pct` acts only on local containers.
 */
import { formatPropertyList, parsePropertyList } from "./property-string.ts";
import { fail, type OpsFailure, quoteLine, splitOutputLines } from "./result.ts";
import { checkDnsName, checkInteger, checkNodeName, checkVmid, isIpv4 } from "./validate.ts";

export {
  formatPropertyList,
  type PropertyEntry,
  type PropertyListResult,
  parsePropertyList,
} from "./property-string.ts";

/** The fields of a container configuration that the bot reads. */
export interface PctConfig {
  hostname?: string;
  /** Memory limit in MiB. */
  memory?: number;
  cores?: number;
  /** Lock name such as `backup`, `create`, `disk` or `migrate`, absent when unlocked. */
  lock?: string;
  template: boolean;
  /** Tags in stored order. */
  tags: string[];
  rootfs?: string;
  /** Network devices keyed `net0` to `netN`, each a property string. */
  networks: Record<string, string>;
  /** Description from the `description` key or the file's `#` lines, percent-decoded. */
  description: string;
}

/** The result of `parsePctConfig`. */
export type PctConfigResult = { ok: true; config: PctConfig } | OpsFailure;

/** The result of `replaceNet0Ip`. */
export type Net0Result = { ok: true; net0: string } | OpsFailure;

/** Arguments of `pctClone`. */
export interface PctCloneOptions {
  /** The template to clone. */
  vmid: number;
  newid: number;
  hostname: string;
  /** Node that receives the clone. Omit it to clone onto the template's node. */
  target?: string;
}

/** Settings that `pctSet` can change. */
export interface PctSetOptions {
  net0?: string;
  /** The complete new tag list. An empty list deletes the `tags` key. */
  tags?: string[];
}

const CONFIG_LINE = /^([A-Za-z][A-Za-z0-9_-]*):\s?(.*)$/;
// Raw config files may also write raw LXC keys as `lxc.key = value`.
const LXC_LINE = /^(lxc\.[A-Za-z0-9_.-]+)\s*(?::|\s*=)\s*(.*)$/;
const SECTION_LINE = /^\[[^\]]+\]\s*$/;
const NET_KEY = /^net\d+$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/;
const IP_CIDR = /^([0-9.]+)\/(\d{1,2})$/;

/**
 * Parses the output of `pct config VMID`, or the raw `/etc/pve/lxc/VMID.conf` file. Parsing
 * stops at the first section header such as `[snapshot]` or `[pve:pending]`, because what
 * follows describes snapshots or pending changes, not the current configuration.
 */
export function parsePctConfig(text: string): PctConfigResult {
  const config: PctConfig = { template: false, tags: [], networks: {}, description: "" };
  const commentLines: string[] = [];

  for (const line of splitOutputLines(text)) {
    if (line.trim() === "") continue;
    if (SECTION_LINE.test(line)) break;

    if (line.startsWith("#")) {
      commentLines.push(decodeText(line.slice(1)));
      continue;
    }

    const error = applyConfigLine(config, line);
    if (error) return fail(error);
  }

  if (config.description === "") config.description = commentLines.join("\n");
  return { ok: true, config };
}

function applyConfigLine(config: PctConfig, line: string): string | undefined {
  const match = CONFIG_LINE.exec(line) ?? LXC_LINE.exec(line);
  if (!match) return `unexpected line in container config: ${quoteLine(line)}`;

  const key = match[1]!;
  const value = match[2]!.trim();
  return applyConfigField(config, key, value);
}

function applyConfigField(config: PctConfig, key: string, value: string): string | undefined {
  if (NET_KEY.test(key)) {
    config.networks[key] = value;
    return undefined;
  }

  switch (key) {
    case "hostname":
    case "lock":
    case "rootfs":
      config[key] = value;
      return undefined;
    case "memory":
    case "cores":
      return applyInteger(config, key, value);
    case "template":
      return applyTemplate(config, value);
    case "tags":
      config.tags = parseTags(value);
      return undefined;
    case "description":
      config.description = decodeText(value);
      return undefined;
    default:
      return undefined;
  }
}

function applyInteger(config: PctConfig, key: "memory" | "cores", value: string) {
  if (!/^\d+$/.test(value)) return `invalid ${key} value in container config: ${quoteLine(value)}`;

  config[key] = Number(value);
  return undefined;
}

function applyTemplate(config: PctConfig, value: string): string | undefined {
  // Proxmox VE 8 reads these spellings for boolean keys.
  if (/^(1|on|yes|true)$/i.test(value)) config.template = true;
  else if (/^(0|off|no|false)$/i.test(value)) config.template = false;
  else return `invalid template value in container config: ${quoteLine(value)}`;
  return undefined;
}

/** Splits a Proxmox VE tag list on `;`, `,` and spaces. */
export function parseTags(value: string): string[] {
  return value.split(/[;,\s]+/).filter((tag) => tag !== "");
}

// Proxmox VE percent-encodes control characters, non-ASCII bytes and `:` in descriptions, and
// newer releases also `%`. Text with a bare `%` that is not an escape stays undecoded.
function decodeText(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Returns `net0` with its `ip=` value replaced by `ipCidr` (such as `10.0.0.12/24`). Every
 * other item (name, bridge, hwaddr, gw, firewall, tag...) keeps its value and position.
 * When `net0` has no `ip=` item, the new one goes at the end.
 */
export function replaceNet0Ip(net0: string, ipCidr: string): Net0Result {
  if (!isIpCidr(ipCidr)) return fail(`invalid IPv4 CIDR ${quoteLine(ipCidr)}: use a.b.c.d/n`);

  const parsed = parsePropertyList(net0);
  if (!parsed.ok) return parsed;

  const entries = parsed.entries.map((entry) =>
    entry.key === "ip" ? { key: "ip", value: ipCidr } : entry,
  );
  if (!entries.some((entry) => entry.key === "ip")) entries.push({ key: "ip", value: ipCidr });
  return { ok: true, net0: formatPropertyList(entries) };
}

function isIpCidr(value: string): boolean {
  const match = IP_CIDR.exec(value);
  return match !== null && isIpv4(match[1]!) && Number(match[2]) <= 32;
}

/**
 * Builds `pct clone TEMPLATE NEWID --hostname NAME [--target NODE]`. Without `--full`,
 * Proxmox VE 8 makes a linked clone when the source is a template. Cloning onto another node
 * needs the template's disks on shared storage. The clone gets new MAC addresses but keeps
 * the template's `ip=` values, so set net0 before starting it.
 */
export function pctClone(options: PctCloneOptions): string[] {
  const argv = [
    "pct",
    "clone",
    checkVmid(options.vmid),
    checkVmid(options.newid, "newid"),
    "--hostname",
    checkDnsName(options.hostname, "hostname"),
  ];

  if (options.target !== undefined) argv.push("--target", checkNodeName(options.target));
  return argv;
}

/** Builds `pct set VMID` with `--net0` and `--tags`. Throws when no option is given. */
export function pctSet(vmid: number, options: PctSetOptions): string[] {
  const argv = ["pct", "set", checkVmid(vmid)];
  if (options.net0 !== undefined) argv.push("--net0", checkNet0(options.net0));
  if (options.tags !== undefined) argv.push(...tagArgs(options.tags));

  if (argv.length === 3) throw new RangeError(`pct set ${vmid}: no option to change`);
  return argv;
}

function checkNet0(net0: string): string {
  const parsed = parsePropertyList(net0);
  if (!parsed.ok) throw new RangeError(`invalid net0: ${parsed.error}`);
  return net0;
}

function tagArgs(tags: readonly string[]): string[] {
  const bad = tags.find((tag) => !TAG.test(tag));
  if (bad !== undefined) throw new RangeError(`invalid tag ${JSON.stringify(bad)}`);

  return tags.length === 0 ? ["--delete", "tags"] : ["--tags", tags.join(";")];
}

/** Builds `pct start VMID`. */
export function pctStart(vmid: number): string[] {
  return ["pct", "start", checkVmid(vmid)];
}

/**
 * Builds `pct shutdown VMID --timeout SECONDS`. Without `--forceStop`, Proxmox VE 8 does not
 * kill a container that is still running after the timeout, so callers follow up with
 * `pctStop`. Like `pct stop`, it fails with `CT VMID not running` on a stopped container.
 */
export function pctShutdown(vmid: number, timeoutSeconds: number): string[] {
  const timeout = checkInteger(timeoutSeconds, "shutdown timeout", 1, 86_400);
  return ["pct", "shutdown", checkVmid(vmid), "--timeout", timeout];
}

/** Builds `pct stop VMID`, which kills the container without a clean shutdown. */
export function pctStop(vmid: number): string[] {
  return ["pct", "stop", checkVmid(vmid)];
}

/**
 * Builds `pct destroy VMID --purge 1` for a stopped container. `--purge` also removes the
 * container from backup jobs, replication jobs and HA resources.
 */
export function pctDestroy(vmid: number): string[] {
  return ["pct", "destroy", checkVmid(vmid), "--purge", "1"];
}

/** Builds `pct config VMID`, whose output `parsePctConfig` reads. */
export function pctConfig(vmid: number): string[] {
  return ["pct", "config", checkVmid(vmid)];
}
