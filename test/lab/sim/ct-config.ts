/**
 * Reads and writes container configs in Proxmox VE's own format, following
 * pve-container 5.x `PVE::LXC::Config::parse_pct_config` / `write_pct_config`:
 * the description as leading `#` lines (each line encoded by `PVE::Tools::encode_text`), then
 * `key: value` lines sorted by key, then raw `lxc.*` lines, then one `[snapname]` section per
 * snapshot (sorted), each with the same layout.
 */

/** The values of one config section, where `description` contains the decoded description. */
export type ConfigValues = Record<string, string>;

/** A parsed container config file. */
export interface GuestConfig {
  current: ConfigValues;
  /** Raw `lxc.*` keys and values of the main section, in file order. */
  lxc: Array<[string, string]>;
  snapshots: Record<string, ConfigValues>;
  /** Lines that Proxmox would warn about ("unable to parse config"). */
  warnings: string[];
}

const SNAPSHOT_HEADER = /^\[([a-z][a-z0-9_-]+)\]\s*$/i;
const PENDING_HEADER = /^\[pve:pending\]\s*$/i;
const KEY_VALUE = /^([a-z][a-z_]*\d*):\s*(.+?)\s*$/;
const LXC_LINE = /^(lxc\.[a-z0-9_\-.]+)(:|\s*=)\s*(.*?)\s*$/;

/** Parses config file text; `vmid` only labels warnings. */
export function parseGuestConfig(raw: string, vmid: number): GuestConfig {
  const config: GuestConfig = { current: {}, lxc: [], snapshots: {}, warnings: [] };
  let section = config.current;
  let inMain = true;
  let description = "";

  const closeSection = () => {
    if (description) {
      section.description = description;
    }
    description = "";
  };

  for (const line of raw.split("\n")) {
    if (/^\s*$/.test(line)) {
      continue;
    }

    const header = SNAPSHOT_HEADER.exec(line);
    if (header || PENDING_HEADER.test(line)) {
      closeSection();
      section = {};
      inMain = false;
      // Pending changes are never written by the simulator, which applies every option at once.
      if (header) {
        config.snapshots[header[1]!] = section;
      }
      continue;
    }

    if (line.startsWith("#")) {
      description += `${decodeText(line.slice(1))}\n`;
      continue;
    }

    const keyValue = KEY_VALUE.exec(line);
    if (keyValue) {
      if (keyValue[1] === "description") {
        description += decodeText(keyValue[2]!);
      } else {
        section[keyValue[1]!] = keyValue[2]!;
      }
      continue;
    }

    const lxcLine = LXC_LINE.exec(line);
    if (lxcLine && inMain) {
      config.lxc.push([lxcLine[1]!, lxcLine[3]!]);
      continue;
    }
    config.warnings.push(`vm ${vmid} - unable to parse config: ${line}`);
  }

  closeSection();
  return config;
}

/** Serializes a config the way `write_pct_config` does. */
export function formatGuestConfig(config: GuestConfig): string {
  let raw = formatSection(config.current);
  for (const [key, value] of config.lxc) {
    raw += `${key}: ${value}\n`;
  }

  for (const name of Object.keys(config.snapshots).sort()) {
    raw += `\n[${name}]\n${formatSection(config.snapshots[name]!)}`;
  }
  return raw;
}

function formatSection(values: ConfigValues): string {
  let raw = "";
  const description = values.description ?? "";
  if (description !== "") {
    // Perl's split drops trailing empty fields, so a final newline adds no empty `#` line.
    for (const line of description.replace(/\n+$/, "").split("\n")) {
      raw += `#${encodeText(line)}\n`;
    }
  }

  for (const key of Object.keys(values).sort()) {
    if (key === "description") {
      continue;
    }
    const value = values[key]!;
    if (value.includes("\n")) {
      throw new Error(`detected invalid newline inside property '${key}'`);
    }
    raw += `${key}: ${value}\n`;
  }
  return raw;
}

/**
 * Percent-encodes control characters, bytes >= 0x80 and ':' of the UTF-8 text, like
 * pve-common `PVE::Tools::encode_text` (unsafe set `^\x20-\x39\x3b-\x7e`).
 */
export function encodeText(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const safe = (byte >= 0x20 && byte <= 0x39) || (byte >= 0x3b && byte <= 0x7e);
    encoded += safe
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

/** Reverses encodeText (`uri_unescape` followed by a UTF-8 decode). */
export function decodeText(text: string): string {
  const bytes: number[] = [];
  let index = 0;
  while (index < text.length) {
    const percentEscape = /^%([0-9a-fA-F]{2})/.exec(text.slice(index, index + 3));
    if (percentEscape) {
      bytes.push(Number.parseInt(percentEscape[1]!, 16));
      index += 3;
      continue;
    }
    const character = String.fromCodePoint(text.codePointAt(index)!);
    bytes.push(...Buffer.from(character, "utf8"));
    index += character.length;
  }
  return Buffer.from(bytes).toString("utf8");
}
