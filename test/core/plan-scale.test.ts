import { describe, expect, it } from "vitest";
import type { ExecStep, Plan } from "../../src/core/plan.ts";
import { planScale } from "../../src/core/plan-scale.ts";
import { inventory, liveState, managed } from "./fixtures/live.ts";

function plan(input: Partial<Parameters<typeof planScale>[0]>): Plan {
  const result = planScale({
    inventory,
    service: "api-gw",
    live: liveState(),
    change: { mode: "relative", delta: 1 },
    reservedByOthers: [],
    ...input,
  });
  if (!result.ok) throw new Error(result.message);
  return result.plan;
}

describe("planScale out", () => {
  it("clones the template with the next id, name and IP", () => {
    const result = plan({});

    const clone = result.steps[1] as ExecStep;
    expect(clone.argv).toEqual(["pct", "clone", "9000", "100", "--hostname", "api-gw-3"]);
    expect(clone.host).toBe("pve1");
    expect(result.reservation).toEqual({
      vmids: [100],
      ips: ["127.0.10.12"],
      names: ["api-gw-3"],
      nodes: ["pve1"],
    });
  });

  it("spreads replicas across nodes", () => {
    const live = liveState([managed(103, "pve1", 3, "127.0.10.12")]);

    const result = plan({ live });

    expect(result.reservation.nodes).toEqual(["pve2"]);
    expect((result.steps[1] as ExecStep).argv).toContain("--target");
    expect(result.steps[2]?.host).toBe("pve2");
  });

  it("orders the steps of one replica", () => {
    const kinds = plan({}).steps.map((step) => step.kind);

    expect(kinds).toEqual([
      "exec",
      "exec",
      "exec",
      "set-net0-ip",
      "exec",
      "wait-healthy",
      "socket",
      "socket",
      "socket",
      "config-edit",
      "wait-server",
    ]);
  });

  it("undoes clone, start and add server", () => {
    const steps = plan({}).steps.slice(1);

    expect(steps[0]?.undo.map((s) => (s as ExecStep).argv)).toEqual([
      ["pct", "destroy", "100", "--purge", "1"],
    ]);
    expect(steps[3]?.undo.map((s) => (s as ExecStep).argv)).toEqual([["pct", "stop", "100"]]);
    expect(steps[5]?.undo.map((s) => s.title)).toEqual([
      "put api-gw/api-gw-3 in maintenance",
      "delete server api-gw/api-gw-3",
    ]);
  });

  it("skips ids and addresses reserved by others", () => {
    const first = plan({ change: { mode: "relative", delta: 1 } });

    const second = plan({ reservedByOthers: [first.reservation] });

    expect(second.reservation.vmids).toEqual([103]);
    expect(second.reservation.ips).toEqual(["127.0.10.13"]);
    expect(second.reservation.names).toEqual(["api-gw-4"]);
  });

  it("rejects a full IP pool", () => {
    const result = planScale({
      inventory,
      service: "api-gw",
      live: liveState(),
      change: { mode: "relative", delta: 3 },
      reservedByOthers: [],
    });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.code).toBe("no_ip");
  });

  it("rejects when no node has memory", () => {
    const live = liveState();
    for (const node of live.nodes) node.maxmem = 700 * 1024 ** 2;

    const result = planScale({
      inventory,
      service: "api-gw",
      live,
      change: { mode: "relative", delta: 1 },
      reservedByOthers: [],
    });

    expect(!result.ok && result.code).toBe("no_capacity");
  });

  it("rejects a balance source backend", () => {
    const live = { ...liveState(), balance: "source" };

    const result = planScale({
      inventory,
      service: "api-gw",
      live,
      change: { mode: "relative", delta: 1 },
      reservedByOthers: [],
    });

    expect(!result.ok && result.code).toBe("balance_static");
  });

  it("gives the same hash for the same state", () => {
    expect(plan({}).hash).toBe(plan({}).hash);
  });

  it("rebuilds the same plan from its own reservation", () => {
    const first = plan({});

    const again = plan({ own: first.reservation });

    expect(again.hash).toBe(first.hash);
  });

  it("refuses a reservation whose id was taken", () => {
    const first = plan({});
    const live = liveState([managed(100, "pve2", 9, "127.0.10.13")]);

    const result = planScale({
      inventory,
      service: "api-gw",
      live,
      change: { mode: "relative", delta: 1 },
      reservedByOthers: [],
      own: first.reservation,
    });

    expect(!result.ok && result.code).toBe("vmid_taken");
  });

  it("treats an absolute count like a delta", () => {
    expect(plan({ change: { mode: "absolute", count: 3 } }).hash).toBe(plan({}).hash);
  });

  it("reports nothing to do", () => {
    const result = planScale({
      inventory,
      service: "api-gw",
      live: liveState(),
      change: { mode: "absolute", count: 2 },
      reservedByOthers: [],
    });

    expect(!result.ok && result.code).toBe("nothing_to_do");
  });
});

describe("planScale in", () => {
  it("removes the newest managed replica", () => {
    const live = liveState([
      managed(120, "pve1", 3, "127.0.10.12"),
      managed(105, "pve2", 4, "127.0.10.13"),
    ]);

    const result = plan({ live, change: { mode: "relative", delta: -1 } });

    expect(result.summary).toContain("api-gw-4 (CT 105");
    expect(result.steps.map((s) => s.kind)).toEqual([
      "exec",
      "socket",
      "wait-drained",
      "socket",
      "socket",
      "config-edit",
      "exec",
      "exec",
    ]);
    expect((result.steps.at(-1) as ExecStep).argv).toEqual([
      "pct",
      "destroy",
      "105",
      "--purge",
      "1",
    ]);
  });

  it("never removes replicas it did not create", () => {
    const result = planScale({
      inventory,
      service: "api-gw",
      live: liveState(),
      change: { mode: "relative", delta: -1 },
      reservedByOthers: [],
    });

    expect(!result.ok && result.code).toBe("not_managed");
  });

  it("drains before deleting the server", () => {
    const live = liveState([managed(103, "pve1", 3, "127.0.10.12")]);

    const titles = plan({ live, change: { mode: "relative", delta: -1 } }).steps.map(
      (s) => s.title,
    );

    expect(titles.slice(1, 5)).toEqual([
      "drain api-gw/api-gw-3",
      "wait until api-gw/api-gw-3 has no sessions",
      "put api-gw/api-gw-3 in maintenance",
      "delete server api-gw/api-gw-3",
    ]);
  });
});

describe("planScale checks", () => {
  it("validates haproxy.cfg before any change", () => {
    const first = plan({}).steps[0] as ExecStep;

    expect(first.argv).toEqual(["haproxy", "-c", "-f", "/etc/haproxy/haproxy.cfg"]);
    expect(first.undo).toEqual([]);
  });

  it("skips names and addresses HAProxy already lists", () => {
    const live = liveState();
    live.config.servers.push({ name: "api-gw-3", address: "127.0.10.12", port: 8080 });

    const result = plan({ live });

    expect(result.reservation.names).toEqual(["api-gw-4"]);
    expect(result.reservation.ips).toEqual(["127.0.10.13"]);
  });

  it("does not shut down a stopped replica", () => {
    const stopped = { ...managed(103, "pve1", 3, "127.0.10.12"), status: "stopped" };

    const result = plan({ live: liveState([stopped]), change: { mode: "relative", delta: -1 } });

    expect(result.steps.map((s) => s.title)).not.toContain("shut down CT 103 (api-gw-3)");
    expect(result.steps.at(-1)?.title).toBe("destroy CT 103 (api-gw-3)");
  });
});
