import { assessScale } from "./assess-scale.ts";
import type { BotDeps } from "./bot-deps.ts";
import type { PlannableCommand } from "./command.ts";
import { planScale } from "./plan-scale.ts";
import { renderPlan } from "./render.ts";
import { othersReservations } from "./reservations.ts";

/** A plan shown without being requested: its text, and whether the policy would allow it. */
export interface Preview {
  text: string;
  allowed: boolean;
  planned: boolean;
}

/** Builds the plan of a scale command and the policy outcome for a user; changes nothing. */
export async function previewScale(
  deps: BotDeps,
  userId: string,
  command: PlannableCommand,
): Promise<Preview> {
  const { live, decision } = await assessScale(deps, command, userId);
  const reservedByOthers = await othersReservations(deps.store, deps.clock);
  const planned = planScale({
    inventory: deps.inventory,
    service: command.service,
    live,
    change: command.change,
    reservedByOthers,
  });

  const approval =
    decision.allowed && decision.approval.required
      ? `; needs ${decision.approval.count} approval(s) from ${decision.approval.approverRoles.join(", ")}`
      : "; runs without approval";
  const policy = decision.allowed
    ? `Policy: allowed by rule ${decision.rule}${approval}.`
    : `Policy: denied. ${decision.message}`;
  const body = planned.ok ? renderPlan(planned.plan) : `No plan: ${planned.message}`;
  return {
    text: `${body}\n${policy}\nThis is a preview: nothing was reserved or run.`,
    allowed: decision.allowed,
    planned: planned.ok,
  };
}
