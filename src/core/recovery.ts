import { auditRequest } from "./audit.ts";
import type { BotDeps } from "./bot-deps.ts";
import type { Step } from "./plan.ts";
import { rolesOf } from "./policy.ts";
import { renderRunOutcome } from "./render.ts";
import type { ChangeRequest } from "./request.ts";
import { undoAll } from "./run.ts";
import type { RunCoordinator } from "./runs.ts";
import { probeStep } from "./step-probe.ts";
import type { JournalEntry } from "./store.ts";
import type { ChatContext } from "./surface.ts";

/** How long an approved request may wait for its run before another replica starts it. */
const STALE_APPROVAL_MS = 30_000;

/** The journal's record of a run that stopped: completed steps and the one interrupted. */
interface JournalState {
  completed: Step[];
  interrupted?: Step;
  undoStarted: boolean;
}

/** Reads a request's journal: which steps completed, which one was cut off, and the undo. */
export function journalState(request: ChangeRequest, journal: JournalEntry[]): JournalState {
  const run = new Map(journal.filter((e) => e.phase === "run").map((e) => [e.stepId, e]));
  const undo = journal.filter((e) => e.phase === "undo");
  const undoneParents = new Set(
    request.plan.steps
      .filter(
        (step) =>
          step.undo.length > 0 &&
          step.undo.every((u) => undo.some((e) => e.stepId === u.id && e.result?.ok)),
      )
      .map((step) => step.id),
  );
  const completed = request.plan.steps.filter(
    (step) => run.get(step.id)?.result?.ok && !undoneParents.has(step.id),
  );
  const interrupted = request.plan.steps.find(
    (step) => run.has(step.id) && !run.get(step.id)?.endedAt,
  );
  return { completed, ...(interrupted ? { interrupted } : {}), undoStarted: undo.length > 0 };
}

/**
 * Finds runs whose bot died: requests still marked running whose service lease nobody holds.
 * Each is marked interrupted and reported where it was requested, with the two ways on.
 */
export async function markInterrupted(deps: BotDeps): Promise<void> {
  for (const request of await deps.store.listByStatus(["running"])) {
    if (await deps.store.leaseHolder(`service:${request.service}`)) continue;

    const state = journalState(request, await deps.store.listJournal(request.id));
    const at = state.interrupted
      ? `during step ${state.interrupted.id} (${state.interrupted.title})`
      : "between steps";
    const done = state.completed.map((step) => step.id).join(", ") || "none";
    const outcome = `Interrupted ${at}: the bot running it stopped. Completed steps: ${done}. Nothing was re-run. Undo the completed steps (click undo ${request.id}) or resume from the interrupted step after its state is checked (click resume ${request.id}).`;
    const marked = await deps.store.update(request.id, request.version, {
      status: "interrupted",
      outcome,
    });
    if (!marked) continue;

    deps.logger.error({ requestId: request.id }, "run interrupted");
    await auditRequest(deps, marked, "run_interrupted", "bot", {
      interruptedStep: state.interrupted?.id,
      completed: state.completed.map((s) => s.id),
    });
    await deps.surface.updateCard(marked);
    await deps.surface.postThread(marked, outcome);
  }
}

/** Starts approved requests whose run never began, for example because their bot died. */
export async function startStaleApprovals(deps: BotDeps, runs: RunCoordinator): Promise<void> {
  const now = deps.clock.now().getTime();
  for (const request of await deps.store.listByStatus(["approved"])) {
    const stale = now - new Date(request.updatedAt).getTime() > STALE_APPROVAL_MS;
    if (stale && !(await deps.store.leaseHolder(`service:${request.service}`))) runs.start(request);
  }
}

/** Undoes the completed steps of an interrupted run, the interrupted step's undo included. */
export async function undoInterrupted(
  deps: BotDeps,
  runs: RunCoordinator,
  ctx: ChatContext,
  request: ChangeRequest,
) {
  if (!(await mayAct(deps, ctx, request, "undo"))) return;

  runs.startWork(request, async (current) => {
    const held = await claim(deps, ctx, current, "undo");
    if (!held) return;
    const state = journalState(held, await deps.store.listJournal(held.id));
    const uncertain = state.undoStarted ? undefined : state.interrupted;
    const reason = `undo after an interruption, asked by <@${ctx.userId}>`;
    const outcome = await undoAll(state.completed, [], reason, runs.runDeps(held), uncertain);
    const status = outcome.status === "failed" ? "undone" : outcome.status;
    await runs.finish(held, status, renderRunOutcome({ ...outcome, status }), outcome);
  });
}

/** Resumes an interrupted run: checks the interrupted step's effect, then runs the rest. */
export async function resumeInterrupted(
  deps: BotDeps,
  runs: RunCoordinator,
  ctx: ChatContext,
  request: ChangeRequest,
) {
  if (!(await mayAct(deps, ctx, request, "resume"))) return;

  runs.startWork(request, async (current) => {
    const state = journalState(current, await deps.store.listJournal(current.id));
    if (state.undoStarted) {
      await deps.surface.ephemeral(
        ctx,
        `${current.id} was interrupted during its undo, so it cannot resume; click undo ${current.id} to finish the undo.`,
      );
      return;
    }
    const held = await claim(deps, ctx, current, "resume");
    if (!held) return;

    const from = await resumePoint(deps, held, state);
    if (typeof from === "string") {
      const back = await deps.store.update(held.id, held.version, {
        status: "interrupted",
        outcome: `Cannot resume: ${from}. Click undo ${held.id}, or fix it by hand.`,
      });
      if (back) await deps.surface.updateCard(back);
      if (back) await deps.surface.postThread(back, back.outcome ?? "");
      return;
    }
    await deps.surface.postThread(
      held,
      `Resuming ${held.id} at step ${held.plan.steps[from]?.id ?? "(end)"}.`,
    );
    const outcome = await runs.execute(held, { from });
    const text =
      outcome.status === "succeeded"
        ? `Succeeded after resume: ${held.plan.summary}.`
        : renderRunOutcome(outcome);
    await runs.finish(held, outcome.status, text, outcome);
  });
}

/** Finds the index of the first step to run, or says why the interrupted step's state is unclear. */
async function resumePoint(
  deps: BotDeps,
  request: ChangeRequest,
  state: JournalState,
): Promise<number | string> {
  // Steps are matched by id: the state may come from another copy of the request.
  const indexOf = (id: string | undefined) =>
    request.plan.steps.findIndex((step) => step.id === id);
  if (!state.interrupted)
    return state.completed.length === 0 ? 0 : indexOf(state.completed.at(-1)?.id) + 1;

  const index = indexOf(state.interrupted.id);
  if (index < 0) return `step ${state.interrupted.id} is not in the plan`;
  const probe = await probeStep(deps, state.interrupted);
  await auditRequest(deps, request, "step_checked", "bot", {
    stepId: state.interrupted.id,
    ...probe,
  });
  if (probe.state === "unknown") return probe.reason;
  return probe.state === "done" ? index + 1 : index;
}

/** Allows the requester and the request's approvers to undo or resume it. */
async function mayAct(
  deps: BotDeps,
  ctx: ChatContext,
  request: ChangeRequest,
  action: string,
): Promise<boolean> {
  if (ctx.userId === request.requesterId || isApprover(deps, ctx.userId, request)) return true;
  await deps.surface.ephemeral(
    ctx,
    `Only the requester or an approver (${request.approval.approverRoles.join(", ")}) can ${action} ${request.id}. Nothing was changed.`,
  );
  return false;
}

/** Tells whether a user has one of a request's approver roles now. */
export function isApprover(deps: BotDeps, userId: string, request: ChangeRequest): boolean {
  const roles = rolesOf(deps.policy, userId);
  return request.approval.approverRoles.some((role) => roles.includes(role));
}

/** Moves an interrupted request to running, exactly once across replicas. */
async function claim(
  deps: BotDeps,
  ctx: ChatContext,
  request: ChangeRequest,
  action: "undo" | "resume",
) {
  if (request.status !== "interrupted") {
    await deps.surface.ephemeral(
      ctx,
      `${request.id} is ${request.status.replace("_", " ")}, not interrupted; there is nothing to ${action}.`,
    );
    return undefined;
  }
  const running = await deps.store.update(request.id, request.version, { status: "running" });
  if (!running) {
    await deps.surface.ephemeral(ctx, `${request.id} changed meanwhile; look at its card.`);
    return undefined;
  }
  await auditRequest(deps, running, `${action}_started`, ctx.userId);
  await deps.surface.updateCard(running);
  return running;
}
