import type { PlannableCommand } from "./command.ts";
import type { Plan, Reservation } from "./plan.ts";
import type { ApprovalRequirement } from "./policy.ts";
import type { RunOutcome } from "./run.ts";

/** The status of a request. Every change between statuses is a compare-and-set in the store. */
export type RequestStatus =
  | "requested"
  | "partly_approved"
  | "approved"
  | "rejected"
  | "expired"
  | "cancelled"
  | "running"
  | "succeeded"
  | "failed"
  | "undone"
  | "undo_failed"
  | "interrupted";

/** Statuses after which nothing about the request changes any more. */
export const FINAL_STATUSES: ReadonlySet<RequestStatus> = new Set([
  "rejected",
  "expired",
  "cancelled",
  "succeeded",
  "failed",
  "undone",
  "undo_failed",
  "interrupted",
]);

/** Statuses in which a request still waits for votes. */
export const OPEN_STATUSES: ReadonlySet<RequestStatus> = new Set(["requested", "partly_approved"]);

/** What the policy asked for when the request was made, and the rule that asked. */
export type RequestApproval = ApprovalRequirement & { rule: string };

/** One person's decision on a request. */
export interface VoteRecord {
  userId: string;
  decision: "approve" | "reject";
  at: string;
}

/** Where a request was made, so replies and the card go back there. Opaque to the core. */
export interface Origin {
  surface: string;
  channelId?: string;
  /** The surface's reference to the request card, once posted. */
  cardRef?: string;
}

/** A change someone asked for, from request to outcome. */
export interface ChangeRequest {
  id: string;
  commandText: string;
  command: PlannableCommand;
  service: string;
  requesterId: string;
  origin: Origin;
  createdAt: string;
  expiresAt: string;
  status: RequestStatus;
  approval: RequestApproval;
  votes: VoteRecord[];
  plan: Plan;
  reservation: Reservation;
  run?: RunOutcome;
  /** Why the request ended as it did, in words. */
  outcome?: string;
  /** Who asked to cancel the run; the replica running it stops after the current step. */
  cancelRequestedBy?: string;
  /** When the approvers were reminded that the request is about to expire; once per request. */
  remindedAt?: string;
  updatedAt: string;
  /** Grows by one with every change; writers compare it to detect a concurrent change. */
  version: number;
}

/** The fields of a new request; the store adds the id and timestamps. */
export type NewRequest = Omit<ChangeRequest, "id" | "updatedAt" | "version">;

/** Persists requests. Writes are compare-and-set on the version, so one writer wins a race. */
export interface RequestStore {
  create(request: NewRequest): Promise<ChangeRequest>;
  get(id: string): Promise<ChangeRequest | undefined>;
  /**
   * Applies `change` only if the request is still at `version`; returns the new request, or
   * undefined when another writer changed it first.
   */
  update(
    id: string,
    version: number,
    change: Partial<Omit<ChangeRequest, "id" | "version">>,
  ): Promise<ChangeRequest | undefined>;
  /** Lists requests that are not final or ended after `since`, for reservations. */
  listActive(since: Date): Promise<ChangeRequest[]>;
}
