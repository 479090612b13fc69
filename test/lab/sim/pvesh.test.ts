import { rm } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  buildTestSimulator,
  containerConfig,
  createSimCluster,
  fetchContainer,
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
  await cluster.writeConfig("pve1", 9000, templateConfig("127.0.99.50"));
  await cluster.writeConfig("pve2", 100, containerConfig(100, "127.0.99.51"));
});

afterEach(async () => {
  await cluster.destroy();
});

async function resources(node: string, ...args: string[]) {
  const result = await cluster.pvesh(
    node,
    "get",
    "/cluster/resources",
    ...args,
    "--output-format",
    "json",
  );
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

describe("pvesh get /cluster/nextid", () => {
  it("returns the lowest free id as a string", async () => {
    await cluster.writeConfig("pve1", 101, containerConfig(101, "127.0.99.52"));

    const json = await cluster.pvesh("pve1", "get", "/cluster/nextid", "--output-format", "json");
    const text = await cluster.pvesh("pve2", "get", "/cluster/nextid");

    expect(json.stdout).toBe('"102"\n');
    expect(text.stdout).toBe("102\n");
  });

  it("rejects a used id", async () => {
    const result = await cluster.pvesh("pve1", "get", "/cluster/nextid", "--vmid", "100");

    expect(result.code).toBe(255);
    expect(result.stderr).toContain("vmid: VM 100 already exists\n");
  });
});

describe("pvesh get /cluster/resources", () => {
  it("lists guests with their fields", async () => {
    const vms = await resources("pve1", "--type", "vm");

    expect(vms.map((vm) => vm.id)).toEqual(["lxc/100", "lxc/9000"]);
    const [container, template] = vms;
    expect(container).toEqual({
      id: "lxc/100",
      vmid: 100,
      node: "pve2",
      type: "lxc",
      name: "ct-100",
      status: "stopped",
      template: 0,
      cpu: 0,
      maxcpu: 2,
      mem: 0,
      maxmem: 1024 * 1024 ** 2,
      disk: 0,
      maxdisk: 2 * 1024 ** 3,
      uptime: 0,
      netin: 0,
      netout: 0,
      diskread: 0,
      diskwrite: 0,
      tags: "web",
    });
    expect(template?.template).toBe(1);
    expect(template?.node).toBe("pve1");
  });

  it("shows the lock of a locked guest", async () => {
    await cluster.writeConfig("pve2", 100, `${containerConfig(100, "127.0.99.51")}lock: create\n`);

    const vms = await resources("pve2", "--type", "vm");

    expect(vms[0]?.lock).toBe("create");
    expect(vms[1]).not.toHaveProperty("lock");
  });

  it("lists nodes with capacity", async () => {
    const nodes = await resources("pve1", "--type", "node");

    expect(nodes.map((node) => node.node)).toEqual(["pve1", "pve2"]);
    expect(nodes[0]).toMatchObject({
      id: "node/pve1",
      type: "node",
      status: "online",
      maxcpu: 8,
      maxmem: 16 * 1024 ** 3,
    });
    expect(nodes[0]?.cpu).toBeTypeOf("number");
    expect(nodes[0]?.mem).toBeTypeOf("number");
  });

  it("reports cpu 0 first and load later", async () => {
    await cluster.pct("pve2", "start", "100");

    const first = (await resources("pve1", "--type", "vm"))[0];
    for (let request = 0; request < 40; request++) {
      await fetchContainer("127.0.99.51");
    }
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const later = (await resources("pve1", "--type", "vm"))[0];

    expect(first?.status).toBe("running");
    expect(first?.cpu).toBe(0);
    expect(later?.cpu).toBeGreaterThan(0.01);
    expect(later?.mem).toBeGreaterThan(0.3 * 1024 * 1024 ** 2);
    expect(later?.uptime).toBeGreaterThanOrEqual(1);
  });

  it("rejects an unknown type", async () => {
    const result = await cluster.pvesh("pve1", "get", "/cluster/resources", "--type", "qemu");

    expect(result.code).toBe(255);
    expect(result.stderr).toContain(
      "type: value 'qemu' does not have a value in the enumeration 'vm, storage, node, sdn'\n",
    );
  });
});

describe("pvesh get /nodes", () => {
  it("reports node memory", async () => {
    const result = await cluster.pvesh(
      "pve2",
      "get",
      "/nodes/pve2/status",
      "--output-format",
      "json",
    );

    const status = JSON.parse(result.stdout);
    expect(status.memory.total).toBe(16 * 1024 ** 3);
    expect(status.memory.used + status.memory.free).toBe(status.memory.total);
  });

  it("lists the containers of a node", async () => {
    const result = await cluster.pvesh("pve1", "get", "/nodes/pve2/lxc", "--output-format", "json");

    const list = JSON.parse(result.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ vmid: 100, status: "stopped", name: "ct-100", type: "lxc" });
  });

  it("reports a container status", async () => {
    const path = "/nodes/pve2/lxc/100/status/current";

    const result = await cluster.pvesh("pve1", "get", path, "--output-format", "json");

    expect(JSON.parse(result.stdout)).toMatchObject({
      vmid: 100,
      status: "stopped",
      maxmem: 1024 ** 3,
    });
  });

  it("adds the proxy error for another node", async () => {
    const result = await cluster.pvesh("pve2", "get", "/nodes/pve1/lxc/100/status/current");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe(
      "Configuration file 'nodes/pve1/lxc/100.conf' does not exist\n" +
        "proxy handler failed: command 'ssh -o BatchMode=yes root@pve1 pvesh --noproxy get " +
        "/nodes/pve1/lxc/100/status/current --output-format json' failed: exit code 255\n",
    );
  });

  it("rejects a container of another node", async () => {
    const result = await cluster.pvesh("pve1", "get", "/nodes/pve1/lxc/100/status/current");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("Configuration file 'nodes/pve1/lxc/100.conf' does not exist\n");
  });

  it("rejects an unknown path", async () => {
    const result = await cluster.pvesh("pve1", "get", "/cluster/unknown");

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("No 'get' handler defined for '/cluster/unknown'\n");
  });
});
