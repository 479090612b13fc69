/** Hostname and IPv4 address of one container, from its config file. */
export interface ContainerConfigFields {
  hostname?: string;
  ip?: string;
}

/**
 * Parses `grep -H -E '^(hostname|net0): '` output over `nodes/NODE/lxc/VMID.conf` files. The first
 * match per key wins because snapshot sections, which repeat keys, follow the current config.
 */
export function parseContainerConfigLines(text: string): Map<number, ContainerConfigFields> {
  const containers = new Map<number, ContainerConfigFields>();
  for (const line of text.split("\n")) {
    const match = /\/lxc\/(\d+)\.conf:(hostname|net0): (.*)$/.exec(line);
    if (!match) continue;

    const vmid = Number(match[1]);
    const fields = containers.get(vmid) ?? {};
    if (match[2] === "hostname") fields.hostname ??= match[3]?.trim();
    if (match[2] === "net0")
      fields.ip ??= /(?:^|,)ip=([0-9.]+)(?:\/\d+)?(?:,|$)/.exec(match[3] ?? "")?.[1];
    containers.set(vmid, fields);
  }
  return containers;
}
