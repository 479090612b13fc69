import { rm } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  buildTestSimulator,
  containerConfig,
  createSimCluster,
  fetchContainer,
  type SimCluster,
} from "./sim-harness.ts";

let binDir: string;
let cluster: SimCluster;

beforeAll(async () => {
  binDir = await buildTestSimulator();
});

afterAll(async () => {
  await rm(binDir, { recursive: true, force: true });
});

beforeEach(async () => {
  cluster = await createSimCluster(binDir);
  await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.40"));
});

afterEach(async () => {
  await cluster.destroy();
});

function net0Of(config: string): string {
  return /^net0: (.*)$/m.exec(config)?.[1] ?? "";
}

describe("pct set --net0", () => {
  it("replaces the whole value", async () => {
    const result = await cluster.pct(
      "pve1",
      "set",
      "105",
      "--net0",
      "name=eth0,ip=127.0.99.41/24,hwaddr=BC:24:11:00:00:01",
    );

    expect(result.code).toBe(0);
    expect(net0Of(await cluster.readConfig("pve1", 105))).toBe(
      "name=eth0,hwaddr=BC:24:11:00:00:01,ip=127.0.99.41/24,type=veth",
    );
  });

  it("generates a new hwaddr when omitted", async () => {
    await cluster.pct("pve1", "set", "105", "--net0", "name=eth0,bridge=vmbr0,ip=127.0.99.41/24");

    const net0 = net0Of(await cluster.readConfig("pve1", 105));

    expect(net0).toMatch(
      /^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=127\.0\.99\.41\/24,type=veth$/,
    );
    expect(net0).not.toContain("BC:24:11:5E:7A:01");
  });

  it("moves a running app to the new address", async () => {
    await cluster.pct("pve1", "start", "105");

    const result = await cluster.pct("pve1", "set", "105", "--net0", "name=eth0,ip=127.0.99.42/24");

    expect(result.code).toBe(0);
    expect((await fetchContainer("127.0.99.42", "/health")).body).toBe("ok 105");
    await expect(fetchContainer("127.0.99.40", "/health")).rejects.toThrow();
  });

  it("rejects an invalid ip", async () => {
    const result = await cluster.pct("pve1", "set", "105", "--net0", "name=eth0,ip=127.0.99.41");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe(
      "400 Parameter verification failed.\n" +
        "net0: invalid format - format error\n" +
        "net0.ip: invalid format - value does not look like a valid ipv4 network configuration\n\n\n" +
        "pct set <vmid> [OPTIONS]\n",
    );
  });

  it("rejects an unknown key", async () => {
    const result = await cluster.pct("pve1", "set", "105", "--net0", "name=eth0,address=1.2.3.4");

    expect(result.stderr).toBe(
      "400 Parameter verification failed.\n" +
        "net0: invalid format - invalid key in comma-separated list property: address\n\n" +
        "pct set <vmid> [OPTIONS]\n",
    );
  });

  it("requires the interface name", async () => {
    const result = await cluster.pct("pve1", "set", "105", "--net0", "ip=127.0.99.41/24");

    expect(result.code).toBe(255);
    expect(result.stderr).toContain("net0.name: property is missing and it is not optional\n");
  });
});

describe("pct set", () => {
  it("normalizes tags", async () => {
    await cluster.pct("pve1", "set", "105", "--tags", "Web;blue,web green");

    expect(await cluster.readConfig("pve1", 105)).toContain("tags: blue;green;web\n");
  });

  it("rejects invalid tags", async () => {
    const result = await cluster.pct("pve1", "set", "105", "--tags", "a/b");

    expect(result.code).toBe(255);
    expect(result.stderr).toContain("tags: invalid format - invalid characters in tag\n");
  });

  it("rejects an unknown option", async () => {
    const result = await cluster.pct("pve1", "set", "105", "--ip", "1.2.3.4");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe(
      "Unknown option: ip\n400 unable to parse option\npct set <vmid> [OPTIONS]\n",
    );
  });

  it("validates numbers", async () => {
    const result = await cluster.pct("pve1", "set", "105", "--cores", "two", "--memory", "8");

    expect(result.stderr).toBe(
      "400 Parameter verification failed.\n" +
        "cores: type check ('integer') failed - got 'two'\n" +
        "memory: value must have a minimum value of 16\n" +
        "pct set <vmid> [OPTIONS]\n",
    );
  });

  it("sets and deletes options", async () => {
    const result = await cluster.pct(
      "pve1",
      "set",
      "105",
      "--cores",
      "4",
      "--memory",
      "2048",
      "--delete",
      "tags",
    );

    expect(result.code).toBe(0);
    const config = await cluster.readConfig("pve1", 105);
    expect(config).toContain("cores: 4\n");
    expect(config).toContain("memory: 2048\n");
    expect(config).not.toContain("tags:");
  });

  it("writes the description as comment lines", async () => {
    await cluster.pct(
      "pve1",
      "set",
      "105",
      "--description",
      "psa-sim-app: port=18080 health=/health\nowner: ops",
    );

    const config = await cluster.readConfig("pve1", 105);
    const printed = await cluster.pct("pve1", "config", "105");

    expect(
      config.startsWith("#psa-sim-app%3A port=18080 health=/health\n#owner%3A ops\narch: amd64\n"),
    ).toBe(true);
    expect(printed.stdout).toContain(
      "description: psa-sim-app%3A port=18080 health=/health%0Aowner%3A ops%0A\n",
    );
  });
});

describe("pct resize", () => {
  it("grows the root volume", async () => {
    const result = await cluster.pct("pve1", "resize", "105", "rootfs", "+20G");

    expect(result.code).toBe(0);
    expect(await cluster.readConfig("pve1", 105)).toContain(
      "rootfs: shared:vm-105-disk-0,size=22G\n",
    );
  });

  it("never shrinks", async () => {
    const result = await cluster.pct("pve1", "resize", "105", "rootfs", "1G");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("unable to shrink disk size\n");
    expect(await cluster.readConfig("pve1", 105)).toContain("size=2G\n");
  });

  it("reports an unchanged size", async () => {
    const result = await cluster.pct("pve1", "resize", "105", "rootfs", "2G");

    expect(result.stderr).toBe("disk is already at specified size\n");
  });

  it("shows the size in df", async () => {
    await cluster.pct("pve1", "resize", "105", "rootfs", "4G");
    await cluster.pct("pve1", "start", "105");

    const result = await cluster.pct("pve1", "exec", "105", "--", "df", "-B1", "/");

    expect(result.code).toBe(0);
    const [header, row] = result.stdout.trim().split("\n");
    expect(header).toMatch(/^Filesystem +1B-blocks +Used +Available +Use% +Mounted on$/);
    const total = Number(row?.split(/\s+/)[1]);
    expect(total).toBeGreaterThan(0.9 * 4 * 1024 ** 3);
    expect(total).toBeLessThanOrEqual(4 * 1024 ** 3);
  });
});

describe("pct config and snapshots", () => {
  it("prints sorted keys", async () => {
    const result = await cluster.pct("pve1", "config", "105");

    const keys = result.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(":")[0]);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain("description");
  });

  it("lists snapshots with the current state", async () => {
    await cluster.pct("pve1", "snapshot", "105", "before", "--description", "pre upgrade");

    const result = await cluster.pct("pve1", "listsnapshot", "105");

    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^`-> before {22}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {5}pre upgrade$/);
    expect(lines[1]).toMatch(/^ {4}`-> current {41}You are here!$/);
    expect(await cluster.readConfig("pve1", 105)).toContain("parent: before\n");
  });

  it("removes a snapshot", async () => {
    await cluster.pct("pve1", "snapshot", "105", "before");

    const result = await cluster.pct("pve1", "delsnapshot", "105", "before");

    expect(result.code).toBe(0);
    const config = await cluster.readConfig("pve1", 105);
    expect(config).not.toContain("[before]");
    expect(config).not.toContain("parent:");
  });
});
