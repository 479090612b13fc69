import type { Logger } from "../core/ports.ts";
import type { ChangeRequest, NewRequest, RequestStatus } from "../core/request.ts";
import type { StepResult } from "../core/step-result.ts";
import type {
  AuditEvent,
  Freeze,
  JournalEntry,
  ListFilter,
  NewAuditEvent,
  Store,
} from "../core/store.ts";
import type { SqlClient } from "./sql-client.ts";
import { insertAudit, selectAudit } from "./sql-store-audit.ts";
import {
  deleteFreeze,
  deleteLease,
  insertDelivery,
  pruneDeliveries,
  selectFreezes,
  selectLeaseHolder,
  upsertFreeze,
  upsertLease,
} from "./sql-store-coordination.ts";
import { insertJournalStart, selectJournal, updateJournalEnd } from "./sql-store-journal.ts";
import {
  insertRequest,
  selectActive,
  selectByStatus,
  selectRequest,
  selectRequests,
  updateRequest,
} from "./sql-store-requests.ts";

/** Old delivery ids are deleted on the first recorded delivery and then on every 100th. */
const PRUNE_EVERY = 100;

/**
 * The store on PostgreSQL or PGlite, with the same SQL for both. The schema must be migrated
 * first (see `migrate`, or open the store with `createStore`).
 */
export class SqlStore implements Store {
  private deliveriesRecorded = 0;

  /**
   * The connection for reads that tolerate a little lag (history, audit listings). It is the
   * primary today; a read/write router can hand in a replica here without touching callers.
   */
  private readonly reads: SqlClient;

  constructor(
    /** The database connection, which tests also query directly. */
    readonly client: SqlClient,
    private readonly logger: Logger,
    reads?: SqlClient,
  ) {
    this.reads = reads ?? client;
  }

  create(request: NewRequest): Promise<ChangeRequest> {
    return insertRequest(this.client, request);
  }

  get(id: string): Promise<ChangeRequest | undefined> {
    return selectRequest(this.client, id);
  }

  update(
    id: string,
    version: number,
    change: Partial<Omit<ChangeRequest, "id" | "version">>,
  ): Promise<ChangeRequest | undefined> {
    return updateRequest(this.client, id, version, change);
  }

  listActive(since: Date): Promise<ChangeRequest[]> {
    return selectActive(this.client, since);
  }

  listRequests(filter: ListFilter): Promise<ChangeRequest[]> {
    return selectRequests(this.reads, filter);
  }

  listByStatus(statuses: RequestStatus[]): Promise<ChangeRequest[]> {
    return selectByStatus(this.client, statuses);
  }

  appendAudit(event: NewAuditEvent): Promise<AuditEvent> {
    return insertAudit(this.client, event);
  }

  listAudit(filter: ListFilter): Promise<AuditEvent[]> {
    return selectAudit(this.reads, filter);
  }

  journalStart(entry: Omit<JournalEntry, "endedAt" | "result">): Promise<void> {
    return insertJournalStart(this.client, entry);
  }

  journalEnd(
    requestId: string,
    phase: JournalEntry["phase"],
    stepId: string,
    result: StepResult,
  ): Promise<void> {
    return updateJournalEnd(this.client, { requestId, phase, stepId }, result);
  }

  listJournal(requestId: string): Promise<JournalEntry[]> {
    return selectJournal(this.client, requestId);
  }

  setFreeze(freeze: Freeze): Promise<void> {
    return upsertFreeze(this.client, freeze);
  }

  clearFreeze(scope: string): Promise<boolean> {
    return deleteFreeze(this.client, scope);
  }

  listFreezes(): Promise<Freeze[]> {
    return selectFreezes(this.client);
  }

  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return upsertLease(this.client, name, owner, ttlMs);
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return deleteLease(this.client, name, owner);
  }

  leaseHolder(name: string): Promise<string | undefined> {
    return selectLeaseHolder(this.client, name);
  }

  async recordDelivery(key: string): Promise<boolean> {
    const inserted = await insertDelivery(this.client, key);

    if (this.deliveriesRecorded++ % PRUNE_EVERY === 0) {
      await this.pruneDeliveries();
    }
    return inserted;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** Deletes old delivery ids. A failure is only logged, because the delivery is recorded. */
  private async pruneDeliveries(): Promise<void> {
    try {
      const deleted = await pruneDeliveries(this.client);
      this.logger.debug({ deleted }, "deleted delivery ids older than a day");
    } catch (error) {
      this.logger.warn(
        { err: error },
        "deleting old delivery ids failed, retrying with a later delivery",
      );
    }
  }
}
