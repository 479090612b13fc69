import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { NodeSSH } from "node-ssh";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inventorySchema, policyFileSchema } from "../../src/config/schema.ts";
import { haproxyCommand } from "./haproxy.ts";
import { type Lab, labStatus, startLab, stopLab } from "./lab.ts";
import type { HostName } from "./layout.ts";
import { isLabProcess, readPidFile } from "./process.ts";
import { readLabRecord } from "./record.ts";

const NET = 78;

let stateDir: string;
let lab: Lab;

/** Returns an OpenSSH-style SHA256 fingerprint of a raw host key blob. */
function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

async function connect(host: HostName, pinned = lab.hosts[host].fingerprint): Promise<NodeSSH> {
  const ssh = new NodeSSH();
  const { address, port } = lab.hosts[host];

  await ssh.connect({
    host: address,
    port,
    username: "root",
    privateKeyPath: join(stateDir, "keys", "id_ed25519"),
    hostVerifier: (key: Buffer) => fingerprintOf(key) === pinned,
    readyTimeout: 5000,
  });
  return ssh;
}

async function run(host: HostName, command: string, stdin?: string) {
  const ssh = await connect(host);
  try {
    return await ssh.execCommand(command, stdin === undefined ? {} : { stdin });
  } finally {
    ssh.dispose();
  }
}

/** Returns the pids of processes whose command line contains `text`. */
async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];

  for (const entry of await readdir("/proc")) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (/^\d+$/.test(entry) && cmdline.replaceAll("\0", " ").includes(text)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

async function fetchBody(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return response.text();
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "psa-lab-"));
  lab = await startLab({ stateDir, net: NET });
}, 60_000);

afterAll(async () => {
  await stopLab(stateDir);
  await rm(stateDir, { recursive: true, force: true });
}, 30_000);

describe("lab", () => {
  it("accepts the lab key on every host", async () => {
    for (const host of ["pve1", "pve2", "lb1"] as const) {
      const result = await run(host, 'id -u; echo "$PSA_SIM_CLUSTER"');

      expect(result.code, `${host}: ${result.stderr}`).toBe(0);
      expect(result.stdout.split("\n")).toEqual(["0", lab.clusterDir]);
    }
  });

  it("rejects a host key other than the pinned one", async () => {
    const wrongPin = `SHA256:${"A".repeat(43)}`;

    await expect(connect("pve1", wrongPin)).rejects.toThrow();
  });

  it("lists only pve1's containers with pct list", async () => {
    const result = await run("pve1", "pct list");
    const vmids = result.stdout
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[0]);

    expect(result.code, result.stderr).toBe(0);
    expect(vmids).toContain("101");
    expect(vmids).toContain("111");
    expect(vmids).not.toContain("102");
    expect(vmids).not.toContain("112");
  });

  it("balances api-gw over both replicas", async () => {
    const url = `http://${lab.haproxy.frontends["api-gw"]}/`;
    const bodies = new Set<string>();

    for (let attempt = 0; attempt < 20 && bodies.size < 2; attempt++) {
      bodies.add((await fetchBody(url)).trim());
    }

    expect([...bodies].sort()).toEqual(["ct 101", "ct 102"]);
  });

  it("lists api-gw servers on the admin socket", async () => {
    const local = await haproxyCommand(lab.haproxy.socket, "show servers state api-gw");
    const remote = await run(
      "lb1",
      `socat stdio UNIX-CONNECT:${lab.haproxy.socket}`,
      "show servers state api-gw\n",
    );

    expect(local).toMatch(/ api-gw-1 127\.78\.10\.10 /);
    expect(local).toMatch(/ api-gw-2 127\.78\.10\.11 /);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout).toMatch(/ api-gw-2 127\.78\.10\.11 /);
  });

  it("passes haproxy -c on the generated config", async () => {
    const result = await run("lb1", `haproxy -c -f ${lab.haproxy.config}`);

    expect(result.code, result.stderr).toBe(0);
  });

  it("fails haproxy -c once with an injected fault", async () => {
    await lab.injectFault({
      host: "lb1",
      command: "haproxy -c",
      exitCode: 3,
      stderr: "injected config error",
      hangSeconds: 0,
      remaining: 1,
    });

    const failed = await run("lb1", `haproxy -c -f ${lab.haproxy.config}`);
    const next = await run("lb1", `haproxy -c -f ${lab.haproxy.config}`);

    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain("injected config error");
    expect(next.code, next.stderr).toBe(0);
  });

  it("replays stdin through the socat shim", async () => {
    await lab.injectFault({
      host: "lb1",
      command: "socat",
      exitCode: 1,
      stderr: "injected socket error",
      hangSeconds: 0,
      remaining: 1,
      stdinContains: "disable server",
    });
    const socat = `socat stdio UNIX-CONNECT:${lab.haproxy.socket}`;

    const passed = await run("lb1", socat, "show servers state crm-web\n");
    const failed = await run("lb1", socat, "disable server crm-web/crm-web-1\n");
    await lab.clearFaults();

    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/ crm-web-1 127\.78\.11\.10 /);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("injected socket error");
  });

  it("writes psa.yml that passes the inventory schema", async () => {
    const inventory = inventorySchema.parse(load(await readFile(lab.configPath, "utf8")));

    expect(Object.keys(inventory.hosts).sort()).toEqual(["lb1", "pve1", "pve2"]);
    expect(inventory.hosts.pve2?.fingerprint).toBe(lab.hosts.pve2.fingerprint);
    expect(inventory.hosts.lb1?.reloadCommand).toMatch(/haproxy-reload$/);
    expect(inventory.services["api-gw"]?.ipPool.first).toBe("127.78.10.10");
    expect(inventory.services["crm-web"]?.haproxy.socket).toBe(lab.haproxy.socket);
    expect(inventory.settings.stepTimeoutSeconds).toBe(30);
  });

  it("writes a policy file that passes its schema", async () => {
    const text = await readFile(join(stateDir, "policies", "lab.yml"), "utf8");

    const policy = policyFileSchema.parse(load(text));

    expect(policy.roles.sre).toEqual(["U0LABSRE1", "U0LABSRE2"]);
    expect(policy.rules.map((rule) => rule.name)).toEqual([
      "sre-scale",
      "sre-freeze",
      "dev-scale-api-gw",
      "status-all",
    ]);
    expect(policy.rules[3]?.approval.required).toBe(false);
  });

  it("reports processes, containers and servers", async () => {
    const status = await labStatus(stateDir);
    const running = status.containers.filter((ct) => ct.status === "running");

    expect(status.up).toBe(true);
    expect(status.errors).toEqual([]);
    expect(running.map((ct) => ct.vmid)).toEqual([101, 102, 111, 112]);
    expect(running.find((ct) => ct.vmid === 112)?.ip).toBe("127.78.11.11");
    expect(status.haproxyServers).toHaveLength(4);
  });

  it("reuses the running lab", async () => {
    const again = await startLab({ stateDir, net: NET });

    expect(again.hosts.lb1.fingerprint).toBe(lab.hosts.lb1.fingerprint);
  });

  it("rejects a second lab on taken addresses", async () => {
    const otherDir = await mkdtemp(join(tmpdir(), "psa-lab-other-"));

    const start = startLab({ stateDir: otherDir, net: NET });

    await expect(start).rejects.toThrow(/127\.78\.20\.11:2222/);
    await rm(otherDir, { recursive: true, force: true });
  });

  it("reloads HAProxy with the reload command", async () => {
    const pidFile = join(stateDir, "hosts", "lb1", "haproxy.pid");
    const oldPid = await readPidFile(pidFile);

    const result = await run("lb1", join(stateDir, "hosts", "lb1", "bin", "haproxy-reload"));
    const newPid = await readPidFile(pidFile);
    const body = await fetchBody(`http://${lab.haproxy.frontends["crm-web"]}/`);

    expect(result.code, result.stderr).toBe(0);
    expect(newPid).not.toBe(oldPid);
    expect(await isLabProcess(newPid, stateDir)).toBe(true);
    expect(body).toMatch(/^ct 11[12]\n$/);
  });

  it("ends every process on stopLab", async () => {
    const record = await readLabRecord(join(stateDir, "lab.json"));
    const status = await labStatus(stateDir);
    const pids = [
      ...status.processes.map((entry) => entry.pid),
      ...(record?.containers.map((ct) => ct.pid) ?? []),
    ];

    await stopLab(stateDir);
    const alive = await Promise.all(pids.map((pid) => isLabProcess(pid, stateDir)));

    expect(pids.every((pid) => pid !== undefined)).toBe(true);
    expect(alive.every((up) => !up)).toBe(true);
    expect((await labStatus(stateDir)).up).toBe(false);
    expect(await processesMentioning(stateDir)).toEqual([]);
  }, 20_000);
});
