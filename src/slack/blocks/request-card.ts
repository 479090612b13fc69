import { statusLabel } from "../../core/render.ts";
import {
  type ChangeRequest,
  FINAL_STATUSES,
  OPEN_STATUSES,
  type RequestStatus,
} from "../../core/request.ts";
import {
  actionsBlock,
  type Block,
  buttonElement,
  contextBlock,
  headerBlock,
  type SlackMessage,
  sectionBlock,
} from "./elements.ts";
import {
  escapeMrkdwn,
  MAX_FALLBACK_TEXT,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
  truncate,
} from "./limits.ts";
import { escapeKeepingMentions, inlineCode, mention, slackDate } from "./mrkdwn.ts";
import { planStepBlocks } from "./plan-steps.ts";

/** The `action_id` of each card button. Every button's `value` is the request id alone. */
export const CARD_ACTIONS = {
  approve: "psa_approve",
  reject: "psa_reject",
  cancel: "psa_cancel",
  undo: "psa_undo",
  resume: "psa_resume",
} as const;

/** Final statuses reached by a decision, before anything ran. */
const DECIDED_WITHOUT_RUN: ReadonlySet<RequestStatus> = new Set([
  "rejected",
  "cancelled",
  "expired",
]);

/** Settings of the request card. */
export interface CardOptions {
  /** The slash command that notes point to; `/psa` unless set. */
  slashCommand?: string;
  /** Blocks the card may use; Slack's message limit of 50 unless set. */
  maxBlocks?: number;
}

/**
 * Renders a request card: the request and its status, the plan and its steps, the policy and
 * its approvers, votes, expiry, the outcome, and the buttons that fit the status. Long plans
 * are cut to fit the block limit, with a note that points to `/psa show ID`.
 */
export function requestCardBlocks(request: ChangeRequest, options: CardOptions = {}): SlackMessage {
  const command = options.slashCommand ?? "/psa";
  const hint = `${command} show ${request.id}`;
  const head = [
    // The header is plain_text, so it contains no user text: the command goes in escaped mrkdwn.
    headerBlock(`Request ${request.id}`),
    sectionBlock(fitSection(describeRequester(request, command), hint)),
    sectionBlock(fitSection(describePlan(request), hint)),
  ];

  const tail = [sectionBlock(fitSection(describePolicy(request), hint))];
  if (request.votes.length > 0) tail.push(sectionBlock(fitSection(describeVotes(request), hint)));
  if (OPEN_STATUSES.has(request.status))
    tail.push(contextBlock(`Expires ${slackDate(request.expiresAt)}`));
  // A vote or cancel outcome only names who decided and when, which the last line shows.
  if (request.outcome && !DECIDED_WITHOUT_RUN.has(request.status))
    tail.push(sectionBlock(fitSection(escapeKeepingMentions(request.outcome), hint)));
  tail.push(...controlBlocks(request));

  const room = (options.maxBlocks ?? MAX_MESSAGE_BLOCKS) - head.length - tail.length;
  const steps = planStepBlocks(request.plan, room, hint);
  return { text: fallbackText(request, command), blocks: [...head, ...steps, ...tail] };
}

function fitSection(text: string, hint: string): string {
  return truncate(text, MAX_SECTION_TEXT, `${hint} has everything`);
}

function describeRequester(request: ChangeRequest, command: string): string {
  const lines = [
    `${inlineCode(`${command} ${request.commandText}`)} requested by ${mention(request.requesterId)}, ${slackDate(request.createdAt)}`,
    `*Status:* ${escapeMrkdwn(statusLabel(request))}`,
  ];
  if (request.cancelRequestedBy)
    lines.push(`*Cancel requested by* ${mention(request.cancelRequestedBy)}`);
  return lines.join("\n");
}

function describePlan(request: ChangeRequest): string {
  const { plan } = request;
  const steps = plan.steps.length === 1 ? "1 step" : `${plan.steps.length} steps`;
  return `*Plan* ${inlineCode(plan.hash)}: ${escapeMrkdwn(plan.summary)} (${plan.currentReplicas} → ${plan.targetReplicas} replicas, ${steps})`;
}

function describePolicy(request: ChangeRequest): string {
  const { approval } = request;
  const rule = `*Policy:* rule ${inlineCode(approval.rule)}`;
  if (!approval.required) return `${rule} lets it run without approval`;

  const roles = approval.approverRoles.map(inlineCode).join(", ");
  const approvals = approval.count === 1 ? "1 approval" : `${approval.count} approvals`;
  return [
    `${rule} needs ${approvals} from ${roles}`,
    `*Approvers:* ${describeApprovers(request)}`,
  ].join("\n");
}

function describeApprovers(request: ChangeRequest): string {
  const { approval } = request;
  // The requester may vote on their own request only when the rule allows self-approval.
  const ids = approval.approverIds.filter(
    (id) => approval.selfApproval || id !== request.requesterId,
  );
  const self = approval.selfApproval ? " (the requester may approve too)" : "";
  if (ids.length === 0) return `nobody besides the requester${self}`;
  return `${ids.map(mention).join(" ")}${self}`;
}

function describeVotes(request: ChangeRequest): string {
  const lines = request.votes.map((vote) => {
    const decision = vote.decision === "approve" ? "approved" : "rejected";
    return `• ${decision} by ${mention(vote.userId)}, ${slackDate(vote.at)}`;
  });
  return `*Votes:*\n${lines.join("\n")}`;
}

function controlBlocks(request: ChangeRequest): Block[] {
  const value = request.id;
  const { approve, reject, cancel, undo, resume } = CARD_ACTIONS;
  if (OPEN_STATUSES.has(request.status))
    return [
      actionsBlock([
        buttonElement("Approve", approve, value, "primary"),
        buttonElement("Reject", reject, value, "danger"),
        buttonElement("Cancel", cancel, value),
      ]),
    ];
  if (request.status === "interrupted")
    return [
      actionsBlock([buttonElement("Undo", undo, value), buttonElement("Resume", resume, value)]),
    ];
  // Once a cancel is requested, the run stops after its current step; a second click adds nothing.
  if (request.status === "approved" || request.status === "running")
    return request.cancelRequestedBy
      ? []
      : [actionsBlock([buttonElement("Cancel", cancel, value)])];
  return [contextBlock(describeDecision(request))];
}

function describeDecision(request: ChangeRequest): string {
  const label = statusLabel(request);
  const status = `*${escapeMrkdwn(label.charAt(0).toUpperCase() + label.slice(1))}*`;
  const decider = decidedBy(request);
  return `${status}${decider ? ` ${decider}` : ""}, ${slackDate(request.updatedAt)}`;
}

function decidedBy(request: ChangeRequest): string | undefined {
  if (request.status === "rejected") {
    const vote = request.votes.filter((v) => v.decision === "reject").at(-1);
    return vote ? `by ${mention(vote.userId)}` : undefined;
  }
  if (request.status === "cancelled") {
    // A cancel before the run stores no user id, but the core's outcome names who cancelled.
    const userId =
      request.cancelRequestedBy ?? /<@([UW][A-Z0-9]+)>/.exec(request.outcome ?? "")?.[1];
    return userId ? `by ${mention(userId)}` : undefined;
  }
  if (request.status === "expired") return "without enough approvals";

  const approvers = request.votes.filter((v) => v.decision === "approve").map((v) => v.userId);
  if (approvers.length > 0) return `after approval by ${approvers.map(mention).join(", ")}`;
  return request.approval.required ? undefined : "without approval, as the policy allows";
}

function fallbackText(request: ChangeRequest, command: string): string {
  const { plan } = request;
  const lines = [
    `Request ${request.id} by ${mention(request.requesterId)}: ${command} ${escapeMrkdwn(request.commandText)} — ${escapeMrkdwn(statusLabel(request))}`,
    `Plan ${plan.hash}: ${escapeMrkdwn(plan.summary)} (${plan.steps.length} steps; ${command} show ${request.id} lists them)`,
    describePolicy(request),
  ];
  if (request.outcome && !DECIDED_WITHOUT_RUN.has(request.status))
    lines.push(escapeKeepingMentions(request.outcome));
  if (FINAL_STATUSES.has(request.status)) lines.push(describeDecision(request));
  return truncate(lines.join("\n"), MAX_FALLBACK_TEXT);
}
