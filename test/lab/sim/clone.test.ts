import { rm } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  buildTestSimulator,
  containerConfig,
  createSimCluster,
  type SimCluster,
  templateConfig,
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
  await cluster.writeConfig("pve1", 9000, templateConfig("127.0.99.10"));
});

afterEach(async () => {
  await cluster.destroy();
});

describe("pct clone", () => {
  it("creates a linked clone on the target node", async () => {
    const result = await cluster.pct(
      "pve1",
      "clone",
      "9000",
      "105",
      "--hostname",
      "web-105",
      "--target",
      "pve2",
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "create linked clone of mount point rootfs (shared:base-9000-disk-0)\n",
    );
    const config = await cluster.readConfig("pve2", 105);
    expect(config).toContain("rootfs: shared:base-9000-disk-0/vm-105-disk-0,size=2G\n");
    expect(config).toContain("hostname: web-105\n");
    expect(config).toContain("#psa-sim-app%3A port=18080 health=/health\n");
    expect(config).toContain("tags: web\n");
    expect(config).not.toContain("template:");
    expect(config).not.toContain("lock:");
    await expect(cluster.readConfig("pve1", 105)).rejects.toThrow();
  });

  it("copies net0 with a new hwaddr", async () => {
    await cluster.pct("pve1", "clone", "9000", "105");

    const config = await cluster.readConfig("pve1", 105);

    const net0 = /^net0: (.*)$/m.exec(config)?.[1] ?? "";
    expect(net0).toMatch(
      /^name=eth0,bridge=vmbr0,gw=127\.0\.99\.1,hwaddr=BC:24:11:[0-9A-F:]{8},ip=127\.0\.99\.10\/24,type=veth$/,
    );
    expect(net0).not.toContain("hwaddr=BC:24:11:5E:7A:01");
  });

  it("keeps the source hostname by default", async () => {
    await cluster.pct("pve1", "clone", "9000", "105");

    const config = await cluster.readConfig("pve1", 105);

    expect(config).toContain("hostname: web-template\n");
  });

  it("rejects an id that exists on another node", async () => {
    await cluster.writeConfig("pve2", 105, containerConfig(105, "127.0.99.11"));

    const result = await cluster.pct("pve1", "clone", "9000", "105");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("CT 105 already exists on node 'pve2'\n");
    expect(await cluster.readConfig("pve1", 9000)).not.toContain("lock:");
  });

  it("rejects a full clone of a running container without snapshot", async () => {
    await cluster.writeConfig("pve1", 200, containerConfig(200, "127.0.99.12"));
    expect((await cluster.pct("pve1", "start", "200")).code).toBe(0);

    const result = await cluster.pct("pve1", "clone", "200", "201");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("Cannot do full clones on a running container without snapshots\n");
    await expect(cluster.readConfig("pve1", 201)).rejects.toThrow();
    expect(await cluster.readConfig("pve1", 200)).not.toContain("lock:");
  });

  it("clones a running container from a snapshot", async () => {
    await cluster.writeConfig("pve1", 200, containerConfig(200, "127.0.99.13"));
    await cluster.pct("pve1", "start", "200");
    await cluster.pct("pve1", "snapshot", "200", "base");

    const result = await cluster.pct("pve1", "clone", "200", "201", "--snapname", "base");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("create full clone of mountpoint rootfs");
    expect(await cluster.readConfig("pve1", 201)).toContain(
      "rootfs: shared:vm-201-disk-0,size=2G\n",
    );
  });

  it("allows a full clone of a template", async () => {
    const result = await cluster.pct(
      "pve1",
      "clone",
      "9000",
      "106",
      "--full",
      "1",
      "--storage",
      "local",
    );

    expect(result.code).toBe(0);
    expect(await cluster.readConfig("pve1", 106)).toContain(
      "rootfs: local:vm-106-disk-0,size=2G\n",
    );
  });

  it("rejects a target with local storage", async () => {
    await cluster.writeConfig(
      "pve1",
      9000,
      templateConfig("127.0.99.10").replace("shared:", "local:"),
    );

    const result = await cluster.pct("pve1", "clone", "9000", "105", "--target", "pve2");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe(
      "found non-shared volume: local:base-9000-disk-0\ncan't clone CT to node 'pve2' (CT uses local storage)\n",
    );
  });

  it("rejects storage for a linked clone", async () => {
    const result = await cluster.pct("pve1", "clone", "9000", "105", "--storage", "shared");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("parameter 'storage' not allowed for linked clones\n");
  });

  it("fails for a template on another node", async () => {
    const result = await cluster.pct("pve2", "clone", "9000", "105");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("Configuration file 'nodes/pve2/lxc/9000.conf' does not exist\n");
  });

  it("locks source and clone while copying", async () => {
    const slow = await createSimCluster(binDir, 1500);
    await slow.writeConfig("pve1", 9000, templateConfig("127.0.99.14"));
    const clone = slow.pct("pve1", "clone", "9000", "105", "--target", "pve2");
    await waitFor(async () =>
      (await slow.readConfig("pve1", 105).catch(() => "")).includes("lock:"),
    );

    const sourceChange = await slow.pct("pve1", "set", "9000", "--cores", "4");
    const cloneStart = await slow.pct("pve1", "start", "105");
    const secondClone = await slow.pct("pve1", "clone", "9000", "106");
    const list = await slow.pct("pve1", "list");

    expect(sourceChange.code).toBe(255);
    expect(sourceChange.stderr).toBe("CT is locked (disk)\n");
    expect(cloneStart.code).toBe(255);
    expect(cloneStart.stderr).toBe("CT is locked (create)\n");
    expect(secondClone.code).toBe(255);
    expect(secondClone.stderr).toBe("CT is locked (disk)\n");
    expect(list.stdout).toMatch(/^105 +stopped +create +web-template/m);
    expect(list.stdout).toMatch(/^9000 +stopped +disk +web-template/m);
    expect((await clone).code).toBe(0);
    expect(await slow.readConfig("pve1", 9000)).not.toContain("lock:");
    await slow.destroy();
  });

  it("rejects an unknown option with the usage", async () => {
    const result = await cluster.pct("pve1", "clone", "9000", "105", "--linked");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe(
      "Unknown option: linked\n400 unable to parse option\npct clone <vmid> <newid> [OPTIONS]\n",
    );
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error("condition not met in time");
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
