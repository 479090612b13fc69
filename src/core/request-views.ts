import type { BotDeps } from "./bot-deps.ts";
import { describeFreeze, freezesOf } from "./freezes.ts";
import { evaluateRequest, rolesOf } from "./policy.ts";
import { renderCard, statusLabel } from "./render.ts";
import type { ChangeRequest } from "./request.ts";
import type { ChatContext } from "./surface.ts";

/** Requests `history` lists at most. */
const HISTORY_LIMIT = 20;
/** Audit events `show` lists at most. */
const TRAIL_LIMIT = 200;

/** Shows one request: its card, then its audit trail with every step's host, command and exit. */
export async function showRequest(
  deps: BotDeps,
  ctx: ChatContext,
  requestId: string,
): Promise<void> {
  const request = await deps.store.get(requestId);
  if (!request) {
    await deps.surface.ephemeral(
      ctx,
      `Request ${requestId} not found. /psa history lists recent requests.`,
    );
    return;
  }
  const trail = await deps.store.listAudit({ requestId, limit: TRAIL_LIMIT });
  const lines = trail.map(
    (event) => `  ${event.at} ${event.kind} by ${event.actor}${describeEvent(event.data)}`,
  );
  await deps.surface.ephemeral(
    ctx,
    `${renderCard(request)}\nTrail:\n${lines.join("\n") || "  (empty)"}`,
  );
}

function describeEvent(data: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof data.stepId === "string")
    parts.push(`step ${data.stepId}${data.phase === "undo" ? " (undo)" : ""}`);
  if (typeof data.host === "string") parts.push(`on ${data.host}`);
  if (typeof data.command === "string") parts.push(`$ ${data.command}`);
  if (typeof data.commandLine === "string" && data.commandLine) parts.push(`$ ${data.commandLine}`);
  if ("exitCode" in data) parts.push(`exit ${String(data.exitCode)}`);
  if (typeof data.durationMs === "number") parts.push(`${(data.durationMs / 1000).toFixed(1)} s`);
  if (typeof data.error === "string") parts.push(data.error);
  if (typeof data.decision === "string") parts.push(data.decision);
  if (typeof data.status === "string") parts.push(`→ ${data.status}`);
  if (typeof data.planHash === "string") parts.push(`plan ${data.planHash}`);
  return parts.length > 0 ? `: ${parts.join(", ")}` : "";
}

/** Lists recent requests, newest first, with their status and outcome. */
export async function showHistory(
  deps: BotDeps,
  ctx: ChatContext,
  service?: string,
): Promise<void> {
  const requests = await deps.store.listRequests({
    ...(service ? { service } : {}),
    limit: HISTORY_LIMIT,
  });
  const scope = service ?? "every service";
  if (requests.length === 0) {
    await deps.surface.ephemeral(ctx, `No requests yet for ${scope}.`);
    return;
  }
  const lines = requests.map(historyLine);
  await deps.surface.ephemeral(
    ctx,
    `Recent requests for ${scope} (newest first; /psa show ID for the trail):\n${lines.join("\n")}`,
  );
}

function historyLine(request: ChangeRequest): string {
  const outcome = request.outcome ? ` — ${request.outcome.split("\n")[0]}` : "";
  return `${request.id} ${request.createdAt} <@${request.requesterId}> /psa ${request.commandText}: ${statusLabel(request)}${outcome}`;
}

/** Shows the user's roles, and what each rule lets them request, approve or freeze. */
export async function showWhoami(deps: BotDeps, ctx: ChatContext): Promise<void> {
  const roles = rolesOf(deps.policy, ctx.userId);
  const lines = [
    `You are <@${ctx.userId}>, with ${roles.length > 0 ? `roles ${roles.join(", ")}` : "no role"}.`,
  ];
  for (const rule of deps.policy.rules) {
    const requests = rule.requesters.some((role) => roles.includes(role));
    const approves = rule.approval.approvers.some((role) => roles.includes(role));
    if (!requests && !approves) continue;
    const what = `${rule.action} on ${rule.services.join(", ")}`;
    const can = [requests ? `request ${what}` : "", approves ? `approve ${what}` : ""]
      .filter(Boolean)
      .join(" and ");
    lines.push(`- rule ${rule.name}: you may ${can}${describeLimits(rule.limits)}`);
  }
  const frozen = await freezesOf(deps.store, Object.keys(deps.inventory.services));
  for (const freeze of frozen) lines.push(`Note: ${describeFreeze(freeze)}`);
  const canStatus = evaluateRequest(deps.policy, {
    action: "status",
    service: "*",
    userId: ctx.userId,
  }).allowed;
  if (lines.length === 1 && !canStatus)
    lines.push("No rule lets you do anything yet; ask a policy administrator for a role.");
  await deps.surface.ephemeral(ctx, lines.join("\n"));
}

function describeLimits(limits: {
  maxStep?: number;
  minReplicas?: number;
  maxReplicas?: number;
}): string {
  const parts = [
    limits.maxStep !== undefined ? `steps of at most ${limits.maxStep}` : "",
    limits.minReplicas !== undefined ? `at least ${limits.minReplicas} replicas` : "",
    limits.maxReplicas !== undefined ? `at most ${limits.maxReplicas} replicas` : "",
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}
