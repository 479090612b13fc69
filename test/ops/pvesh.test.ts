import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { clusterResourcesArgv, parseClusterResources } from "../../src/ops/pvesh.ts";

const resources = readFileSync(new URL("fixtures/cluster-resources.json", import.meta.url), "utf8");

function parsed(json: string) {
  const result = parseClusterResources(json);
  if (!result.ok) throw new Error(result.error);
  return result;
}

describe("clusterResourcesArgv", () => {
  it("asks pvesh for JSON", () => {
    expect(clusterResourcesArgv()).toEqual([
      "pvesh",
      "get",
      "/cluster/resources",
      "--output-format",
      "json",
    ]);
  });
});

describe("parseClusterResources", () => {
  it("separates guests from nodes", () => {
    const { guests, nodes } = parsed(resources);

    expect(guests.map((guest) => guest.vmid)).toEqual([101, 104, 9000, 200, 310]);
    expect(nodes.map((node) => node.node)).toEqual(["pve1", "pve2", "pve3"]);
  });

  it("reads a running container", () => {
    const { guests } = parsed(resources);

    expect(guests[0]).toEqual({
      type: "lxc",
      vmid: 101,
      node: "pve1",
      name: "api-gw-1",
      status: "running",
      cpu: 0.00513,
      maxcpu: 2,
      mem: 104857600,
      maxmem: 1073741824,
      tags: ["api-gw", "psa"],
      template: false,
    });
  });

  it("reads lock and template", () => {
    const { guests } = parsed(resources);
    const locked = guests.find((guest) => guest.vmid === 104);
    const template = guests.find((guest) => guest.vmid === 9000);

    expect(locked?.lock).toBe("backup");
    expect(template?.template).toBe(true);
    expect(template?.tags).toEqual(["api-gw", "template"]);
  });

  it("tolerates a guest of an offline node", () => {
    const { guests } = parsed(resources);
    const orphan = guests.find((guest) => guest.vmid === 310);

    expect(orphan).toEqual({
      type: "lxc",
      vmid: 310,
      node: "pve3",
      name: "worker-1",
      status: "unknown",
      cpu: 0,
      maxcpu: 0,
      mem: 0,
      maxmem: 0,
      tags: [],
      template: false,
    });
  });

  it("reads node memory and drops extra fields", () => {
    const { nodes } = parsed(resources);

    expect(nodes[0]).toEqual({
      node: "pve1",
      status: "online",
      cpu: 0.0412793,
      maxcpu: 8,
      mem: 9126232064,
      maxmem: 33546117120,
    });
    expect(nodes[2]).toEqual({
      node: "pve3",
      status: "offline",
      cpu: 0,
      maxcpu: 0,
      mem: 0,
      maxmem: 0,
    });
  });

  it("accepts a boolean template", () => {
    const json = '[{"type":"lxc","vmid":105,"node":"pve1","status":"stopped","template":true}]';

    const { guests } = parsed(json);

    expect(guests[0]?.template).toBe(true);
  });

  it("accepts an empty cluster", () => {
    const result = parseClusterResources("[]\n");

    expect(result).toEqual({ ok: true, guests: [], nodes: [] });
  });

  it("rejects invalid JSON", () => {
    const result = parseClusterResources("ipcc_send_rec[1] failed: Connection refused");

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("invalid JSON");
  });

  it("rejects a non-array", () => {
    const result = parseClusterResources('{"data":[]}');

    expect(result.ok).toBe(false);
  });

  it("rejects a guest without vmid and names it", () => {
    const json = '[{"id":"lxc/105","type":"lxc","node":"pve1","status":"running"}]';

    const result = parseClusterResources(json);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("lxc/105");
    expect(!result.ok && result.error).toContain("vmid");
  });

  it("rejects a string where a number belongs", () => {
    const json = '[{"id":"node/pve1","type":"node","node":"pve1","status":"online","mem":"lots"}]';

    const result = parseClusterResources(json);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("mem");
  });
});
