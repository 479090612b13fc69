import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parsePctConfig,
  parseTags,
  pctClone,
  pctConfig,
  pctDestroy,
  pctSet,
  pctShutdown,
  pctStart,
  pctStop,
  replaceNet0Ip,
} from "../../src/ops/pct.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
const templateOutput = fixture("pct-config-template.txt");
const rawConfig = fixture("pct-105.conf");

function parsed(text: string) {
  const result = parsePctConfig(text);
  if (!result.ok) throw new Error(result.error);
  return result.config;
}

describe("parsePctConfig", () => {
  it("reads pct config output", () => {
    const config = parsed(templateOutput);

    expect(config.hostname).toBe("api-gw-tpl");
    expect(config.memory).toBe(1024);
    expect(config.cores).toBe(2);
    expect(config.template).toBe(true);
    expect(config.tags).toEqual(["api-gw", "template"]);
    expect(config.rootfs).toBe("local-lvm:base-9000-disk-0,size=8G");
    expect(config.lock).toBeUndefined();
  });

  it("keeps net0 verbatim", () => {
    const config = parsed(templateOutput);

    expect(config.networks).toEqual({
      net0: "name=eth0,bridge=vmbr0,firewall=1,gw=10.20.0.1,hwaddr=BC:24:11:5E:7A:01,ip=10.20.0.50/24,type=veth",
    });
  });

  it("decodes the description key", () => {
    const config = parsed(templateOutput);

    expect(config.description).toBe(
      "api-gw template\nbuilt from debian-12-standard_12.2-1 : do not start\n",
    );
  });

  it("collects comment lines as description", () => {
    const config = parsed(rawConfig);

    expect(config.description).toBe("api-gw replica: managed by psa\nsecond line with 100% care");
  });

  it("stops at the first snapshot section", () => {
    const config = parsed(rawConfig);

    expect(config.hostname).toBe("api-gw-1");
    expect(config.memory).toBe(1024);
    expect(config.networks.net0).toContain("ip=10.20.0.51/24");
  });

  it("reads lock, tags and every netN", () => {
    const config = parsed(rawConfig);

    expect(config.lock).toBe("backup");
    expect(config.tags).toEqual(["api-gw", "blue"]);
    expect(config.template).toBe(false);
    expect(Object.keys(config.networks)).toEqual(["net0", "net1"]);
  });

  it("stops at the pending section", () => {
    const text = "hostname: web-1\nmemory: 512\n\n[pve:pending]\nmemory: 2048\n";

    const config = parsed(text);

    expect(config.memory).toBe(512);
  });

  it("accepts CRLF and trailing blank lines", () => {
    const text = `${templateOutput.replaceAll("\n", "\r\n")}\r\n\r\n`;

    const config = parsed(text);

    expect(config.hostname).toBe("api-gw-tpl");
    expect(config.tags).toEqual(["api-gw", "template"]);
  });

  it("accepts lxc keys written with =", () => {
    const text = "hostname: web-1\nlxc.cgroup2.devices.allow = c 10:200 rwm\n";

    const config = parsed(text);

    expect(config.hostname).toBe("web-1");
  });

  it("rejects a line without a key", () => {
    const result = parsePctConfig("hostname: web-1\nunable to parse value\n");

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('"unable to parse value"');
  });

  it("rejects an error message as output", () => {
    const result = parsePctConfig("Configuration file 'nodes/pve1/lxc/105.conf' does not exist\n");

    expect(result.ok).toBe(false);
  });

  it("rejects a non-numeric memory value", () => {
    const result = parsePctConfig("memory: 1G\n");

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("memory");
  });

  it("rejects an unknown template value", () => {
    const result = parsePctConfig("template: maybe\n");

    expect(result.ok).toBe(false);
  });

  it("returns defaults for empty output", () => {
    const config = parsed("");

    expect(config).toEqual({ template: false, tags: [], networks: {}, description: "" });
  });
});

describe("parseTags", () => {
  it("splits on semicolons, commas and spaces", () => {
    expect(parseTags("a;b,c d")).toEqual(["a", "b", "c", "d"]);
  });

  it("returns no tags for an empty value", () => {
    expect(parseTags("")).toEqual([]);
  });
});

describe("replaceNet0Ip", () => {
  const net0 =
    "name=eth0,bridge=vmbr0,firewall=1,gw=10.20.0.1,hwaddr=BC:24:11:5E:7A:01,ip=10.20.0.50/24,tag=20,type=veth";

  it("changes only the ip item", () => {
    const result = replaceNet0Ip(net0, "10.20.0.61/24");

    expect(result).toEqual({
      ok: true,
      net0: "name=eth0,bridge=vmbr0,firewall=1,gw=10.20.0.1,hwaddr=BC:24:11:5E:7A:01,ip=10.20.0.61/24,tag=20,type=veth",
    });
  });

  it("replaces dhcp", () => {
    const result = replaceNet0Ip("name=eth0,bridge=vmbr0,ip=dhcp,type=veth", "10.20.0.61/24");

    expect(result.ok && result.net0).toBe("name=eth0,bridge=vmbr0,ip=10.20.0.61/24,type=veth");
  });

  it("appends ip when absent", () => {
    const result = replaceNet0Ip("name=eth0,bridge=vmbr0", "10.20.0.61/24");

    expect(result.ok && result.net0).toBe("name=eth0,bridge=vmbr0,ip=10.20.0.61/24");
  });

  it.each(["10.20.0.61", "10.20.0.61/33", "10.20.0.256/24", "dhcp", "10.20.0.61/24,gw=1.1.1.1"])(
    "rejects %j as CIDR",
    (cidr) => {
      const result = replaceNet0Ip(net0, cidr);

      expect(result.ok).toBe(false);
    },
  );

  it("rejects a malformed net0", () => {
    const result = replaceNet0Ip("name=eth0,,ip=dhcp", "10.20.0.61/24");

    expect(result.ok).toBe(false);
  });
});

describe("pct builders", () => {
  it("builds a linked clone onto another node", () => {
    const argv = pctClone({ vmid: 9000, newid: 105, hostname: "api-gw-3", target: "pve2" });

    expect(argv).toEqual([
      "pct",
      "clone",
      "9000",
      "105",
      "--hostname",
      "api-gw-3",
      "--target",
      "pve2",
    ]);
  });

  it("omits the target when none is given", () => {
    const argv = pctClone({ vmid: 9000, newid: 105, hostname: "api-gw-3" });

    expect(argv).toEqual(["pct", "clone", "9000", "105", "--hostname", "api-gw-3"]);
  });

  it.each([
    { vmid: 99, newid: 105, hostname: "a" },
    { vmid: 9000, newid: 1.5, hostname: "a" },
    { vmid: 9000, newid: 1_000_000_000, hostname: "a" },
    { vmid: 9000, newid: 105, hostname: "api gw" },
    { vmid: 9000, newid: 105, hostname: "-api" },
    { vmid: 9000, newid: 105, hostname: "a", target: "pve2;reboot" },
  ])("rejects clone input %j", (options) => {
    expect(() => pctClone(options)).toThrow(RangeError);
  });

  it("sets net0 and tags", () => {
    const argv = pctSet(105, { net0: "name=eth0,ip=10.20.0.61/24", tags: ["api-gw", "psa"] });

    expect(argv).toEqual([
      "pct",
      "set",
      "105",
      "--net0",
      "name=eth0,ip=10.20.0.61/24",
      "--tags",
      "api-gw;psa",
    ]);
  });

  it("deletes tags for an empty list", () => {
    expect(pctSet(105, { tags: [] })).toEqual(["pct", "set", "105", "--delete", "tags"]);
  });

  it("rejects set without options", () => {
    expect(() => pctSet(105, {})).toThrow(RangeError);
  });

  it("rejects an invalid tag", () => {
    expect(() => pctSet(105, { tags: ["ok", "bad;tag"] })).toThrow(RangeError);
  });

  it("rejects a malformed net0", () => {
    expect(() => pctSet(105, { net0: "name=eth0,,x" })).toThrow(RangeError);
  });

  it("builds lifecycle commands", () => {
    expect(pctStart(105)).toEqual(["pct", "start", "105"]);
    expect(pctShutdown(105, 60)).toEqual(["pct", "shutdown", "105", "--timeout", "60"]);
    expect(pctStop(105)).toEqual(["pct", "stop", "105"]);
    expect(pctDestroy(105)).toEqual(["pct", "destroy", "105", "--purge", "1"]);
    expect(pctConfig(105)).toEqual(["pct", "config", "105"]);
  });

  it("rejects a zero shutdown timeout", () => {
    expect(() => pctShutdown(105, 0)).toThrow(RangeError);
  });
});
