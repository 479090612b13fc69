/**
 * The app inside a simulated container. A template's description contains one line
 * `psa-sim-app: port=8080 health=/health`. Clones copy the description as Proxmox copies every
 * other option, so every clone runs the same app. The app listens on net0's `ip=` address.
 */
import type { ConfigValues } from "./ct-config.ts";
import { netSchema, parsePropertyString } from "./property-string.ts";

/** The app declared in a container's description. */
export interface AppSpec {
  port: number;
  /** Request path of the health check, which returns `ok <vmid>`. */
  healthPath: string;
}

const APP_LINE = /^psa-sim-app:\s*(.*)$/m;

/**
 * Returns the app declared in `description`, undefined when there is none.
 * Throws an Error naming the bad token when the line is malformed.
 */
export function parseAppSpec(description: string | undefined): AppSpec | undefined {
  const line = description === undefined ? null : APP_LINE.exec(description);
  if (!line) {
    return undefined;
  }

  const fields: Record<string, string> = {};
  for (const token of line[1]!.trim().split(/\s+/)) {
    const [key, value] = token.split("=", 2);
    if (!key || value === undefined || !["port", "health"].includes(key)) {
      throw new Error(`invalid psa-sim-app token '${token}'; expected port=N health=/path`);
    }
    fields[key] = value;
  }

  const port = Number(fields.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`invalid psa-sim-app port '${fields.port ?? ""}'; expected 1-65535`);
  }
  return { port, healthPath: fields.health ?? "/health" };
}

/** Returns net0's static IPv4 address without the prefix length, or undefined (dhcp, none). */
export function containerAddress(values: ConfigValues): string | undefined {
  if (values.net0 === undefined) {
    return undefined;
  }
  const ip = parsePropertyString(netSchema, values.net0, "net0").ip;
  const match = ip === undefined ? null : /^([\d.]+)\/\d+$/.exec(ip);
  return match ? match[1] : undefined;
}
