import { auditRequest } from "./audit.ts";
import type { BotDeps } from "./bot-deps.ts";
import { evaluateVote } from "./policy.ts";
import { statusLabel } from "./render.ts";
import { type ChangeRequest, OPEN_STATUSES, type VoteRecord } from "./request.ts";
import type { ChatContext } from "./surface.ts";

/** The result of a click: the request as it is now, and whether the click started a run. */
export type VoteOutcome =
  | { ok: true; request: ChangeRequest; approvedNow: boolean }
  | { ok: false; message: string };

/** Attempts a compare-and-set this many times when other votes land at the same moment. */
const MAX_ATTEMPTS = 5;

/** Records an approve or reject click, checking the clicking user's roles at click time. */
export async function castVote(
  deps: BotDeps,
  ctx: ChatContext,
  requestId: string,
  decision: VoteRecord["decision"],
): Promise<VoteOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const request = await deps.store.get(requestId);
    if (!request) return unknownRequest(requestId);
    const refusal =
      (await closedReason(deps, request)) ?? voteRefusal(deps, ctx, request, decision);
    if (refusal) {
      await auditRequest(deps, request, "vote_refused", ctx.userId, { decision, reason: refusal });
      return { ok: false, message: refusal };
    }

    const outcome = await applyVote(deps, request, ctx.userId, decision);
    if (outcome) return outcome;
  }
  return {
    ok: false,
    message: `Request ${requestId} changed too often while your vote was recorded; click again.`,
  };
}

function voteRefusal(
  deps: BotDeps,
  ctx: ChatContext,
  request: ChangeRequest,
  decision: VoteRecord["decision"],
): string | undefined {
  if (decision === "reject" && ctx.userId === request.requesterId) {
    return `You made request ${request.id}: to withdraw it, click Cancel or type /psa cancel ${request.id}.`;
  }
  const check = evaluateVote(deps.policy, request.approval, {
    userId: ctx.userId,
    requesterId: request.requesterId,
    alreadyVoted: request.votes.map((v) => v.userId),
  });
  if (check.ok) return undefined;
  // The policy words its refusals for approvals; a reject needs the same role.
  const message =
    decision === "reject" ? check.message.replace(/^Approving/, "Rejecting") : check.message;
  return `${message} (request ${request.id})`;
}

async function applyVote(
  deps: BotDeps,
  request: ChangeRequest,
  userId: string,
  decision: VoteRecord["decision"],
) {
  const at = deps.clock.now().toISOString();
  const votes = [...request.votes, { userId, decision, at }];
  const approvals = votes.filter((v) => v.decision === "approve").length;
  const status =
    decision === "reject"
      ? "rejected"
      : approvals >= request.approval.count
        ? "approved"
        : "partly_approved";
  const approvers = votes.filter((v) => v.decision === "approve").map((v) => `<@${v.userId}>`);
  const outcome =
    status === "rejected"
      ? `Rejected by <@${userId}> at ${at}.`
      : status === "approved"
        ? `Approved by ${approvers.join(", ")} at ${at}.`
        : undefined;

  // The compare-and-set on the version makes each distinct vote count once: of two votes read
  // at the same version, one writes and the other reads the request again.
  const updated = await deps.store.update(request.id, request.version, {
    votes,
    status,
    ...(outcome ? { outcome } : {}),
  });
  if (!updated) return undefined;
  deps.logger.info({ requestId: request.id, userId, decision, status }, "vote recorded");
  await auditRequest(deps, updated, "vote", userId, { decision, status });
  return { ok: true as const, request: updated, approvedNow: status === "approved" };
}

/** Explains why a request takes no more votes, expiring it first when its time is up. */
export async function closedReason(
  deps: BotDeps,
  request: ChangeRequest,
): Promise<string | undefined> {
  if (OPEN_STATUSES.has(request.status) && new Date(request.expiresAt) <= deps.clock.now()) {
    await expireRequest(deps, request);
    return `Request ${request.id} expired at ${request.expiresAt}; nothing will run. Request it again if it is still needed.`;
  }
  if (OPEN_STATUSES.has(request.status)) return undefined;

  // The outcome names who decided and when ("Approved by <@U1> at ...", "Cancelled by ...").
  const decided = request.outcome ? ` (${request.outcome.split("\n")[0]?.replace(/\.$/, "")})` : "";
  return `Request ${request.id} is already ${statusLabel(request)}${decided}; your click changed nothing.`;
}

/** Moves an open request whose time is up to expired, records it and redraws its card. */
export async function expireRequest(deps: BotDeps, request: ChangeRequest): Promise<boolean> {
  const expired = await deps.store.update(request.id, request.version, {
    status: "expired",
    outcome: `Expired at ${request.expiresAt} without enough approvals.`,
  });
  if (!expired) return false;
  await auditRequest(deps, expired, "request_expired", "bot", { expiresAt: request.expiresAt });
  await deps.surface.updateCard(expired);
  return true;
}

function unknownRequest(requestId: string): VoteOutcome {
  return {
    ok: false,
    message: `Request ${requestId} not found; it may come from another bot installation. Nothing was changed.`,
  };
}
