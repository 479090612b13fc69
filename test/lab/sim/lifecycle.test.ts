import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isProcessAlive } from "./files.ts";
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
});

afterEach(async () => {
  await cluster.destroy();
});

describe("pct start", () => {
  it("serves the CT id on the container address", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.20"));

    const result = await cluster.pct("pve1", "start", "105");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(await fetchContainer("127.0.99.20", "/health")).toEqual({
      status: 200,
      body: "ok 105",
      ctId: null,
    });
    expect(await fetchContainer("127.0.99.20", "/any/path")).toEqual({
      status: 200,
      body: "ct 105\n",
      ctId: "105",
    });
  });

  it("rejects a running container", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.21"));
    await cluster.pct("pve1", "start", "105");

    const result = await cluster.pct("pve1", "start", "105");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("CT 105 already running\n");
  });

  it("rejects a template", async () => {
    await cluster.writeConfig("pve1", 9000, templateConfig("127.0.99.22"));

    const result = await cluster.pct("pve1", "start", "9000");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("you can't start a CT if it's a template\n");
  });

  it("rejects a container of another node", async () => {
    await cluster.writeConfig("pve2", 105, containerConfig(105, "127.0.99.23"));

    const start = await cluster.pct("pve1", "start", "105");
    const status = await cluster.pct("pve1", "status", "105");

    expect(start.code).toBe(255);
    expect(start.stderr).toBe("Configuration file 'nodes/pve1/lxc/105.conf' does not exist\n");
    expect(status.stderr).toBe("Configuration file 'nodes/pve1/lxc/105.conf' does not exist\n");
  });

  it("reports the app error when the address is taken", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.24"));
    await cluster.writeConfig("pve1", 106, containerConfig(106, "127.0.99.24"));
    await cluster.pct("pve1", "start", "105");

    const result = await cluster.pct("pve1", "start", "106");

    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/EADDRINUSE/);
    expect(result.stderr).toMatch(/startup for container '106' failed\n$/);
    expect((await cluster.pct("pve1", "status", "106")).stdout).toBe("status: stopped\n");
  });
});

describe("pct shutdown and stop", () => {
  it("stops the app and reports stopped", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.25"));
    await cluster.pct("pve1", "start", "105");

    const result = await cluster.pct(
      "pve1",
      "shutdown",
      "105",
      "--timeout",
      "5",
      "--forceStop",
      "1",
    );

    expect(result.code).toBe(0);
    expect((await cluster.pct("pve1", "status", "105")).stdout).toBe("status: stopped\n");
    await expect(fetchContainer("127.0.99.25")).rejects.toThrow();
  });

  it("rejects a stopped container", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.26"));

    const shutdown = await cluster.pct("pve1", "shutdown", "105");
    const stop = await cluster.pct("pve1", "stop", "105");

    expect(shutdown.code).toBe(255);
    expect(shutdown.stderr).toBe("CT 105 not running\n");
    expect(stop.stderr).toBe("CT 105 not running\n");
  });

  it("reports a crashed app as stopped", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.27"));
    await cluster.pct("pve1", "start", "105");
    const pid = Number(await readFile(join(cluster.dir, "run", "105.pid"), "utf8"));

    process.kill(pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect((await cluster.pct("pve1", "status", "105")).stdout).toBe("status: stopped\n");
    expect((await cluster.pct("pve1", "start", "105")).code).toBe(0);
  });
});

describe("container app", () => {
  it("exits once unregistered", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.34"));
    await cluster.pct("pve1", "start", "105");
    const pidFile = join(cluster.dir, "run", "105.pid");
    const pid = Number(await readFile(pidFile, "utf8"));

    await rm(pidFile);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect(isProcessAlive(pid)).toBe(false);
    await expect(fetchContainer("127.0.99.34")).rejects.toThrow();
  });
});

describe("pct destroy", () => {
  it("rejects a running container", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.28"));
    await cluster.pct("pve1", "start", "105");

    const result = await cluster.pct("pve1", "destroy", "105");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("unable to destroy CT 105 - container is running\n");
    expect(await cluster.readConfig("pve1", 105)).toContain("hostname: ct-105");
  });

  it("stops and removes with force", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.29"));
    await cluster.pct("pve1", "start", "105");

    const result = await cluster.pct("pve1", "destroy", "105", "--force", "1", "--purge", "1");

    expect(result.code).toBe(0);
    expect(result.stderr).toBe("forced to stop CT 105 before destroying!\n");
    expect(result.stdout).toBe("purging CT 105 from related configurations..\n");
    await expect(cluster.readConfig("pve1", 105)).rejects.toThrow();
    await expect(fetchContainer("127.0.99.29")).rejects.toThrow();
  });

  it("removes a stopped container", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.30"));

    const result = await cluster.pct("pve1", "destroy", "105");

    expect(result.code).toBe(0);
    expect((await cluster.pct("pve1", "list")).stdout).toBe("");
  });

  it("rejects a template with linked clones", async () => {
    await cluster.writeConfig("pve1", 9000, templateConfig("127.0.99.31"));
    await cluster.pct("pve1", "clone", "9000", "105", "--target", "pve2");

    const result = await cluster.pct("pve1", "destroy", "9000");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("base volume 'base-9000-disk-0' is still in use by linked clones\n");
    expect(await cluster.readConfig("pve1", 9000)).toContain("template: 1");
  });

  it("rejects a protected container", async () => {
    await cluster.writeConfig("pve1", 105, `${containerConfig(105, "127.0.99.32")}protection: 1\n`);

    const result = await cluster.pct("pve1", "destroy", "105");

    expect(result.code).toBe(255);
    expect(result.stderr).toBe("can't remove CT 105 - protection mode enabled\n");
  });
});

describe("pct template", () => {
  it("converts the volume to a base volume", async () => {
    await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.33"));

    const result = await cluster.pct("pve1", "template", "105");

    expect(result.code).toBe(0);
    const config = await cluster.readConfig("pve1", 105);
    expect(config).toContain("rootfs: shared:base-105-disk-0,size=2G\n");
    expect(config).toContain("template: 1\n");
  });
});
