import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearFaults, injectFault } from "./faults.ts";
import {
  buildTestSimulator,
  containerConfig,
  createSimCluster,
  runNode,
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
  await cluster.writeConfig("pve1", 105, containerConfig(105, "127.0.99.60"));
});

afterEach(async () => {
  await cluster.destroy();
});

async function faultFiles(): Promise<string[]> {
  return readdir(join(cluster.dir, "faults")).catch(() => []);
}

describe("faults in pct and pvesh", () => {
  it("fails the matching command", async () => {
    await injectFault(cluster.dir, {
      host: "pve1",
      command: "pct set 105 --net0",
      exitCode: 3,
      stderr: "simulated net0 failure\n",
    });

    const result = await cluster.pct("pve1", "set", "105", "--net0", "name=eth0,ip=127.0.99.61/24");

    expect(result.code).toBe(3);
    expect(result.stderr).toBe("simulated net0 failure\n");
    expect(await cluster.readConfig("pve1", 105)).toContain("ip=127.0.99.60/24");
    expect(await faultFiles()).toEqual([]);
  });

  it("ignores other hosts and commands", async () => {
    await injectFault(cluster.dir, { host: "pve2", command: "pct set", exitCode: 1 });
    await injectFault(cluster.dir, { host: "pve1", command: "pct start", exitCode: 1 });

    const result = await cluster.pct("pve1", "set", "105", "--cores", "4");

    expect(result.code).toBe(0);
    expect(await faultFiles()).toHaveLength(2);
  });

  it("fires remaining times then stops", async () => {
    await injectFault(cluster.dir, { host: "*", command: "pvesh get", exitCode: 7, remaining: 2 });

    const first = await cluster.pvesh("pve1", "get", "/cluster/nextid");
    const second = await cluster.pvesh("pve2", "get", "/cluster/nextid");
    const third = await cluster.pvesh("pve1", "get", "/cluster/nextid");

    expect(first.code).toBe(7);
    expect(second.code).toBe(7);
    expect(third.code).toBe(0);
    expect(third.stdout).toBe("100\n");
  });

  it("hangs before failing", async () => {
    await injectFault(cluster.dir, {
      host: "pve1",
      command: "pct clone",
      exitCode: 255,
      stderr: "timeout\n",
      hangSeconds: 1,
    });

    const result = await cluster.pct("pve1", "clone", "105", "106");

    expect(result.code).toBe(255);
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    await expect(cluster.readConfig("pve1", 106)).rejects.toThrow();
  });

  it("never fires a stdin fault in pct", async () => {
    await injectFault(cluster.dir, {
      host: "pve1",
      command: "pct status",
      exitCode: 1,
      stdinContains: "",
    });

    const result = await cluster.pct("pve1", "status", "105");

    expect(result.code).toBe(0);
  });

  it("clears every fault", async () => {
    await injectFault(cluster.dir, { host: "*", command: "pct", exitCode: 1 });
    await injectFault(cluster.dir, { host: "*", command: "pvesh", exitCode: 1 });

    await clearFaults(cluster.dir);

    expect(await faultFiles()).toEqual([]);
    expect((await cluster.pct("pve1", "list")).code).toBe(0);
  });
});

describe("fault-check", () => {
  it("exits 0 silently without a fault", async () => {
    const result = await cluster.faultCheck("lb1", ["haproxy", "-c", "-f", "/etc/haproxy.cfg"]);

    expect(result).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });

  it("turns exit code 0 into 1", async () => {
    await injectFault(cluster.dir, {
      host: "lb1",
      command: "haproxy -c",
      exitCode: 0,
      stderr: "bad\n",
    });

    const result = await cluster.faultCheck("lb1", ["haproxy", "-c", "-f", "/etc/haproxy.cfg"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("bad\n");
  });

  it("matches stdin and passes unmatched input on", async () => {
    await injectFault(cluster.dir, {
      host: "*",
      command: "socat",
      exitCode: 2,
      stderr: "disable failed\n",
      stdinContains: "disable server",
    });
    const copy = join(tmpdir(), `psa-sim-stdin-${process.pid}`);
    const env = { PSA_FAULT_STDIN_OUT: copy };
    const argv = ["socat", "stdio", "/run/haproxy/admin.sock"];

    const passed = await cluster.faultCheck("lb1", argv, {
      stdin: "enable server web/ct105\n",
      env,
    });
    const replay = await readFile(copy, "utf8");
    const fired = await cluster.faultCheck("lb1", argv, {
      stdin: "disable server web/ct105\n",
      env,
    });

    expect(passed.code).toBe(0);
    expect(replay).toBe("enable server web/ct105\n");
    expect(fired.code).toBe(2);
    expect(fired.stderr).toBe("disable failed\n");
    await expect(readFile(copy, "utf8")).rejects.toThrow();
    await rm(copy, { force: true });
  });
});

describe("environment", () => {
  it("exits 2 without PSA_SIM_NODE", async () => {
    const result = await runNode(join(binDir, "pct.mjs"), ["list"], {
      PSA_SIM_CLUSTER: cluster.dir,
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("PSA_SIM_NODE is not set");
  });

  it("exits 2 without PSA_SIM_CLUSTER", async () => {
    const result = await runNode(join(binDir, "pvesh.mjs"), ["get", "/nodes"], {
      PSA_SIM_NODE: "pve1",
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("PSA_SIM_CLUSTER is not set");
  });
});
