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

    const clone = result.steps[0] as ExecStep;
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
    expect((result.steps[0] as ExecStep).argv).toContain("--target");
    expect(result.steps[1]?.host).toBe("pve2");
  });

  it("orders the steps of one replica", () => {
    const kinds = plan({}).steps.map((step) => step.kind);

    expect(kinds).toEqual([
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
    const steps = plan({}).steps;

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

    expect(titles.slice(0, 4)).toEqual([
      "drain api-gw/api-gw-3",
      "wait until api-gw/api-gw-3 has no sessions",
      "put api-gw/api-gw-3 in maintenance",
      "delete server api-gw/api-gw-3",
    ]);
  });
});
