import type { BotDeps } from "./bot-deps.ts";
import { evaluateVote } from "./policy.ts";
import { statusLabel } from "./render.ts";
import { type ChangeRequest, OPEN_STATUSES, type VoteRecord } from "./request.ts";
import type { ChatContext } from "./surface.ts";

/** What a click did: the request as it now stands, and whether the click started a run. */
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
    const closed = await closedReason(deps, request);
    if (closed) return { ok: false, message: closed };

    const check = evaluateVote(deps.policy, request.approval, {
      userId: ctx.userId,
      requesterId: request.requesterId,
      alreadyVoted: request.votes.map((v) => v.userId),
    });
    if (!check.ok) return { ok: false, message: `${check.message} (request ${request.id})` };

    const outcome = await applyVote(deps, request, ctx.userId, decision);
    if (outcome) return outcome;
  }
  return {
    ok: false,
    message: `Request ${requestId} changed too often while your vote was recorded; click again.`,
  };
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
  const outcome =
    status === "rejected"
      ? `Rejected by <@${userId}> at ${at}.`
      : status === "approved"
        ? `Approved by ${votes.map((v) => `<@${v.userId}>`).join(", ")} at ${at}.`
        : undefined;

  const updated = await deps.store.update(request.id, request.version, {
    votes,
    status,
    ...(outcome ? { outcome } : {}),
  });
  if (!updated) return undefined;
  deps.logger.info({ requestId: request.id, userId, decision, status }, "vote recorded");
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

  const who = request.votes.filter(
    (v) => v.decision === (request.status === "rejected" ? "reject" : "approve"),
  );
  const by = who.length > 0 ? ` by ${who.map((v) => `<@${v.userId}>`).join(", ")}` : "";
  return `Request ${request.id} is already ${statusLabel(request)}${by}; your click changed nothing.`;
}

/** Moves an open request whose time is up to expired and redraws its card. */
export async function expireRequest(deps: BotDeps, request: ChangeRequest): Promise<boolean> {
  const expired = await deps.store.update(request.id, request.version, {
    status: "expired",
    outcome: `Expired at ${request.expiresAt} without enough approvals.`,
  });
  if (expired) await deps.surface.updateCard(expired);
  return expired !== undefined;
}

function unknownRequest(requestId: string): VoteOutcome {
  return {
    ok: false,
    message: `Request ${requestId} not found; it may come from another bot installation. Nothing was changed.`,
  };
}
