import { castVote } from "./approvals.ts";
import { audit } from "./audit.ts";
import type { BotDeps, BotLocks } from "./bot-deps.ts";
import type { PsaCommand } from "./command.ts";
import { decodeCommandText } from "./decode.ts";
import { BackgroundDuties } from "./duties.ts";
import { isPsaError } from "./errors.ts";
import { freezeCommand, unfreezeCommand } from "./freezes.ts";
import { parseCommand } from "./grammar.ts";
import { KeyedMutex } from "./keyed-mutex.ts";
import { evaluateRequest, isKnownUser } from "./policy.ts";
import { resumeInterrupted, undoInterrupted } from "./recovery.ts";
import { showHistory, showRequest, showWhoami } from "./request-views.ts";
import { RunCoordinator } from "./runs.ts";
import { ScaleRequests } from "./scale-requests.ts";
import { renderStatus } from "./status-view.ts";
import type { ChatContext } from "./surface.ts";
import { HELP_TEXT } from "./usage.ts";

/** A button on a request card. */
export type CardAction = "approve" | "reject" | "cancel" | "undo" | "resume";

/** Every card action, for surfaces that check what they receive. */
export const CARD_ACTIONS: readonly CardAction[] = [
  "approve",
  "reject",
  "cancel",
  "undo",
  "resume",
];

/**
 * The chat bot behind every surface: it parses `/psa` commands, applies the role policies,
 * plans, collects votes and starts runs. Surfaces call it and render what it sends back.
 */
export class Bot {
  private readonly runs: RunCoordinator;
  private readonly scale: ScaleRequests;
  /** Expiry, recovery of interrupted runs and stale approvals, on one replica at a time. */
  readonly duties: BackgroundDuties;

  constructor(private readonly deps: BotDeps) {
    const locks: BotLocks = {
      services: new KeyedMutex(),
      reservations: new KeyedMutex(),
      files: new KeyedMutex(),
    };
    this.runs = new RunCoordinator(deps, locks);
    this.scale = new ScaleRequests(deps, locks, this.runs);
    this.duties = new BackgroundDuties(deps, this.runs);
  }

  /** Handles the text typed after `/psa`, as Slack sends it (entities and mentions escaped). */
  async handleCommand(ctx: ChatContext, text: string): Promise<void> {
    if (await this.isRedelivery(ctx)) return;
    const parsed = parseCommand(decodeCommandText(text), {
      services: Object.keys(this.deps.inventory.services),
    });
    if (!parsed.ok) {
      const { message, usage, token } = parsed.rejection;
      await audit(this.deps, {
        kind: "command_rejected",
        actor: ctx.userId,
        data: { text, token, message },
      });
      await this.deps.surface.ephemeral(ctx, `${message}\nUsage:\n${usage}`);
      return;
    }

    const { command } = parsed;
    if (command.verb === "help") return this.deps.surface.ephemeral(ctx, HELP_TEXT);
    if (!isKnownUser(this.deps.policy, ctx.userId)) {
      await audit(this.deps, {
        kind: "command_denied",
        actor: ctx.userId,
        data: { text, reason: "unknown user" },
      });
      await this.deps.surface.ephemeral(
        ctx,
        `You (${ctx.userId}) are in no role of the policies, so /psa ${command.verb} is denied. Ask a policy administrator to add you to a role.`,
      );
      return;
    }
    await this.guard(ctx, () => this.dispatch(ctx, command));
  }

  /** Handles a click on a card button; the button's value carries only the request id. */
  async handleAction(ctx: ChatContext, action: CardAction, requestId: string): Promise<void> {
    if (await this.isRedelivery(ctx)) return;
    await this.guard(ctx, async () => {
      if (action === "cancel") return this.scale.cancel(ctx, requestId);
      if (action === "undo" || action === "resume") return this.recover(ctx, action, requestId);

      const vote = await castVote(this.deps, ctx, requestId, action);
      if (!vote.ok) return this.deps.surface.ephemeral(ctx, vote.message);
      await this.deps.surface.updateCard(vote.request);
      if (vote.approvedNow) this.runs.start(vote.request);
    });
  }

  /** Resolves once every run started so far has ended. */
  idle(): Promise<void> {
    return this.runs.idle();
  }

  private dispatch(ctx: ChatContext, command: PsaCommand): Promise<void> {
    switch (command.verb) {
      case "status":
        return this.status(ctx, command.service);
      case "scale":
        return this.scale.request(ctx, command);
      case "plan":
        return this.scale.preview(ctx, command.command);
      case "show":
        return showRequest(this.deps, ctx, command.requestId);
      case "history":
        return showHistory(this.deps, ctx, command.service);
      case "whoami":
        return showWhoami(this.deps, ctx);
      case "cancel":
        return this.scale.cancel(ctx, command.requestId);
      case "freeze":
        return freezeCommand(this.deps, ctx, command.service, command.reason);
      case "unfreeze":
        return unfreezeCommand(this.deps, ctx, command.service);
      case "help":
        return this.deps.surface.ephemeral(ctx, HELP_TEXT);
    }
  }

  private async recover(
    ctx: ChatContext,
    action: "undo" | "resume",
    requestId: string,
  ): Promise<void> {
    const request = await this.deps.store.get(requestId);
    if (!request)
      return this.deps.surface.ephemeral(
        ctx,
        `Request ${requestId} not found. Nothing was changed.`,
      );
    if (action === "undo") return undoInterrupted(this.deps, this.runs, ctx, request);
    return resumeInterrupted(this.deps, this.runs, ctx, request);
  }

  private async status(ctx: ChatContext, service?: string): Promise<void> {
    const services = service ? [service] : Object.keys(this.deps.inventory.services);
    const allowed = services.filter(
      (name) =>
        evaluateRequest(this.deps.policy, { action: "status", service: name, userId: ctx.userId })
          .allowed,
    );
    if (allowed.length === 0) {
      const denial = evaluateRequest(this.deps.policy, {
        action: "status",
        service: services[0] ?? "*",
        userId: ctx.userId,
      });
      await this.deps.surface.ephemeral(
        ctx,
        denial.allowed ? "No service to show." : denial.message,
      );
      return;
    }
    await this.deps.surface.reply(ctx, await renderStatus(this.deps, allowed));
  }

  /** Records the payload's id; a second delivery of the same payload is dropped. */
  private async isRedelivery(ctx: ChatContext): Promise<boolean> {
    if (ctx.deliveryId === undefined || (await this.deps.store.recordDelivery(ctx.deliveryId)))
      return false;
    this.deps.logger.info(
      { deliveryId: ctx.deliveryId, userId: ctx.userId },
      "duplicate delivery dropped",
    );
    return true;
  }

  /** Reports faults (unreachable host, unreadable state) to the user instead of dropping them. */
  private async guard(ctx: ChatContext, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!isPsaError(error)) throw error;
      this.deps.logger.error(
        { err: error, code: error.code, userId: ctx.userId },
        "command failed",
      );
      await this.deps.surface.ephemeral(
        ctx,
        `Failed: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}. Nothing was changed.`,
      );
    }
  }
}
