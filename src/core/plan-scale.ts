import type { Inventory } from "../config/schema.ts";
import type { ScaleChange } from "./command.ts";
import type { LiveState } from "./live-state.ts";
import { hashPlan, type Plan, type Reservation, type Step } from "./plan.ts";
import { planScaleIn } from "./plan-scale-in.ts";
import { planScaleOut } from "./plan-scale-out.ts";
import { replicasOf } from "./replicas.ts";

/** Steps of a plan before it is bound to its counts and hash, or why none can be made. */
export type PlanOutcome =
  | { ok: true; steps: Step[]; reservation: Reservation; summary: string }
  | { ok: false; code: string; message: string };

/** The result of planning: a plan, or a reason with a code. */
export type PlanResult = { ok: true; plan: Plan } | { ok: false; code: string; message: string };

/** Inputs of a scale plan. */
export interface ScalePlanInput {
  inventory: Inventory;
  service: string;
  live: LiveState;
  change: ScaleChange;
  /** Ids, addresses and names held by other pending requests. */
  reservedByOthers: Reservation[];
  /** The request's own reservation, when a plan is rebuilt before it runs. */
  own?: Reservation;
}

/** Counts the replicas a scale command starts from and aims at. */
export function scaleTarget(live: LiveState, service: string, change: ScaleChange) {
  const current = replicasOf(live, service).length;
  const target = change.mode === "absolute" ? change.count : current + change.delta;
  return { current, target };
}

/** Builds the plan of a scale command from the live state. Pure: same input, same plan. */
export function planScale(input: ScalePlanInput): PlanResult {
  const { current, target } = scaleTarget(input.live, input.service, input.change);
  if (target < 0) {
    return {
      ok: false,
      code: "below_zero",
      message: `${input.service} has ${current} replica(s); it cannot lose ${current - target}`,
    };
  }
  if (target === current) {
    return {
      ok: false,
      code: "nothing_to_do",
      message: `${input.service} already has ${current} replica(s); nothing to do`,
    };
  }

  const outcome =
    target > current
      ? planScaleOut({ ...input, count: target - current })
      : planScaleIn(input.inventory, input.service, input.live, current - target);
  if (!outcome.ok) return outcome;

  const draft = {
    service: input.service,
    summary: outcome.summary,
    currentReplicas: current,
    targetReplicas: target,
    steps: outcome.steps,
    reservation: outcome.reservation,
    facts: [],
  };
  return { ok: true, plan: { ...draft, hash: hashPlan(draft) } };
}
