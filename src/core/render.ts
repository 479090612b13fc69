import { socketArgv } from "../ops/haproxy-runtime.ts";
import { toCommandLine } from "../ops/shell-quote.ts";
import type { Plan, Step } from "./plan.ts";
import type { ChangeRequest } from "./request.ts";
import type { RunOutcome } from "./run.ts";
import type { StepResult } from "./step-result.ts";

/** Shows the exact command a step runs, as an operator would type it on its host. */
export function describeCommand(step: Step): string {
  const seconds = Math.round(step.timeoutMs / 1000);
  switch (step.kind) {
    case "exec":
      return toCommandLine(step.argv);
    case "socket":
      return `echo ${toCommandLine([step.line])} | ${toCommandLine(socketArgv(step.socket))}`;
    case "set-net0-ip":
      return `pct config ${step.vmid}, then pct set ${step.vmid} --net0 <the same net0 with ip=${step.ipCidr}>`;
    case "wait-healthy":
      return `${toCommandLine(step.argv)}, until it passes (at most ${seconds} s)`;
    case "wait-drained":
      return `show stat until ${step.backend}/${step.server} has 0 current sessions (at most ${seconds} s)`;
    case "wait-server":
      return `show stat until ${step.backend}/${step.server} is ${step.status} after a passed health check (at most ${seconds} s)`;
    case "config-edit":
      return describeConfigEdit(step);
  }
}

function describeConfigEdit(step: Extract<Step, { kind: "config-edit" }>): string {
  const changes = [
    ...step.add.map((s) => `+ server ${s.name} ${s.ip}:${s.port} check`),
    ...step.remove.map((name) => `- server ${name}`),
  ];
  return `in backend ${step.backend} of ${step.path}: ${changes.join("; ")}; haproxy -c -f the candidate, keep ${step.path}.psa-bak, mv the candidate into place`;
}

/** Renders a plan as numbered steps with their hosts, commands and undo steps. */
export function renderPlan(plan: Plan): string {
  const lines = [
    `Plan ${plan.hash}: ${plan.summary} (${plan.currentReplicas} → ${plan.targetReplicas} replicas)`,
  ];
  for (const step of plan.steps) {
    lines.push(`${step.id}. [${step.host}] ${step.title}`, `     $ ${describeCommand(step)}`);
    for (const undo of step.undo) lines.push(`     undo: [${undo.host}] ${describeCommand(undo)}`);
  }
  return lines.join("\n");
}

/** One line per step result, for progress messages and the final report. */
export function renderStepResult(result: StepResult, phase: "run" | "undo" = "run"): string {
  const mark = result.ok ? "ok" : "FAILED";
  const prefix = phase === "undo" ? "undo " : "";
  const seconds = (result.durationMs / 1000).toFixed(1);
  const detail = result.ok ? "" : ` — ${result.error ?? `exit code ${result.exitCode}`}`;
  return `${prefix}${result.stepId} ${mark} [${result.host}] ${result.title} (${seconds} s)${detail}`;
}

/** Summarizes how a run ended: the failed step, the undo, and what is left. */
export function renderRunOutcome(outcome: RunOutcome): string {
  const lines = [
    `Run ${outcome.status.replace("_", " ")}${outcome.reason ? `: ${outcome.reason}` : ""}`,
  ];
  const failed = outcome.steps.find((r) => !r.ok);
  if (failed?.stderrTail.trim())
    lines.push(`stderr of step ${failed.stepId}: ${failed.stderrTail.trim().slice(-500)}`);
  if (outcome.undo.length > 0) {
    lines.push("Undo:", ...outcome.undo.map((r) => `  ${renderStepResult(r, "undo")}`));
  }
  return lines.join("\n");
}

/** Renders the request card as plain text: what, who, the plan, policy, votes and expiry. */
export function renderCard(request: ChangeRequest): string {
  const { approval } = request;
  const approvers =
    approval.approverIds
      .filter((id) => approval.selfApproval || id !== request.requesterId)
      .map((id) => `<@${id}>`)
      .join(" ") || "(nobody)";
  const votes = request.votes.map(
    (v) => `${v.decision === "approve" ? "approved" : "rejected"} by <@${v.userId}>`,
  );
  const lines = [
    `Request ${request.id} by <@${request.requesterId}>: /psa ${request.commandText} — ${statusLabel(request)}`,
    renderPlan(request.plan),
    approval.required
      ? `Policy: rule ${approval.rule}; needs ${approval.count} approval(s) from ${approval.approverRoles.join(", ")}: ${approvers}`
      : `Policy: rule ${approval.rule}; runs without approval`,
  ];
  if (votes.length > 0) lines.push(`Votes: ${votes.join(", ")}`);
  if (request.status === "requested" || request.status === "partly_approved") {
    lines.push(`Expires at ${request.expiresAt}`);
  }
  if (request.outcome) lines.push(request.outcome);
  return lines.join("\n");
}

/** Names a request's status in words, with the vote count while votes are open. */
export function statusLabel(request: ChangeRequest): string {
  const approvals = request.votes.filter((v) => v.decision === "approve").length;
  if (request.status === "requested" || request.status === "partly_approved") {
    return `waiting for approval (${approvals}/${request.approval.count})`;
  }
  return request.status.replace("_", " ");
}
