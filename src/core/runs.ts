import { assessScale } from "./assess-scale.ts";
import { auditRequest, journalingListener } from "./audit.ts";
import type { BotDeps, BotLocks } from "./bot-deps.ts";
import { isPsaError } from "./errors.ts";
import { activeFreeze, describeFreeze, freezeAfterUndoFailure } from "./freezes.ts";
import { runLeaseNames, withLeases } from "./leases.ts";
import { planScale } from "./plan-scale.ts";
import { renderRunOutcome } from "./render.ts";
import type { ChangeRequest, RequestStatus } from "./request.ts";
import { othersReservations } from "./reservations.ts";
import { type RunDeps, type RunOptions, type RunOutcome, runPlan } from "./run.ts";

/** Work done on a request while it holds its service and container leases. */
type LeasedWork = (request: ChangeRequest) => Promise<void>;

/** Starts approved requests, one run per service across replicas, and tracks what is running. */
export class RunCoordinator {
  private readonly active = new Set<Promise<void>>();
  /** The last request in line for each service in this process, running or waiting. */
  readonly holders = new Map<string, string>();
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly deps: BotDeps,
    private readonly locks: BotLocks,
  ) {}

  /** Starts the run of an approved request in the background. */
  start(request: ChangeRequest): void {
    this.track(request, (held) => this.runApproved(held));
  }

  /** Runs other work on a request (an undo or a resume) under the same locks as a run. */
  startWork(request: ChangeRequest, work: LeasedWork): void {
    this.track(request, work);
  }

  /** Asks a running request to stop after its current step and undo what it did. */
  cancel(requestId: string): void {
    this.cancelled.add(requestId);
  }

  /** Tells whether a cancel was asked for a request. */
  isCancelled(requestId: string): boolean {
    return this.cancelled.has(requestId);
  }

  /** Resolves once every run started so far has ended. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active]);
  }

  /** Runs plan steps with the journal, progress messages and cancel wired in. */
  execute(request: ChangeRequest, options: RunOptions = {}): Promise<RunOutcome> {
    return runPlan(request.plan, this.runDeps(request), options);
  }

  /** What running or undoing a request's steps needs. */
  runDeps(request: ChangeRequest): RunDeps {
    const journal = journalingListener(this.deps, request);
    return {
      ...this.deps,
      fileLocks: this.locks.files,
      listener: {
        stepStarted: journal.stepStarted,
        stepEnded: async (step, result, phase) => {
          await journal.stepEnded(step, result, phase);
          // A cancel clicked on another replica reaches this one through the store.
          const current = await this.deps.store.get(request.id);
          if (current?.cancelRequestedBy) this.cancelled.add(request.id);
        },
      },
      shouldStop: () => this.cancelled.has(request.id),
    };
  }

  /** Records how a run ended, redraws the card, and freezes the service after a failed undo. */
  async finish(
    request: ChangeRequest,
    status: RequestStatus,
    text: string,
    run?: RunOutcome,
  ): Promise<void> {
    const ended = await this.deps.store.update(request.id, request.version, {
      status,
      outcome: text,
      ...(run ? { run } : {}),
    });
    if (!ended) return;

    const log = this.deps.logger.child({ requestId: request.id });
    if (status === "succeeded") log.info({ status }, "run ended");
    else log.error({ status, outcome: text }, "run did not succeed");
    await auditRequest(this.deps, ended, "run_ended", "bot", { status, outcome: text });
    await this.deps.surface.updateCard(ended);
    await this.deps.surface.postThread(ended, text);
    if (status === "undo_failed" && run) await freezeAfterUndoFailure(this.deps, ended, run);
  }

  private track(request: ChangeRequest, work: LeasedWork): void {
    const run = this.queue(request, work).catch((error: unknown) => {
      this.deps.logger.error({ err: error, requestId: request.id }, "run crashed");
    });
    this.active.add(run);
    void run.finally(() => this.active.delete(run));
  }

  private async queue(request: ChangeRequest, work: LeasedWork): Promise<void> {
    // The map names the last request in line per service, set before any await, so the next
    // one can say which request it waits for.
    const ahead = this.holders.get(request.service);
    this.holders.set(request.service, request.id);
    try {
      if (ahead)
        await this.deps.surface.postThread(
          request,
          `Waiting for ${ahead} to finish on ${request.service} before running.`,
        );
      await this.locks.services.run(request.service, () => this.withRunLeases(request, work));
    } finally {
      if (this.holders.get(request.service) === request.id) this.holders.delete(request.service);
    }
  }

  private withRunLeases(request: ChangeRequest, work: LeasedWork): Promise<void> {
    const onWait = (name: string, holder: string | undefined) =>
      this.deps.surface.postThread(
        request,
        `Waiting for lease ${name}, held by bot replica ${holder ?? "(unknown)"}.`,
      );
    // The request may have changed while it waited, so the work starts from its stored state.
    return withLeases(this.deps, runLeaseNames(request.plan), onWait, async () => {
      const current = await this.deps.store.get(request.id);
      if (current) await work(current);
    });
  }

  private async runApproved(approved: ChangeRequest): Promise<void> {
    if (approved.status !== "approved") return;
    const blocked = await this.blocker(approved);
    if (blocked) {
      await this.finish(approved, "failed", `Stopped before any change: ${blocked}`);
      return;
    }

    const running = await this.deps.store.update(approved.id, approved.version, {
      status: "running",
    });
    if (!running) return; // Another replica or a cancel changed it first.
    await auditRequest(this.deps, running, "run_started", "bot", {
      planHash: running.plan.hash,
      replica: this.deps.replicaId,
    });
    await this.deps.surface.updateCard(running);
    await this.deps.surface.postThread(
      running,
      `Running plan ${running.plan.hash} (${running.plan.steps.length} steps).`,
    );

    const outcome = await this.execute(running);
    const current = (await this.deps.store.get(running.id)) ?? running;
    const text =
      outcome.status === "succeeded"
        ? `Succeeded: ${running.plan.summary}.`
        : renderRunOutcome(outcome);
    await this.finish(current, outcome.status, text, outcome);
  }

  /** Says why an approved request must not run now: a freeze, or a plan the live state voids. */
  private async blocker(request: ChangeRequest): Promise<string | undefined> {
    const freeze = await activeFreeze(this.deps.store, request.service);
    if (freeze) return describeFreeze(freeze);
    return this.checkPlan(request).catch((error: unknown) => {
      if (!isPsaError(error)) throw error;
      return `cannot check the plan against the live state: ${error.message}`;
    });
  }

  /** Rebuilds the plan from the live state; any difference from the approved plan voids it. */
  private async checkPlan(request: ChangeRequest): Promise<string | undefined> {
    const { live, current, decision } = await assessScale(
      this.deps,
      request.command,
      request.requesterId,
    );
    const reservedByOthers = await othersReservations(this.deps.store, this.deps.clock, request.id);
    if (!decision.allowed)
      return `the policy no longer allows it with ${current} replica(s) now: ${decision.message}`;

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
}
