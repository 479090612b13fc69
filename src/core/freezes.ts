import { audit, auditRequest } from "./audit.ts";
import type { BotDeps } from "./bot-deps.ts";
import { evaluateRequest } from "./policy.ts";
import type { ChangeRequest } from "./request.ts";
import type { RunOutcome } from "./run.ts";
import type { Freeze, Store } from "./store.ts";
import type { ChatContext } from "./surface.ts";

/** The scope of a freeze of every service. */
export const ALL_SERVICES = "*";

/** Finds the freeze that stops runs of a service: its own, or the one of every service. */
export async function activeFreeze(store: Store, service: string): Promise<Freeze | undefined> {
  const freezes = await store.listFreezes();
  return freezes.find((f) => f.scope === service) ?? freezes.find((f) => f.scope === ALL_SERVICES);
}

/** Lists the freezes that stop runs of any of the services, each once. */
export async function freezesOf(store: Store, services: string[]): Promise<Freeze[]> {
  const freezes = await Promise.all(services.map((service) => activeFreeze(store, service)));
  const byScope = new Map(freezes.filter((f) => f !== undefined).map((f) => [f.scope, f]));
  return [...byScope.values()];
}

/** Describes a freeze for messages, with the command that lifts it. */
export function describeFreeze(freeze: Freeze): string {
  const scope =
    freeze.scope === ALL_SERVICES ? "every service is frozen" : `${freeze.scope} is frozen`;
  const by = freeze.automatic ? "by the bot" : `by <@${freeze.by}>`;
  const reason = freeze.reason ? `: ${freeze.reason}` : "";
  const lift = freeze.scope === ALL_SERVICES ? "/psa unfreeze" : `/psa unfreeze ${freeze.scope}`;
  return `${scope} ${by} since ${freeze.at}${reason}. A person with a freeze rule lifts it with ${lift}.`;
}

/** Handles `freeze [SERVICE] [REASON]`, gated by a policy rule with action freeze. */
export async function freezeCommand(
  deps: BotDeps,
  ctx: ChatContext,
  service: string | undefined,
  reason: string,
) {
  const scope = service ?? ALL_SERVICES;
  if (!(await allowed(deps, ctx, scope))) return;

  const freeze = {
    scope,
    reason,
    by: ctx.userId,
    at: deps.clock.now().toISOString(),
    automatic: false,
  };
  await deps.store.setFreeze(freeze);
  await audit(deps, {
    kind: "service_frozen",
    ...(service ? { service } : {}),
    actor: ctx.userId,
    data: { scope, reason },
  });
  await deps.surface.reply(ctx, `Frozen: ${describeFreeze(freeze)}`);
}

/** Handles `unfreeze [SERVICE]`, gated like freeze. */
export async function unfreezeCommand(
  deps: BotDeps,
  ctx: ChatContext,
  service: string | undefined,
) {
  const scope = service ?? ALL_SERVICES;
  if (!(await allowed(deps, ctx, scope))) return;

  const removed = await deps.store.clearFreeze(scope);
  if (!removed) {
    const others = (await deps.store.listFreezes()).map((f) =>
      f.scope === ALL_SERVICES ? "every service" : f.scope,
    );
    const hint = others.length > 0 ? ` Frozen now: ${others.join(", ")}.` : " Nothing is frozen.";
    await deps.surface.ephemeral(
      ctx,
      `${scope === ALL_SERVICES ? "There is no freeze of every service" : `${scope} is not frozen by its own freeze`}.${hint}`,
    );
    return;
  }
  await audit(deps, {
    kind: "service_unfrozen",
    ...(service ? { service } : {}),
    actor: ctx.userId,
    data: { scope },
  });
  await deps.surface.reply(
    ctx,
    `Unfrozen: ${scope === ALL_SERVICES ? "every service" : scope} accepts runs again (by <@${ctx.userId}>).`,
  );
}

async function allowed(deps: BotDeps, ctx: ChatContext, scope: string): Promise<boolean> {
  const service = scope === ALL_SERVICES ? "*" : scope;
  const decision = evaluateRequest(deps.policy, {
    action: "freeze",
    service,
    userId: ctx.userId,
    at: deps.clock.now(),
  });
  if (decision.allowed) return true;
  deps.logger.warn({ userId: ctx.userId, scope }, "freeze denied");
  await deps.surface.ephemeral(ctx, `Denied: ${decision.message}`);
  return false;
}

/**
 * Freezes a service after an undo failed, reports exactly which steps are left in place, and
 * mentions the approvers. Only a person lifts the freeze.
 */
export async function freezeAfterUndoFailure(
  deps: BotDeps,
  request: ChangeRequest,
  run: RunOutcome,
) {
  const freeze = {
    scope: request.service,
    reason: `the undo of ${request.id} failed`,
    by: "bot",
    at: deps.clock.now().toISOString(),
    automatic: true,
  };
  await deps.store.setFreeze(freeze);
  await auditRequest(deps, request, "service_frozen", "bot", {
    scope: request.service,
    automatic: true,
  });

  const approvers = request.approval.approverIds.map((id) => `<@${id}>`).join(" ");
  const text = [
    `${approvers} ${request.service} is frozen: the undo of ${request.id} failed.`,
    `Left in place: ${leftInPlace(request, run).join("; ") || "nothing the bot could identify"}.`,
    `Check these by hand, then lift the freeze with /psa unfreeze ${request.service}.`,
  ].join("\n");
  await deps.surface.postThread(request, text);
  await deps.surface.reply({ userId: "bot", teamId: "", origin: request.origin }, text);
}

/** Lists the completed steps whose undo did not finish, newest first. */
export function leftInPlace(request: ChangeRequest, run: RunOutcome): string[] {
  const undone = new Set(run.undo.filter((r) => r.ok).map((r) => r.stepId.split(".u")[0]));
  const failedParents = new Set(run.undo.filter((r) => !r.ok).map((r) => r.stepId.split(".u")[0]));
  return request.plan.steps
    .filter((step) => run.steps.some((r) => r.stepId === step.id && r.ok) && step.undo.length > 0)
    .filter((step) => failedParents.has(step.id) || !undone.has(step.id))
    .reverse()
    .map((step) => `step ${step.id} (${step.title}) on ${step.host}`);
}
