import type { BotDeps } from "./bot-deps.ts";
import type { PlannableCommand } from "./command.ts";
import { type LiveState, readLiveState } from "./live-state.ts";
import { scaleTarget } from "./plan-scale.ts";
import { evaluateRequest, type PolicyDecision } from "./policy.ts";

/** The live state a scale command starts from, its replica counts, and the policy's decision. */
export interface ScaleAssessment {
  live: LiveState;
  current: number;
  target: number;
  decision: PolicyDecision;
}

/** Reads the service's live state and decides a scale command for a user, now. */
export async function assessScale(
  deps: BotDeps,
  command: PlannableCommand,
  userId: string,
): Promise<ScaleAssessment> {
  const live = await readLiveState(deps.runner, deps.inventory, command.service);
  const { current, target } = scaleTarget(live, command.service, command.change);
  const decision = evaluateRequest(deps.policy, {
    action: "scale",
    service: command.service,
    userId,
    currentReplicas: current,
    targetReplicas: target,
    at: deps.clock.now(),
  });
  return { live, current, target, decision };
}
