import { assessScale } from "./assess-scale.ts";
import { audit, auditRequest } from "./audit.ts";
import type { BotDeps, BotLocks } from "./bot-deps.ts";
import type { PlannableCommand } from "./command.ts";
import { activeFreeze, describeFreeze } from "./freezes.ts";
import { withLeases } from "./leases.ts";
import { allSteps } from "./plan.ts";
import { planScale } from "./plan-scale.ts";
import { evaluateRequest } from "./policy.ts";
import { previewScale } from "./preview.ts";
import { isApprover } from "./recovery.ts";
import { type ChangeRequest, FINAL_STATUSES } from "./request.ts";
import { othersReservations } from "./reservations.ts";
import type { RunCoordinator } from "./runs.ts";
import type { ChatContext } from "./surface.ts";

/** Turns `scale` commands into planned, reserved requests, and withdraws them on cancel. */
export class ScaleRequests {
  constructor(
    private readonly deps: BotDeps,
    private readonly locks: BotLocks,
    private readonly runs: RunCoordinator,
  ) {}

  /** Plans a scale command, stores the request with its reservation, and posts its card. */
  async request(ctx: ChatContext, command: PlannableCommand): Promise<void> {
    if (!(await this.checkRequester(ctx, command))) return;
    const freeze = await activeFreeze(this.deps.store, command.service);
    if (freeze) {
      await this.deny(ctx, command, "frozen", `Denied: ${describeFreeze(freeze)}`);
      return;
    }
    const holder = this.runs.holders.get(command.service);
    if (holder) {
      await this.deps.surface.ephemeral(
        ctx,
        `${command.service} is busy with ${holder}; your request is planned as soon as it ends.`,
      );
    }

    const request = await this.locks.services.run(command.service, () => this.plan(ctx, command));
    if (!request) return;
    const cardRef = await this.deps.surface.postCard(ctx, request);
    const stored = cardRef
      ? await this.deps.store.update(request.id, request.version, {
          origin: { ...request.origin, cardRef },
        })
      : request;
    if (stored && stored.status === "approved") this.runs.start(stored);
  }

  /** Shows the plan and the policy outcome of a command, and changes nothing. */
  async preview(ctx: ChatContext, command: PlannableCommand): Promise<void> {
    const preview = await previewScale(this.deps, ctx.userId, command);
    await this.deps.surface.ephemeral(ctx, preview.text);
  }

  /** Withdraws a request before its run, or stops a running one after its current step. */
  async cancel(ctx: ChatContext, requestId: string): Promise<void> {
    const request = await this.deps.store.get(requestId);
    if (!request)
      return this.deps.surface.ephemeral(
        ctx,
        `Request ${requestId} not found. Nothing was changed.`,
      );
    if (ctx.userId !== request.requesterId && !isApprover(this.deps, ctx.userId, request)) {
      await this.deps.surface.ephemeral(
        ctx,
        `Only the requester or an approver (${request.approval.approverRoles.join(", ")}) can cancel ${requestId}. Nothing was changed.`,
      );
      return;
    }

    if (FINAL_STATUSES.has(request.status)) {
      await this.deps.surface.ephemeral(
        ctx,
        `Request ${requestId} already ended (${request.status.replace("_", " ")}); nothing to cancel.`,
      );
    } else if (request.status === "running") {
      this.runs.cancel(requestId);
      await this.markCancel(request, ctx.userId);
      await auditRequest(this.deps, request, "cancel_requested", ctx.userId);
      await this.deps.surface.postThread(
        request,
        `Cancel requested by <@${ctx.userId}>: the run stops after its current step and undoes what it did.`,
      );
    } else {
      await this.withdraw(ctx, request);
    }
  }

  /** Stores the cancel so that the replica running the request sees it. */
  private async markCancel(request: ChangeRequest, userId: string): Promise<void> {
    let current: ChangeRequest | undefined = request;
    for (let attempt = 0; current && attempt < 5; attempt++) {
      if (await this.deps.store.update(current.id, current.version, { cancelRequestedBy: userId }))
        return;
      current = await this.deps.store.get(request.id);
    }
  }

  private async withdraw(ctx: ChatContext, request: ChangeRequest): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    const cancelled = await this.deps.store.update(request.id, request.version, {
      status: "cancelled",
      outcome: `Cancelled by <@${ctx.userId}> at ${at}.`,
    });
    if (!cancelled)
      return this.deps.surface.ephemeral(
        ctx,
        `Request ${request.id} changed meanwhile; look at its card and try again.`,
      );
    await auditRequest(this.deps, cancelled, "request_cancelled", ctx.userId);
    await this.deps.surface.updateCard(cancelled);
  }

  private async checkRequester(ctx: ChatContext, command: PlannableCommand): Promise<boolean> {
    // Limits need the live replica count, so only the rule and role checks can run this early.
    const early = evaluateRequest(this.deps.policy, {
      action: "scale",
      service: command.service,
      userId: ctx.userId,
      at: this.deps.clock.now(),
    });
    if (early.allowed || early.code === "limit") return true;
    await this.deny(ctx, command, early.code, `Denied: ${early.message}`);
    return false;
  }

  private async deny(
    ctx: ChatContext,
    command: PlannableCommand,
    code: string,
    message: string,
  ): Promise<void> {
    this.deps.logger.warn({ userId: ctx.userId, service: command.service, code }, "request denied");
    await audit(this.deps, {
      kind: "request_denied",
      service: command.service,
      actor: ctx.userId,
      data: { command: commandText(command), code, message },
    });
    await this.deps.surface.ephemeral(ctx, message);
  }

  private async plan(
    ctx: ChatContext,
    command: PlannableCommand,
  ): Promise<ChangeRequest | undefined> {
    const { live, decision } = await assessScale(this.deps, command, ctx.userId);
    if (!decision.allowed) {
      await this.deny(ctx, command, decision.code, `Denied: ${decision.message}`);
      return undefined;
    }

    // Reading other requests' reservations and storing this one's is one critical section, in
    // this process and across replicas, so two requests planned at the same moment never claim
    // the same CT id or IP address.
    const onWait = async () => undefined;
    const critical = (work: () => Promise<ChangeRequest | undefined>) =>
      this.locks.reservations.run("all", () =>
        withLeases(this.deps, ["plan:reservations"], onWait, work),
      );
    return critical(async () => {
      const reservedByOthers = await othersReservations(this.deps.store, this.deps.clock);
      const planned = planScale({
        inventory: this.deps.inventory,
        service: command.service,
        live,
        change: command.change,
        reservedByOthers,
      });
      if (!planned.ok) {
        await this.deny(
          ctx,
          command,
          planned.code,
          `Cannot plan /psa ${commandText(command)}: ${planned.message}`,
        );
        return undefined;
      }
      // A wrong host key shows now, not after people approved a plan that cannot run.
      await this.deps.runner.verifyHosts(allSteps(planned.plan.steps).map((step) => step.host));

      const now = this.deps.clock.now();
      const ttl = this.deps.inventory.settings.requestTtlMinutes * 60_000;
      const created = await this.deps.store.create({
        commandText: commandText(command),
        command,
        service: command.service,
        requesterId: ctx.userId,
        origin: ctx.origin,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttl).toISOString(),
        status: decision.approval.required ? "requested" : "approved",
        approval: { ...decision.approval, rule: decision.rule },
        votes: [],
        plan: planned.plan,
        reservation: planned.plan.reservation,
      });
      this.deps.logger.info(
        { requestId: created.id, userId: ctx.userId, planHash: created.plan.hash },
        "request created",
      );
      await auditRequest(this.deps, created, "request_created", ctx.userId, {
        command: created.commandText,
        rule: decision.rule,
        planHash: created.plan.hash,
        plan: created.plan,
        approval: created.approval,
      });
      return created;
    });
  }
}

/** Writes a scale command back in its canonical form. */
export function commandText(command: PlannableCommand): string {
  const { change } = command;
  const amount =
    change.mode === "absolute"
      ? String(change.count)
      : change.delta > 0
        ? `+${change.delta}`
        : String(change.delta);
  return `scale ${command.service} ${amount}`;
}
