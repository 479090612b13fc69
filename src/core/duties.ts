import { expireRequest } from "./approvals.ts";
import type { BotDeps } from "./bot-deps.ts";
import { leaseTtlMs } from "./leases.ts";
import { markInterrupted, startStaleApprovals } from "./recovery.ts";
import type { RunCoordinator } from "./runs.ts";

/** The lease that makes one replica at a time do the background duties. */
const DUTY_LEASE = "duty:background";

/**
 * Background duties: expiring requests, finding interrupted runs and starting approved runs that
 * never began. One replica does them, chosen through the store; when it dies its lease expires
 * and another replica takes over.
 */
export class BackgroundDuties {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: BotDeps,
    private readonly runs: RunCoordinator,
  ) {}

  /** Runs the duties once, if this replica holds the duty lease. */
  async tick(): Promise<void> {
    const leader = await this.deps.store.acquireLease(
      DUTY_LEASE,
      this.deps.replicaId,
      leaseTtlMs(this.deps),
    );
    if (!leader) return;

    await this.expireDue();
    await this.remindDue();
    await markInterrupted(this.deps);
    await startStaleApprovals(this.deps, this.runs);
  }

  /** Ticks every third of the lease lifetime until stopped. */
  start(): void {
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, "background duties failed"),
      );
    }, leaseTtlMs(this.deps) / 3);
    this.timer.unref();
  }

  /** Stops ticking and hands the duty lease over. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.deps.store.releaseLease(DUTY_LEASE, this.deps.replicaId);
  }

  /**
   * Reminds the approvers once when a request has less than a fifth of its time left, so a
   * request does not expire unnoticed.
   */
  private async remindDue(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const lead = (this.deps.inventory.settings.requestTtlMinutes * 60_000) / 5;
    for (const request of await this.deps.store.listByStatus(["requested", "partly_approved"])) {
      const left = new Date(request.expiresAt).getTime() - now;
      if (request.remindedAt || left <= 0 || left > lead) continue;

      const reminded = await this.deps.store.update(request.id, request.version, {
        remindedAt: new Date(now).toISOString(),
      });
      if (!reminded) continue;
      const approvals = request.votes.filter((v) => v.decision === "approve").length;
      const approvers = request.approval.approverIds.filter(
        (id) => request.approval.selfApproval || id !== request.requesterId,
      );
      const text = `${approvers.map((id) => `<@${id}>`).join(" ")} Reminder: ${request.id} (/psa ${request.commandText}) needs ${request.approval.count - approvals} more approval(s) and expires at ${request.expiresAt}.`;
      await this.deps.surface.postThread(reminded, text);
    }
  }

  private async expireDue(): Promise<void> {
    const now = this.deps.clock.now();
    for (const request of await this.deps.store.listByStatus(["requested", "partly_approved"])) {
      if (new Date(request.expiresAt) > now) continue;
      await expireRequest(this.deps, request);
    }
  }
}
