/**
 * Role policy evaluation. Rules allow requests, and anything no rule allows is denied.
 *
 * Messages are plain text for the user: each denial names the rule, the reason and whom to ask.
 */

import type { Policy, PolicyFile, PolicyRule } from "../config/schema.ts";
import { describeWindow, isInWindow, localTime } from "./change-window.ts";

/** The approvals a request needs before it runs, as its matching rule sets them. */
export interface ApprovalRequirement {
  required: boolean;
  approverRoles: string[];
  /** Members of the approver roles when the request was made. This may include the requester. */
  approverIds: string[];
  count: number;
  selfApproval: boolean;
}

/** A request to check against the policy. Scale requests give the replica counts. */
export interface PolicyRequest {
  action: PolicyRule["action"];
  service: string;
  userId: string;
  currentReplicas?: number;
  targetReplicas?: number;
  /** When the request is made, for change windows; a rule with windows fails closed without it. */
  at?: Date;
}

/** The outcome of a request: the rule that allows it and its approvals, or why it is denied. */
export type PolicyDecision =
  | { allowed: true; rule: string; approval: ApprovalRequirement }
  | { allowed: false; code: "no_rule" | "not_requester" | "limit"; rule?: string; message: string };

/** An approval vote on a request. */
export interface Vote {
  userId: string;
  requesterId: string;
  /** Users who already voted on the request. */
  alreadyVoted: string[];
}

/** The outcome of a vote check. */
export type VoteDecision =
  | { ok: true }
  | { ok: false; code: "not_approver" | "self_approval" | "already_voted"; message: string };

/** A rule name defined more than once, with the 0-based indexes of the files that define it. */
export interface DuplicateRule {
  rule: string;
  fileIndexes: number[];
}

/** The merged policy, or the duplicate rule names that prevent merging. */
export type MergeResult =
  | { ok: true; policy: Policy }
  | { ok: false; message: string; duplicates: DuplicateRule[] };

/** Returns the sorted names of the roles that list the user as a member. */
export function rolesOf(policy: Policy, userId: string): string[] {
  const roles = Object.entries(policy.roles).filter(([, members]) => members.includes(userId));
  return roles.map(([role]) => role).sort();
}

/** Returns whether the user is a member of any role. */
export function isKnownUser(policy: Policy, userId: string): boolean {
  return rolesOf(policy, userId).length > 0;
}

/**
 * Merges policy files: each role's members are the union across files, and rules keep file order.
 * A rule name defined twice, in one file or in two, is an error because decisions name rules.
 */
export function mergePolicies(files: PolicyFile[]): MergeResult {
  const duplicates = findDuplicateRules(files);
  if (duplicates.length > 0) {
    const listed = duplicates.map(describeDuplicate).join(" ");
    return { ok: false, message: `${listed} Rule names must be unique.`, duplicates };
  }

  const roles: Record<string, string[]> = {};
  for (const file of files) {
    for (const [role, members] of Object.entries(file.roles)) {
      roles[role] = [...new Set([...(roles[role] ?? []), ...members])].sort();
    }
  }
  return { ok: true, policy: { roles, rules: files.flatMap((file) => file.rules) } };
}

function findDuplicateRules(files: PolicyFile[]): DuplicateRule[] {
  const fileIndexesByRule = new Map<string, number[]>();
  files.forEach((file, index) => {
    for (const rule of file.rules) {
      fileIndexesByRule.set(rule.name, [...(fileIndexesByRule.get(rule.name) ?? []), index]);
    }
  });

  const duplicates = [...fileIndexesByRule].filter(([, indexes]) => indexes.length > 1);
  return duplicates.map(([rule, fileIndexes]) => ({ rule, fileIndexes }));
}

function describeDuplicate({ rule, fileIndexes }: DuplicateRule): string {
  const positions = fileIndexes.map((index) => `#${index + 1}`).join(", ");
  return `Rule ${rule} is defined ${fileIndexes.length} times, in policy files ${positions} of the load order.`;
}

/**
 * Evaluates a request against the rules in order. The first rule that matches the action and
 * service, lists one of the user's roles as a requester, and whose limits pass allows the request.
 * Anything else is denied.
 */
export function evaluateRequest(policy: Policy, request: PolicyRequest): PolicyDecision {
  const matching = policy.rules.filter((rule) => matchesRequest(rule, request));
  if (matching.length === 0) {
    return denyNoRule(request);
  }

  const userRoles = rolesOf(policy, request.userId);
  const permitted = matching.filter((rule) => rule.requesters.some((r) => userRoles.includes(r)));
  if (permitted.length === 0) {
    return denyNotRequester(matching, request, userRoles);
  }

  const failures: string[] = [];
  for (const rule of permitted) {
    const failure = limitFailure(rule, request);
    if (failure === undefined) {
      return { allowed: true, rule: rule.name, approval: approvalOf(policy, rule) };
    }
    failures.push(failure);
  }
  return denyLimit(matching, permitted, failures, request);
}

function matchesRequest(rule: PolicyRule, request: PolicyRequest): boolean {
  const coversService = rule.services.includes("*") || rule.services.includes(request.service);
  return rule.action === request.action && coversService;
}

function approvalOf(policy: Policy, rule: PolicyRule): ApprovalRequirement {
  const approverRoles = [...rule.approval.approvers];
  const members = approverRoles.flatMap((role) => policy.roles[role] ?? []);
  return {
    required: rule.approval.required,
    approverRoles,
    approverIds: [...new Set(members)].sort(),
    count: rule.approval.count,
    selfApproval: rule.approval.selfApproval,
  };
}

function denyNoRule({ action, service }: PolicyRequest): PolicyDecision {
  const message =
    `No policy rule allows ${action} on ${service}, so the request is denied by default. ` +
    `Ask a policy administrator to add a rule for it.`;
  return { allowed: false, code: "no_rule", message };
}

function denyNotRequester(
  matching: PolicyRule[],
  { action, service }: PolicyRequest,
  userRoles: string[],
): PolicyDecision {
  const rules = matching.map(
    (rule) => `${rule.name} (requester roles ${rule.requesters.join(", ")})`,
  );
  const roles = [...new Set(matching.flatMap((rule) => rule.requesters))];
  const message =
    `Rule ${rules.join(" and rule ")} ${rules.length === 1 ? "allows" : "allow"} ${action} on ${service}, ` +
    `but you have ${describeRoles(userRoles)}. ` +
    `Ask someone with role ${roles.join(" or ")} to make the request.`;
  return { allowed: false, code: "not_requester", rule: matching[0]?.name, message };
}

/** Explains why the rule's limits reject the request, or returns undefined when they pass. */
function limitFailure(rule: PolicyRule, request: PolicyRequest): string | undefined {
  const outside = windowFailure(rule, request.at);
  if (outside !== undefined) {
    return outside;
  }

  const { maxStep, minReplicas, maxReplicas } = rule.limits;
  const { service, currentReplicas: current, targetReplicas: target } = request;
  if (request.action !== "scale") {
    return undefined;
  }

  // Limits fail closed: a scale request without the counts they need is denied.
  const needsTarget =
    maxStep !== undefined || minReplicas !== undefined || maxReplicas !== undefined;
  if (needsTarget && (target === undefined || (maxStep !== undefined && current === undefined))) {
    return `Rule ${rule.name} limits scaling of ${service}, but the request does not give the current and target replica counts.`;
  }

  // A change toward the allowed range is allowed even when it does not reach it, so a service
  // above its maximum can still shrink one step at a time.
  const grows = current === undefined || target === undefined || target > current;
  const shrinks = current === undefined || target === undefined || target < current;
  if (maxReplicas !== undefined && target !== undefined && target > maxReplicas && grows) {
    return `Rule ${rule.name} allows at most ${maxReplicas} replicas of ${service}, but the request asks for ${target}.`;
  }
  if (minReplicas !== undefined && target !== undefined && target < minReplicas && shrinks) {
    return `Rule ${rule.name} allows at least ${minReplicas} replicas of ${service}, but the request asks for ${target}.`;
  }
  if (maxStep !== undefined && target !== undefined && current !== undefined) {
    const step = Math.abs(target - current);
    if (step > maxStep) {
      return `Rule ${rule.name} allows a step of at most ${maxStep} replicas, but the request changes ${service} by ${step} (from ${current} to ${target}).`;
    }
  }
  return undefined;
}

function windowFailure(rule: PolicyRule, at: Date | undefined): string | undefined {
  if (rule.windows.length === 0) {
    return undefined;
  }
  const windows = rule.windows.map(describeWindow).join(" or ");
  if (at === undefined) {
    return `Rule ${rule.name} allows changes only during ${windows}, and the request has no time.`;
  }
  if (rule.windows.some((window) => isInWindow(window, at))) {
    return undefined;
  }
  const now = localTime(at, rule.windows[0]!.timeZone).text;
  return `Rule ${rule.name} allows changes only during ${windows}; it is ${now} now.`;
}

function denyLimit(
  matching: PolicyRule[],
  permitted: PolicyRule[],
  failures: string[],
  request: PolicyRequest,
): PolicyDecision {
  const wider = matching.filter(
    (rule) => !permitted.includes(rule) && limitFailure(rule, request) === undefined,
  );
  const roles = [...new Set(wider.flatMap((rule) => rule.requesters))];
  const advice =
    roles.length > 0
      ? `Ask someone with role ${roles.join(" or ")} to make the request, or request a change within these limits.`
      : "Request a change within these limits.";
  const message = `${failures.join(" ")} ${advice}`;
  return { allowed: false, code: "limit", rule: permitted[0]?.name, message };
}

/**
 * Checks an approval vote against the current roles, so a user who left an approver role since
 * the request cannot vote. The requester may vote only when the rule allows self-approval.
 */
export function evaluateVote(
  policy: Policy,
  approval: ApprovalRequirement,
  vote: Vote,
): VoteDecision {
  const approvers = approval.approverRoles.join(" or ");
  const askApprover =
    approval.approverRoles.length > 0
      ? `Ask someone with role ${approvers} to approve it.`
      : "No role can approve it because its rule names no approver roles, so ask a policy administrator to add them.";
  if (vote.userId === vote.requesterId && !approval.selfApproval) {
    const message = `You made this request, and its rule does not allow self-approval. ${askApprover}`;
    return { ok: false, code: "self_approval", message };
  }

  const userRoles = rolesOf(policy, vote.userId);
  if (!approval.approverRoles.some((role) => userRoles.includes(role))) {
    const needed = approvers === "" ? "an approver role" : `role ${approvers}`;
    const message = `Approving this request needs ${needed}, and you have ${describeRoles(userRoles)}. ${askApprover}`;
    return { ok: false, code: "not_approver", message };
  }

  if (vote.alreadyVoted.includes(vote.userId)) {
    const approvals = approval.count === 1 ? "1 approval" : `${approval.count} approvals`;
    const message = `You already voted on this request. It needs ${approvals}, each from a different approver.`;
    return { ok: false, code: "already_voted", message };
  }
  return { ok: true };
}

function describeRoles(roles: string[]): string {
  if (roles.length === 0) {
    return "no role in the policy";
  }
  return `${roles.length === 1 ? "role" : "roles"} ${roles.join(", ")}`;
}
