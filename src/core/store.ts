import type { ChangeRequest, RequestStore } from "./request.ts";
import type { StepResult } from "./step-result.ts";

/** One entry of the append-only audit trail. */
export interface AuditEvent {
  /** Grows with every event; orders the trail. */
  seq: number;
  at: string;
  kind: string;
  requestId?: string;
  service?: string;
  /** The user who acted, or `bot` for the bot's own actions. */
  actor: string;
  /** Event details: the plan and its hash, a vote, a step's command and result... */
  data: Record<string, unknown>;
}

/** An audit event before the store numbers and dates it. */
export type NewAuditEvent = Omit<AuditEvent, "seq" | "at"> & { at?: string };

/** A step as the journal records it: written before it starts and again when it ends. */
export interface JournalEntry {
  requestId: string;
  phase: "run" | "undo";
  stepId: string;
  title: string;
  host: string;
  command: string;
  startedAt: string;
  /** Missing while the step runs, and after a crash in the middle of it. */
  endedAt?: string;
  result?: StepResult;
}

/** A freeze: no new runs for one service, or for all (`*`). */
export interface Freeze {
  scope: string;
  reason: string;
  by: string;
  at: string;
  /** Set when the bot froze the service itself after a failed undo. */
  automatic: boolean;
}

/** Filters for listing requests and audit events, newest first. */
export interface ListFilter {
  service?: string;
  requestId?: string;
  limit: number;
}

/**
 * Everything the bot keeps: requests, the audit trail, the step journal, freezes, leases and
 * delivered payload ids. PostgreSQL and PGlite implement it with the same SQL.
 */
export interface Store extends RequestStore {
  /** Lists requests, newest first. */
  listRequests(filter: ListFilter): Promise<ChangeRequest[]>;
  /** Lists requests in the given statuses, oldest first. */
  listByStatus(statuses: ChangeRequest["status"][]): Promise<ChangeRequest[]>;

  /** Appends to the audit trail; nothing updates or deletes an event. */
  appendAudit(event: NewAuditEvent): Promise<AuditEvent>;
  /** Lists audit events, oldest first, up to `limit` of the newest. */
  listAudit(filter: ListFilter): Promise<AuditEvent[]>;

  /** Records that a step starts, before its command runs. */
  journalStart(entry: Omit<JournalEntry, "endedAt" | "result">): Promise<void>;
  /** Records how a step ended. */
  journalEnd(
    requestId: string,
    phase: JournalEntry["phase"],
    stepId: string,
    result: StepResult,
  ): Promise<void>;
  /** Lists a request's journal in the order the steps started. */
  listJournal(requestId: string): Promise<JournalEntry[]>;

  setFreeze(freeze: Freeze): Promise<void>;
  /** Removes a freeze; returns false when there was none. */
  clearFreeze(scope: string): Promise<boolean>;
  listFreezes(): Promise<Freeze[]>;

  /**
   * Takes or renews a named lease for `owner` until now + `ttlMs`. Succeeds when the lease is
   * free, expired, or already held by `owner`. A replica that dies stops renewing, so its
   * leases expire and another replica takes them.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  /** The current holder of a lease, if it has not expired. */
  leaseHolder(name: string): Promise<string | undefined>;

  /**
   * Records a delivered chat payload by its own id; returns false when it was seen before, so
   * a retried delivery is processed once.
   */
  recordDelivery(key: string): Promise<boolean>;

  close(): Promise<void>;
}
