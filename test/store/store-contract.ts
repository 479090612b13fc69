import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewRequest } from "../../src/core/request.ts";
import type { StepResult } from "../../src/core/step-result.ts";
import { MIGRATIONS, migrate } from "../../src/store/migrations.ts";
import type { SqlStore } from "../../src/store/sql-store.ts";
import { pruneDeliveries } from "../../src/store/sql-store-coordination.ts";

/** A logger that drops everything, for stores under test. */
export const silentLogger = pino({ level: "silent" });

let names = 0;

/** Returns a name no other case uses, so cases can share one database. */
export function uniqueName(prefix: string): string {
  names += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${names}`;
}

/** Builds a scale request of `service` for one more replica. */
export function newRequest(service: string, overrides: Partial<NewRequest> = {}): NewRequest {
  const createdAt = overrides.createdAt ?? new Date().toISOString();
  const reservation = {
    vmids: [103],
    ips: ["127.0.10.12"],
    names: [`${service}-3`],
    nodes: ["pve1"],
  };

  return {
    commandText: `scale ${service} +1`,
    command: { verb: "scale", service, change: { mode: "relative", delta: 1 } },
    service,
    requesterId: "U0REQUESTER",
    origin: { surface: "console", channelId: "C0TEST" },
    createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 30 * 60_000).toISOString(),
    status: "requested",
    approval: {
      required: true,
      approverRoles: ["sre"],
      approverIds: ["U0SRE1", "U0SRE2"],
      count: 1,
      selfApproval: false,
      rule: "sre-scale",
    },
    votes: [],
    plan: {
      service,
      summary: "add 1 replica",
      currentReplicas: 2,
      targetReplicas: 3,
      steps: [
        {
          kind: "exec",
          id: "clone",
          title: "clone template 9000 as 103",
          host: "pve1",
          timeoutMs: 30_000,
          argv: ["pct", "clone", "9000", "103"],
          undo: [
            {
              kind: "exec",
              id: "destroy",
              title: "destroy 103",
              host: "pve1",
              timeoutMs: 30_000,
              argv: ["pct", "destroy", "103"],
              undo: [],
            },
          ],
        },
      ],
      reservation,
      facts: ["api-gw replicas: 101, 102"],
      hash: "0123456789abcdef",
    },
    reservation,
    ...overrides,
  };
}

/** Builds a step result of `stepId` that passed, or failed with exit code 1. */
export function stepResult(stepId: string, ok: boolean): StepResult {
  return {
    stepId,
    title: `step ${stepId}`,
    host: "pve1",
    commandLine: `pct status ${stepId}`,
    exitCode: ok ? 0 : 1,
    signal: null,
    stdoutTail: ok ? "status: running\n" : "",
    stderrTail: ok ? "" : "CT is locked\n",
    durationMs: 1234,
    timedOut: false,
    ok,
    ...(ok ? {} : { error: "exit code 1: CT is locked" }),
  };
}

function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the cases every `Store` implementation must pass. `open` opens the migrated database
 * under test and returns the same data on every call. The cases share that database, so each
 * one uses its own service names, keys and lease names.
 */
export function storeContract(open: () => Promise<SqlStore>): void {
  let store: SqlStore;

  beforeAll(async () => {
    store = await open();
  });

  afterAll(async () => {
    await store?.close();
  });

  describe("requests", () => {
    it("creates and gets a request", async () => {
      const request = newRequest(uniqueName("svc"));

      const created = await store.create(request);
      const fetched = await store.get(created.id);

      expect(created.id).toMatch(/^R\d+$/);
      expect(created).toEqual({
        ...request,
        id: created.id,
        version: 1,
        updatedAt: request.createdAt,
      });
      expect(fetched).toEqual(created);
    });

    it("numbers requests in order", async () => {
      const service = uniqueName("svc");

      const first = await store.create(newRequest(service));
      const second = await store.create(newRequest(service));

      expect(Number(second.id.slice(1))).toBeGreaterThan(Number(first.id.slice(1)));
    });

    it("returns undefined for an unknown id", async () => {
      expect(await store.get("R999999999")).toBeUndefined();
    });

    it("updates at the current version", async () => {
      const created = await store.create(newRequest(uniqueName("svc")));
      const vote = { userId: "U0SRE1", decision: "approve" as const, at: created.createdAt };

      const updated = await store.update(created.id, 1, { status: "approved", votes: [vote] });

      expect(updated?.version).toBe(2);
      expect(updated?.status).toBe("approved");
      expect(updated?.votes).toEqual([vote]);
      expect(updated?.plan).toEqual(created.plan);
      expect(Date.parse(updated?.updatedAt ?? "")).toBeGreaterThanOrEqual(
        Date.parse(created.updatedAt),
      );
      expect(await store.get(created.id)).toEqual(updated);
    });

    it("rejects an update at a stale version", async () => {
      const created = await store.create(newRequest(uniqueName("svc")));
      await store.update(created.id, 1, { status: "approved" });

      const stale = await store.update(created.id, 1, { status: "rejected" });
      const current = await store.get(created.id);

      expect(stale).toBeUndefined();
      expect(current?.status).toBe("approved");
      expect(current?.version).toBe(2);
    });

    it("returns undefined when updating an unknown id", async () => {
      expect(await store.update("R999999999", 1, { status: "cancelled" })).toBeUndefined();
    });

    it("removes a field updated to undefined", async () => {
      const created = await store.create(newRequest(uniqueName("svc")));
      await store.update(created.id, 1, { outcome: "cancelled by U0REQUESTER" });

      const cleared = await store.update(created.id, 2, { outcome: undefined });

      expect(cleared?.version).toBe(3);
      expect(cleared).not.toHaveProperty("outcome");
      expect(await store.get(created.id)).not.toHaveProperty("outcome");
    });

    it("ignores id and version in a change", async () => {
      const created = await store.create(newRequest(uniqueName("svc")));
      const change = { status: "cancelled", id: "R0", version: 99 } as const;

      const updated = await store.update(created.id, 1, change);

      expect(updated?.id).toBe(created.id);
      expect(updated?.version).toBe(2);
    });

    it("lets one of two concurrent updates win", async () => {
      const created = await store.create(newRequest(uniqueName("svc")));

      const results = await Promise.all([
        store.update(created.id, 1, { status: "approved" }),
        store.update(created.id, 1, { status: "rejected" }),
      ]);
      const winners = results.filter((result) => result !== undefined);
      const current = await store.get(created.id);

      expect(winners).toHaveLength(1);
      expect(current?.version).toBe(2);
      expect(current?.status).toBe(winners[0]?.status);
    });

    it("lists active requests", async () => {
      const service = uniqueName("svc");
      const open = await store.create(newRequest(service, { createdAt: minutesAgo(60) }));
      const ended = await store.create(newRequest(service, { createdAt: minutesAgo(50) }));
      const endedLater = await store.create(newRequest(service, { createdAt: minutesAgo(40) }));
      await store.update(ended.id, 1, { status: "succeeded" });
      const since = new Date(Date.now() + 1000);
      await sleep(1100);
      await store.update(endedLater.id, 1, { status: "failed" });

      const active = await store.listActive(since);
      const ids = active.filter((request) => request.service === service).map((r) => r.id);

      expect(ids).toEqual([open.id, endedLater.id]);
    });

    it("lists requests newest first", async () => {
      const service = uniqueName("svc");
      const older = await store.create(newRequest(service, { createdAt: minutesAgo(20) }));
      const newer = await store.create(newRequest(service, { createdAt: minutesAgo(10) }));
      await store.create(newRequest(uniqueName("other")));

      const listed = await store.listRequests({ service, limit: 10 });

      expect(listed.map((request) => request.id)).toEqual([newer.id, older.id]);
    });

    it("limits listed requests to the newest", async () => {
      const service = uniqueName("svc");
      await store.create(newRequest(service, { createdAt: minutesAgo(30) }));
      const second = await store.create(newRequest(service, { createdAt: minutesAgo(20) }));
      const third = await store.create(newRequest(service, { createdAt: minutesAgo(10) }));

      const listed = await store.listRequests({ service, limit: 2 });

      expect(listed.map((request) => request.id)).toEqual([third.id, second.id]);
    });

    it("lists requests of every service", async () => {
      const first = await store.create(
        newRequest(uniqueName("a"), { createdAt: "2099-01-01T00:00:00.000Z" }),
      );
      const second = await store.create(
        newRequest(uniqueName("b"), { createdAt: "2099-01-02T00:00:00.000Z" }),
      );

      const listed = await store.listRequests({ limit: 2 });

      expect(listed.map((request) => request.id)).toEqual([second.id, first.id]);
    });

    it("filters listed requests by id", async () => {
      const service = uniqueName("svc");
      const wanted = await store.create(newRequest(service));
      await store.create(newRequest(service));

      const listed = await store.listRequests({ requestId: wanted.id, limit: 10 });

      expect(listed).toEqual([wanted]);
    });

    it("rejects a limit below one", async () => {
      await expect(store.listRequests({ limit: 0 })).rejects.toThrow(/invalid list limit 0/);
    });

    it("lists requests by status oldest first", async () => {
      const service = uniqueName("svc");
      const newer = await store.create(newRequest(service, { createdAt: minutesAgo(10) }));
      const older = await store.create(newRequest(service, { createdAt: minutesAgo(20) }));
      const other = await store.create(newRequest(service, { createdAt: minutesAgo(15) }));
      await store.update(newer.id, 1, { status: "running" });
      await store.update(older.id, 1, { status: "approved" });
      await store.update(other.id, 1, { status: "cancelled" });

      const listed = await store.listByStatus(["approved", "running"]);
      const ids = listed.filter((request) => request.service === service).map((r) => r.id);

      expect(ids).toEqual([older.id, newer.id]);
    });
  });

  describe("audit", () => {
    it("appends events with growing seq", async () => {
      const service = uniqueName("svc");

      const first = await store.appendAudit({ kind: "request", service, actor: "U0A", data: {} });
      const second = await store.appendAudit({
        kind: "vote",
        requestId: "R1",
        service,
        actor: "U0B",
        data: { decision: "approve", nested: { list: [1, 2] } },
      });

      expect(second.seq).toBeGreaterThan(first.seq);
      expect(Number.isNaN(Date.parse(first.at))).toBe(false);
      expect(first).not.toHaveProperty("requestId");
      expect(second.requestId).toBe("R1");
      expect(second.data).toEqual({ decision: "approve", nested: { list: [1, 2] } });
    });

    it("keeps a given event time", async () => {
      const at = "2024-05-01T12:00:00.123Z";

      const event = await store.appendAudit({ kind: "k", actor: "bot", data: {}, at });

      expect(event.at).toBe(at);
    });

    it("lists the newest events oldest first", async () => {
      const service = uniqueName("svc");
      const events = [];
      for (const kind of ["one", "two", "three"]) {
        events.push(await store.appendAudit({ kind, service, actor: "bot", data: {} }));
      }

      const listed = await store.listAudit({ service, limit: 2 });

      expect(listed).toEqual([events[1], events[2]]);
    });

    it("filters events by request", async () => {
      const service = uniqueName("svc");
      const requestId = uniqueName("R");
      const mine = await store.appendAudit({
        kind: "a",
        requestId,
        service,
        actor: "bot",
        data: {},
      });
      await store.appendAudit({ kind: "b", requestId: "R-other", service, actor: "bot", data: {} });

      const listed = await store.listAudit({ requestId, limit: 10 });

      expect(listed).toEqual([mine]);
    });

    it("rejects UPDATE, DELETE and TRUNCATE of events", async () => {
      const event = await store.appendAudit({ kind: "k", actor: "bot", data: { n: 1 } });
      const seq = [event.seq];

      const update = store.client.query("UPDATE audit_events SET actor = 'x' WHERE seq = $1", seq);
      await expect(update).rejects.toThrow(/append-only: UPDATE rejected/);
      const remove = store.client.query("DELETE FROM audit_events WHERE seq = $1", seq);
      await expect(remove).rejects.toThrow(/append-only: DELETE rejected/);
      const truncate = store.client.query("TRUNCATE audit_events");
      await expect(truncate).rejects.toThrow(/append-only: TRUNCATE rejected/);

      const [kept] = await store
        .listAudit({ requestId: undefined, limit: 1_000_000 })
        .then((events) => events.filter((listed) => listed.seq === event.seq));
      expect(kept).toEqual(event);
    });
  });

  describe("journal", () => {
    const entry = (requestId: string, stepId: string, startedAt: string) => ({
      requestId,
      phase: "run" as const,
      stepId,
      title: `step ${stepId}`,
      host: "pve1",
      command: `pct status ${stepId}`,
      startedAt,
    });

    it("records starts and ends in start order", async () => {
      const requestId = uniqueName("R");
      await store.journalStart(entry(requestId, "b", "2024-05-01T12:00:01.000Z"));
      await store.journalStart(entry(requestId, "a", "2024-05-01T12:00:02.000Z"));
      await store.journalEnd(requestId, "run", "b", stepResult("b", true));
      await store.journalEnd(requestId, "run", "a", stepResult("a", false));

      const journal = await store.listJournal(requestId);

      expect(journal.map((step) => step.stepId)).toEqual(["b", "a"]);
      expect(journal[0]).toMatchObject(entry(requestId, "b", "2024-05-01T12:00:01.000Z"));
      expect(journal[0]?.result).toEqual(stepResult("b", true));
      expect(journal[1]?.result).toEqual(stepResult("a", false));
      expect(Number.isNaN(Date.parse(journal[1]?.endedAt ?? ""))).toBe(false);
    });

    it("lists a running step without end", async () => {
      const requestId = uniqueName("R");
      await store.journalStart(entry(requestId, "a", new Date().toISOString()));

      const [step] = await store.listJournal(requestId);

      expect(step).not.toHaveProperty("endedAt");
      expect(step).not.toHaveProperty("result");
    });

    it("overwrites the end on a second start", async () => {
      const requestId = uniqueName("R");
      await store.journalStart(entry(requestId, "a", "2024-05-01T12:00:00.000Z"));
      await store.journalEnd(requestId, "run", "a", stepResult("a", false));

      await store.journalStart(entry(requestId, "a", "2024-05-01T13:00:00.000Z"));
      const journal = await store.listJournal(requestId);

      expect(journal).toHaveLength(1);
      expect(journal[0]?.startedAt).toBe("2024-05-01T13:00:00.000Z");
      expect(journal[0]).not.toHaveProperty("endedAt");
      expect(journal[0]).not.toHaveProperty("result");
    });

    it("keeps run and undo phases apart", async () => {
      const requestId = uniqueName("R");
      await store.journalStart(entry(requestId, "a", "2024-05-01T12:00:00.000Z"));
      await store.journalStart({
        ...entry(requestId, "a", "2024-05-01T12:01:00.000Z"),
        phase: "undo",
      });

      const journal = await store.listJournal(requestId);

      expect(journal.map((step) => step.phase)).toEqual(["run", "undo"]);
    });

    it("rejects an end without a start", async () => {
      const end = store.journalEnd("R-none", "run", "a", stepResult("a", true));

      await expect(end).rejects.toThrow(/journal entry R-none\/run\/a not found/);
    });
  });

  describe("freezes", () => {
    it("sets, replaces, lists and clears a freeze", async () => {
      const scope = uniqueName("svc");
      const freeze = {
        scope,
        reason: "incident 42",
        by: "U0SRE1",
        at: "2024-05-01T12:00:00.000Z",
        automatic: false,
      };
      await store.setFreeze(freeze);
      await store.setFreeze({ ...freeze, reason: "undo failed", by: "bot", automatic: true });

      const listed = (await store.listFreezes()).filter((entry) => entry.scope === scope);
      const cleared = await store.clearFreeze(scope);
      const clearedAgain = await store.clearFreeze(scope);

      expect(listed).toEqual([{ ...freeze, reason: "undo failed", by: "bot", automatic: true }]);
      expect(cleared).toBe(true);
      expect(clearedAgain).toBe(false);
      expect((await store.listFreezes()).map((entry) => entry.scope)).not.toContain(scope);
    });
  });

  describe("leases", () => {
    it("grants a free lease", async () => {
      const name = uniqueName("lease");

      expect(await store.acquireLease(name, "replica-a", 10_000)).toBe(true);
      expect(await store.leaseHolder(name)).toBe("replica-a");
    });

    it("rejects a lease held by another owner", async () => {
      const name = uniqueName("lease");
      await store.acquireLease(name, "replica-a", 10_000);

      expect(await store.acquireLease(name, "replica-b", 10_000)).toBe(false);
      expect(await store.leaseHolder(name)).toBe("replica-a");
    });

    it("grants an expired lease to another owner", async () => {
      const name = uniqueName("lease");
      await store.acquireLease(name, "replica-a", 50);
      await sleep(150);

      expect(await store.leaseHolder(name)).toBeUndefined();
      expect(await store.acquireLease(name, "replica-b", 10_000)).toBe(true);
      expect(await store.leaseHolder(name)).toBe("replica-b");
    });

    it("renews a lease for its owner", async () => {
      const name = uniqueName("lease");
      await store.acquireLease(name, "replica-a", 200);

      const renewed = await store.acquireLease(name, "replica-a", 10_000);
      await sleep(300);

      expect(renewed).toBe(true);
      expect(await store.leaseHolder(name)).toBe("replica-a");
    });

    it("releases a lease only for its owner", async () => {
      const name = uniqueName("lease");
      await store.acquireLease(name, "replica-a", 10_000);

      await store.releaseLease(name, "replica-b");
      const heldAfterOther = await store.leaseHolder(name);
      await store.releaseLease(name, "replica-a");

      expect(heldAfterOther).toBe("replica-a");
      expect(await store.leaseHolder(name)).toBeUndefined();
      expect(await store.acquireLease(name, "replica-b", 10_000)).toBe(true);
    });

    it("rejects a ttl of zero", async () => {
      await expect(store.acquireLease(uniqueName("lease"), "a", 0)).rejects.toThrow(
        /invalid lease ttl 0 ms/,
      );
    });
  });

  describe("deliveries", () => {
    it("records a delivery once", async () => {
      const key = uniqueName("Ev");

      expect(await store.recordDelivery(key)).toBe(true);
      expect(await store.recordDelivery(key)).toBe(false);
      expect(await store.recordDelivery(uniqueName("Ev"))).toBe(true);
    });

    it("prunes deliveries older than a day", async () => {
      const old = uniqueName("Ev");
      const fresh = uniqueName("Ev");
      await store.client.query(
        "INSERT INTO deliveries (key, received_at) VALUES ($1, now() - interval '25 hours')",
        [old],
      );
      await store.recordDelivery(fresh);

      await pruneDeliveries(store.client);

      expect(await store.recordDelivery(old)).toBe(true);
      expect(await store.recordDelivery(fresh)).toBe(false);
    });
  });

  describe("schema", () => {
    it("applies no migration twice", async () => {
      const applied = await migrate(store.client, silentLogger);
      const { rows } = await store.client.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM schema_migrations",
      );

      expect(applied).toEqual([]);
      expect(rows[0]?.count).toBe(MIGRATIONS.length);
    });

    it("keeps data across reopening", async () => {
      const created = await store.create(newRequest(uniqueName("svc")));
      const event = await store.appendAudit({
        kind: "k",
        requestId: created.id,
        actor: "bot",
        data: {},
      });
      await store.close();

      store = await open();
      const { rows } = await store.client.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM schema_migrations",
      );

      expect(await store.get(created.id)).toEqual(created);
      expect(await store.listAudit({ requestId: created.id, limit: 10 })).toEqual([event]);
      expect(rows[0]?.count).toBe(MIGRATIONS.length);
    });
  });
}
