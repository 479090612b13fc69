import type { ChangeRequest, NewRequest } from "../core/request.ts";
import { FINAL_STATUSES } from "../core/request.ts";
import type { StepResult } from "../core/step-result.ts";
import type {
  AuditEvent,
  Freeze,
  JournalEntry,
  ListFilter,
  NewAuditEvent,
  Store,
} from "../core/store.ts";

/**
 * Keeps everything in this process's memory, for unit tests of the core. Each method runs
 * without awaiting in between, so compare-and-set holds within the process. The bot itself uses
 * PostgreSQL or PGlite.
 */
export class MemoryStore implements Store {
  private readonly requests = new Map<string, ChangeRequest>();
  private readonly audit: AuditEvent[] = [];
  private readonly journal: JournalEntry[] = [];
  private readonly freezes = new Map<string, Freeze>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private readonly deliveries = new Set<string>();
  private sequence = 0;

  async create(request: NewRequest): Promise<ChangeRequest> {
    const id = `R${++this.sequence}`;
    const stored = { ...structuredClone(request), id, updatedAt: request.createdAt, version: 1 };
    this.requests.set(id, stored);
    return structuredClone(stored);
  }

  async get(id: string): Promise<ChangeRequest | undefined> {
    const found = this.requests.get(id);
    return found && structuredClone(found);
  }

  async update(
    id: string,
    version: number,
    change: Partial<Omit<ChangeRequest, "id" | "version">>,
  ) {
    const current = this.requests.get(id);
    if (!current || current.version !== version) return undefined;
    const next = {
      ...current,
      ...structuredClone(change),
      version: version + 1,
      updatedAt: new Date().toISOString(),
    };
    this.requests.set(id, next);
    return structuredClone(next);
  }

  async listActive(since: Date): Promise<ChangeRequest[]> {
    return this.all().filter(
      (r) => !FINAL_STATUSES.has(r.status) || new Date(r.updatedAt) >= since,
    );
  }

  async listRequests(filter: ListFilter): Promise<ChangeRequest[]> {
    return this.all()
      .filter((r) => !filter.service || r.service === filter.service)
      .reverse()
      .slice(0, filter.limit);
  }

  async listByStatus(statuses: ChangeRequest["status"][]): Promise<ChangeRequest[]> {
    return this.all().filter((r) => statuses.includes(r.status));
  }

  async appendAudit(event: NewAuditEvent): Promise<AuditEvent> {
    const stored = {
      ...structuredClone(event),
      seq: this.audit.length + 1,
      at: event.at ?? new Date().toISOString(),
    };
    this.audit.push(stored);
    return structuredClone(stored);
  }

  async listAudit(filter: ListFilter): Promise<AuditEvent[]> {
    const matching = this.audit.filter(
      (e) =>
        (!filter.requestId || e.requestId === filter.requestId) &&
        (!filter.service || e.service === filter.service),
    );
    return structuredClone(matching.slice(-filter.limit));
  }

  async journalStart(entry: Omit<JournalEntry, "endedAt" | "result">): Promise<void> {
    const index = this.journal.findIndex(
      (e) =>
        e.requestId === entry.requestId && e.phase === entry.phase && e.stepId === entry.stepId,
    );
    if (index >= 0) this.journal.splice(index, 1);
    this.journal.push(structuredClone(entry));
  }

  async journalEnd(
    requestId: string,
    phase: JournalEntry["phase"],
    stepId: string,
    result: StepResult,
  ) {
    const entry = this.journal.find(
      (e) => e.requestId === requestId && e.phase === phase && e.stepId === stepId,
    );
    if (entry)
      Object.assign(entry, { endedAt: new Date().toISOString(), result: structuredClone(result) });
  }

  async listJournal(requestId: string): Promise<JournalEntry[]> {
    return structuredClone(this.journal.filter((e) => e.requestId === requestId));
  }

  async setFreeze(freeze: Freeze): Promise<void> {
    this.freezes.set(freeze.scope, structuredClone(freeze));
  }

  async clearFreeze(scope: string): Promise<boolean> {
    return this.freezes.delete(scope);
  }

  async listFreezes(): Promise<Freeze[]> {
    return structuredClone([...this.freezes.values()]);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(name);
    if (lease && lease.owner !== owner && lease.expiresAt > Date.now()) return false;
    this.leases.set(name, { owner, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async leaseHolder(name: string): Promise<string | undefined> {
    const lease = this.leases.get(name);
    return lease && lease.expiresAt > Date.now() ? lease.owner : undefined;
  }

  async recordDelivery(key: string): Promise<boolean> {
    if (this.deliveries.has(key)) return false;
    this.deliveries.add(key);
    return true;
  }

  async close(): Promise<void> {}

  private all(): ChangeRequest[] {
    return [...this.requests.values()].map((r) => structuredClone(r));
  }
}
