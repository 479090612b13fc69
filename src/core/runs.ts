import type { BotDeps, BotLocks } from "./bot-deps.ts";
import { isPsaError } from "./errors.ts";
import { readLiveState } from "./live-state.ts";
import type { Step } from "./plan.ts";
import { planScale } from "./plan-scale.ts";
import { renderRunOutcome, renderStepResult } from "./render.ts";
import type { ChangeRequest, RequestStatus } from "./request.ts";
import { othersReservations } from "./reservations.ts";
import { runPlan } from "./run.ts";
import type { StepResult } from "./step-result.ts";

/** Starts approved requests, one run per service, and remembers what is running. */
export class RunCoordinator {
  private readonly active = new Set<Promise<void>>();
  /** The last request in line for each service, running or waiting. */
  readonly holders = new Map<string, string>();
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly deps: BotDeps,
    private readonly locks: BotLocks,
  ) {}

  /** Starts the run of an approved request in the background. */
  start(request: ChangeRequest): void {
    const run = this.run(request).catch((error: unknown) => {
      this.deps.logger.error({ err: error, requestId: request.id }, "run crashed");
    });
    this.active.add(run);
    void run.finally(() => this.active.delete(run));
  }

  /** Asks a running request to stop after its current step and undo what it did. */
  cancel(requestId: string): void {
    this.cancelled.add(requestId);
  }

  /** Resolves once every run started so far has ended. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active]);
  }

  private async run(request: ChangeRequest): Promise<void> {
    // The map names the last request in line per service, set before any await, so the next
    // one can say which request it waits for.
    const ahead = this.holders.get(request.service);
    this.holders.set(request.service, request.id);
    try {
      if (ahead) {
        await this.deps.surface.postThread(
          request,
          `Waiting for ${ahead} to finish on ${request.service} before running.`,
        );
      }
      await this.locks.services.run(request.service, () => this.runLocked(request));
    } finally {
      if (this.holders.get(request.service) === request.id) this.holders.delete(request.service);
    }
  }

  private async runLocked(approved: ChangeRequest): Promise<void> {
    const mismatch = await this.checkPlan(approved).catch((error: unknown) => {
      if (!isPsaError(error)) throw error;
      return `cannot check the plan against the live state: ${error.message}`;
    });
    if (mismatch) {
      await this.finish(approved, "failed", `Stopped before any change: ${mismatch}`);
      return;
    }

    const running = await this.deps.store.update(approved.id, approved.version, {
      status: "running",
    });
    if (!running) return; // Another replica or a cancel changed it first.
    await this.deps.surface.updateCard(running);
    await this.deps.surface.postThread(
      running,
      `Running plan ${running.plan.hash} (${running.plan.steps.length} steps).`,
    );

    const outcome = await runPlan(running.plan, {
      ...this.deps,
      fileLocks: this.locks.files,
      listener: {
        stepStarted: () => undefined,
        stepEnded: (step, result, phase) => this.progress(running, step, result, phase),
      },
      shouldStop: () => this.cancelled.has(running.id),
    });
    const current = (await this.deps.store.get(running.id)) ?? running;
    const status: RequestStatus = outcome.status;
    const text =
      status === "succeeded" ? `Succeeded: ${running.plan.summary}.` : renderRunOutcome(outcome);
    await this.finish(current, status, text, outcome);
  }

  /** Rebuilds the plan from the live state; any difference from the approved plan voids it. */
  private async checkPlan(request: ChangeRequest): Promise<string | undefined> {
    const live = await readLiveState(this.deps.runner, this.deps.inventory, request.service);
    const reservedByOthers = await othersReservations(this.deps.store, this.deps.clock, request.id);
    const replanned = planScale({
      inventory: this.deps.inventory,
      service: request.service,
      live,
      change: request.command.change,
      reservedByOthers,
      own: request.reservation,
    });
    if (!replanned.ok) return `its preconditions no longer hold: ${replanned.message}`;
    if (replanned.plan.hash !== request.plan.hash) {
      return `the live state changed since plan ${request.plan.hash} was approved (it would now be ${replanned.plan.hash}: ${replanned.plan.summary}); request it again`;
    }
    return undefined;
  }

  private async progress(
    request: ChangeRequest,
    step: Step,
    result: StepResult,
    phase: "run" | "undo",
  ) {
    this.deps.logger.debug({ requestId: request.id, stepId: step.id }, "step ended");
    await this.deps.surface.postThread(request, renderStepResult(result, phase));
  }

  private async finish(
    request: ChangeRequest,
    status: RequestStatus,
    text: string,
    run?: ChangeRequest["run"],
  ) {
    const ended = await this.deps.store.update(request.id, request.version, {
      status,
      outcome: text,
      ...(run ? { run } : {}),
    });
    if (!ended) return;
    const log = this.deps.logger.child({ requestId: request.id });
    if (status === "succeeded") log.info({ status }, "run ended");
    else log.error({ status, outcome: text }, "run did not succeed");
    await this.deps.surface.updateCard(ended);
    await this.deps.surface.postThread(ended, text);
  }
}
