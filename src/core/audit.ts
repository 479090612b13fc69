import type { BotDeps } from "./bot-deps.ts";
import type { Step } from "./plan.ts";
import { describeCommand, renderStepResult } from "./render.ts";
import type { ChangeRequest } from "./request.ts";
import type { RunListener } from "./run.ts";
import type { StepResult } from "./step-result.ts";
import type { NewAuditEvent } from "./store.ts";

/** Appends one event to the audit trail. A failed write is a fault: nothing may go unrecorded. */
export async function audit(deps: BotDeps, event: NewAuditEvent): Promise<void> {
  await deps.store.appendAudit(event);
}

/** Records a request event with the request's id and service. */
export function auditRequest(
  deps: BotDeps,
  request: ChangeRequest,
  kind: string,
  actor: string,
  data: Record<string, unknown> = {},
) {
  return audit(deps, { kind, requestId: request.id, service: request.service, actor, data });
}

/**
 * Journals every step before it starts and after it ends, writes both to the audit trail, and
 * reports the end in the request's thread.
 */
export function journalingListener(deps: BotDeps, request: ChangeRequest): RunListener {
  return {
    stepStarted: async (step: Step, phase) => {
      const command = describeCommand(step);
      const startedAt = deps.clock.now().toISOString();
      await deps.store.journalStart({
        requestId: request.id,
        phase,
        stepId: step.id,
        title: step.title,
        host: step.host,
        command,
        startedAt,
      });
      await auditRequest(deps, request, "step_started", "bot", {
        phase,
        stepId: step.id,
        title: step.title,
        host: step.host,
        command,
      });
    },
    stepEnded: async (step: Step, result: StepResult, phase) => {
      await deps.store.journalEnd(request.id, phase, step.id, result);
      await auditRequest(deps, request, "step_ended", "bot", { phase, ...result });
      await deps.surface.postThread(request, renderStepResult(result, phase));
    },
  };
}
