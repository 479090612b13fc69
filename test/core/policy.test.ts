import { describe, expect, it } from "vitest";
import type { Policy, PolicyFile, PolicyRule } from "../../src/config/schema.ts";
import {
  type ApprovalRequirement,
  evaluateRequest,
  evaluateVote,
  isKnownUser,
  mergePolicies,
  rolesOf,
} from "../../src/core/policy.ts";

const ALICE = "U0ALICE";
const BOB = "U0BOB";
const CAROL = "U0CAROL";
const DAVE = "U0DAVE";

function rule(overrides: Partial<PolicyRule> & Pick<PolicyRule, "name">): PolicyRule {
  return {
    action: "scale",
    services: ["api-gw"],
    requesters: ["sre"],
    approval: { required: true, approvers: ["lead"], count: 1, selfApproval: false },
    windows: [],
    limits: {},
    ...overrides,
  };
}

function policyWith(rules: PolicyRule[]): Policy {
  return { roles: { sre: [ALICE, BOB], lead: [BOB, CAROL], admin: [DAVE] }, rules };
}

function approvalRequirement(overrides: Partial<ApprovalRequirement> = {}): ApprovalRequirement {
  return {
    required: true,
    approverRoles: ["lead"],
    approverIds: [BOB, CAROL],
    count: 1,
    selfApproval: false,
    ...overrides,
  };
}

describe("rolesOf", () => {
  it("returns sorted role names", () => {
    const policy = policyWith([]);

    const roles = rolesOf(policy, BOB);

    expect(roles).toEqual(["lead", "sre"]);
  });

  it("returns none for strangers", () => {
    const policy = policyWith([]);

    const roles = rolesOf(policy, "U0NOBODY");
    const known = isKnownUser(policy, "U0NOBODY");

    expect(roles).toEqual([]);
    expect(known).toBe(false);
  });

  it("recognizes role members", () => {
    const policy = policyWith([]);

    const known = isKnownUser(policy, DAVE);

    expect(known).toBe(true);
  });
});

describe("mergePolicies", () => {
  it("unites role members across files", () => {
    const files: PolicyFile[] = [
      { roles: { sre: [BOB, ALICE] }, rules: [] },
      { roles: { sre: [ALICE, CAROL], lead: [BOB] }, rules: [] },
    ];

    const merged = mergePolicies(files);

    expect(merged.ok).toBe(true);
    expect(merged.ok && merged.policy.roles).toEqual({ sre: [ALICE, BOB, CAROL], lead: [BOB] });
  });

  it("concatenates rules in file order", () => {
    const files: PolicyFile[] = [
      { roles: {}, rules: [rule({ name: "b-rule" }), rule({ name: "a-rule" })] },
      { roles: {}, rules: [rule({ name: "c-rule" })] },
    ];

    const merged = mergePolicies(files);

    expect(merged.ok && merged.policy.rules.map((r) => r.name)).toEqual([
      "b-rule",
      "a-rule",
      "c-rule",
    ]);
  });

  it("rejects duplicate names across files", () => {
    const files: PolicyFile[] = [
      { roles: {}, rules: [rule({ name: "sre-scale" })] },
      { roles: {}, rules: [rule({ name: "other" })] },
      { roles: {}, rules: [rule({ name: "sre-scale" })] },
    ];

    const merged = mergePolicies(files);

    expect(merged.ok).toBe(false);
    expect(!merged.ok && merged.duplicates).toEqual([{ rule: "sre-scale", fileIndexes: [0, 2] }]);
    expect(!merged.ok && merged.message).toContain("Rule sre-scale is defined 2 times");
    expect(!merged.ok && merged.message).toContain("#1, #3");
  });

  it("rejects duplicate names within a file", () => {
    const files: PolicyFile[] = [
      { roles: {}, rules: [rule({ name: "twice" }), rule({ name: "twice" })] },
    ];

    const merged = mergePolicies(files);

    expect(!merged.ok && merged.duplicates).toEqual([{ rule: "twice", fileIndexes: [0, 0] }]);
  });
});

describe("evaluateRequest", () => {
  it("denies by default", () => {
    const policy = policyWith([]);

    const decision = evaluateRequest(policy, { action: "status", service: "web", userId: ALICE });

    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.code).toBe("no_rule");
    expect(!decision.allowed && decision.message).toContain("No policy rule allows status on web");
  });

  it("denies other services and actions", () => {
    const policy = policyWith([rule({ name: "sre-scale" })]);

    const otherService = evaluateRequest(policy, {
      action: "scale",
      service: "web",
      userId: ALICE,
    });
    const otherAction = evaluateRequest(policy, {
      action: "status",
      service: "api-gw",
      userId: ALICE,
    });

    expect(!otherService.allowed && otherService.code).toBe("no_rule");
    expect(!otherAction.allowed && otherAction.code).toBe("no_rule");
  });

  it("matches every service with *", () => {
    const policy = policyWith([rule({ name: "any-status", action: "status", services: ["*"] })]);

    const decision = evaluateRequest(policy, { action: "status", service: "web", userId: ALICE });

    expect(decision.allowed && decision.rule).toBe("any-status");
  });

  it("requires a requester role", () => {
    const policy = policyWith([rule({ name: "sre-scale", requesters: ["sre", "admin"] })]);

    const decision = evaluateRequest(policy, {
      action: "scale",
      service: "api-gw",
      userId: CAROL,
      currentReplicas: 2,
      targetReplicas: 3,
    });

    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.code).toBe("not_requester");
    expect(!decision.allowed && decision.rule).toBe("sre-scale");
    expect(!decision.allowed && decision.message).toContain(
      "Rule sre-scale (requester roles sre, admin) allows scale on api-gw",
    );
    expect(!decision.allowed && decision.message).toContain("but you have role lead.");
    expect(!decision.allowed && decision.message).toContain("Ask someone with role sre or admin");
  });

  it("names unknown users as roleless", () => {
    const policy = policyWith([rule({ name: "sre-scale" })]);

    const decision = evaluateRequest(policy, {
      action: "scale",
      service: "api-gw",
      userId: "U0NOBODY",
      currentReplicas: 2,
      targetReplicas: 3,
    });

    expect(!decision.allowed && decision.message).toContain("you have no role in the policy");
  });

  it("enforces maxReplicas", () => {
    const policy = policyWith([rule({ name: "sre-scale", limits: { maxReplicas: 8 } })]);

    const decision = evaluateRequest(policy, {
      action: "scale",
      service: "api-gw",
      userId: ALICE,
      currentReplicas: 7,
      targetReplicas: 9,
    });

    expect(!decision.allowed && decision.code).toBe("limit");
    expect(!decision.allowed && decision.rule).toBe("sre-scale");
    expect(!decision.allowed && decision.message).toContain(
      "Rule sre-scale allows at most 8 replicas of api-gw, but the request asks for 9.",
    );
  });

  it("enforces minReplicas", () => {
    const policy = policyWith([rule({ name: "sre-scale", limits: { minReplicas: 2 } })]);

    const decision = evaluateRequest(policy, {
      action: "scale",
      service: "api-gw",
      userId: ALICE,
      currentReplicas: 3,
      targetReplicas: 1,
    });

    expect(!decision.allowed && decision.code).toBe("limit");
    expect(!decision.allowed && decision.message).toContain(
      "allows at least 2 replicas of api-gw, but the request asks for 1.",
    );
  });

  it("enforces maxStep both ways", () => {
    const policy = policyWith([rule({ name: "sre-scale", limits: { maxStep: 2 } })]);
    const base = { action: "scale" as const, service: "api-gw", userId: ALICE, currentReplicas: 5 };

    const up = evaluateRequest(policy, { ...base, targetReplicas: 8 });
    const down = evaluateRequest(policy, { ...base, targetReplicas: 2 });

    expect(!up.allowed && up.message).toContain(
      "allows a step of at most 2 replicas, but the request changes api-gw by 3 (from 5 to 8).",
    );
    expect(!down.allowed && down.code).toBe("limit");
  });

  it("allows values at the limits", () => {
    const limits = { maxStep: 2, minReplicas: 1, maxReplicas: 4 };
    const policy = policyWith([rule({ name: "sre-scale", limits })]);
    const base = { action: "scale" as const, service: "api-gw", userId: ALICE };

    const atMax = evaluateRequest(policy, { ...base, currentReplicas: 2, targetReplicas: 4 });
    const atMin = evaluateRequest(policy, { ...base, currentReplicas: 3, targetReplicas: 1 });

    expect(atMax.allowed).toBe(true);
    expect(atMin.allowed).toBe(true);
  });

  it("denies limits without counts", () => {
    const policy = policyWith([rule({ name: "sre-scale", limits: { maxStep: 2 } })]);

    const decision = evaluateRequest(policy, {
      action: "scale",
      service: "api-gw",
      userId: ALICE,
      targetReplicas: 3,
    });

    expect(!decision.allowed && decision.code).toBe("limit");
    expect(!decision.allowed && decision.message).toContain("does not give the current and target");
  });

  it("ignores limits for status", () => {
    const policy = policyWith([
      rule({ name: "sre-status", action: "status", limits: { maxReplicas: 1 } }),
    ]);

    const decision = evaluateRequest(policy, {
      action: "status",
      service: "api-gw",
      userId: ALICE,
    });

    expect(decision.allowed).toBe(true);
  });

  it("picks the first matching rule", () => {
    const policy = policyWith([
      rule({ name: "admin-scale", requesters: ["admin"] }),
      rule({ name: "sre-small", limits: { maxStep: 1 } }),
      rule({ name: "sre-wide", services: ["*"] }),
    ]);
    const base = { action: "scale" as const, service: "api-gw", userId: ALICE, currentReplicas: 2 };

    const small = evaluateRequest(policy, { ...base, targetReplicas: 3 });
    const large = evaluateRequest(policy, { ...base, targetReplicas: 6 });

    expect(small.allowed && small.rule).toBe("sre-small");
    expect(large.allowed && large.rule).toBe("sre-wide");
  });

  it("names the first failing rule", () => {
    const policy = policyWith([
      rule({ name: "sre-small", limits: { maxStep: 1 } }),
      rule({ name: "sre-medium", limits: { maxStep: 2 } }),
      rule({ name: "admin-any", requesters: ["admin"] }),
    ]);

    const decision = evaluateRequest(policy, {
      action: "scale",
      service: "api-gw",
      userId: ALICE,
      currentReplicas: 2,
      targetReplicas: 6,
    });

    expect(!decision.allowed && decision.rule).toBe("sre-small");
    expect(!decision.allowed && decision.message).toContain(
      "Rule sre-small allows a step of at most 1",
    );
    expect(!decision.allowed && decision.message).toContain(
      "Rule sre-medium allows a step of at most 2",
    );
    expect(!decision.allowed && decision.message).toContain("Ask someone with role admin");
  });

  it("lists approver ids", () => {
    const approval = { required: true, approvers: ["lead", "admin"], count: 2, selfApproval: true };
    const policy = policyWith([rule({ name: "sre-scale", approval })]);

    const decision = evaluateRequest(policy, {
      action: "scale",
      service: "api-gw",
      userId: ALICE,
      currentReplicas: 2,
      targetReplicas: 3,
    });

    expect(decision.allowed && decision.approval).toEqual({
      required: true,
      approverRoles: ["lead", "admin"],
      approverIds: [BOB, CAROL, DAVE],
      count: 2,
      selfApproval: true,
    });
  });
});

describe("evaluateVote", () => {
  it("accepts an approver", () => {
    const policy = policyWith([]);

    const result = evaluateVote(policy, approvalRequirement(), {
      userId: CAROL,
      requesterId: ALICE,
      alreadyVoted: [],
    });

    expect(result).toEqual({ ok: true });
  });

  it("rejects a non-approver", () => {
    const policy = policyWith([]);

    const result = evaluateVote(policy, approvalRequirement(), {
      userId: DAVE,
      requesterId: ALICE,
      alreadyVoted: [],
    });

    expect(!result.ok && result.code).toBe("not_approver");
    expect(!result.ok && result.message).toContain("needs role lead, and you have role admin");
  });

  it("checks roles at vote time", () => {
    const policy: Policy = { roles: { lead: [DAVE] }, rules: [] };

    const removed = evaluateVote(policy, approvalRequirement(), {
      userId: CAROL,
      requesterId: ALICE,
      alreadyVoted: [],
    });
    const added = evaluateVote(policy, approvalRequirement(), {
      userId: DAVE,
      requesterId: ALICE,
      alreadyVoted: [],
    });

    expect(!removed.ok && removed.code).toBe("not_approver");
    expect(added).toEqual({ ok: true });
  });

  it("rejects self-approval", () => {
    const policy = policyWith([]);

    const result = evaluateVote(policy, approvalRequirement(), {
      userId: BOB,
      requesterId: BOB,
      alreadyVoted: [],
    });

    expect(!result.ok && result.code).toBe("self_approval");
    expect(!result.ok && result.message).toContain("Ask someone with role lead");
  });

  it("allows self-approval when the rule does", () => {
    const policy = policyWith([]);

    const result = evaluateVote(policy, approvalRequirement({ selfApproval: true }), {
      userId: BOB,
      requesterId: BOB,
      alreadyVoted: [],
    });

    expect(result).toEqual({ ok: true });
  });

  it("rejects a second vote", () => {
    const policy = policyWith([]);

    const result = evaluateVote(policy, approvalRequirement({ count: 2 }), {
      userId: CAROL,
      requesterId: ALICE,
      alreadyVoted: [CAROL],
    });

    expect(!result.ok && result.code).toBe("already_voted");
    expect(!result.ok && result.message).toContain("It needs 2 approvals");
  });

  it("explains rules without approvers", () => {
    const policy = policyWith([]);

    const result = evaluateVote(policy, approvalRequirement({ approverRoles: [] }), {
      userId: CAROL,
      requesterId: ALICE,
      alreadyVoted: [],
    });

    expect(!result.ok && result.code).toBe("not_approver");
    expect(!result.ok && result.message).toContain("names no approver roles");
  });
});

describe("change windows", () => {
  const office = {
    days: ["mon", "tue", "wed", "thu", "fri"] as PolicyRule["windows"][number]["days"],
    from: "09:00",
    to: "17:00",
    timeZone: "Europe/Berlin",
  };
  const windowed = policyWith([rule({ name: "office-hours", windows: [office] })]);
  const request = {
    action: "scale" as const,
    service: "api-gw",
    userId: ALICE,
    currentReplicas: 2,
    targetReplicas: 3,
  };

  it("allows inside the window", () => {
    const decision = evaluateRequest(windowed, {
      ...request,
      at: new Date("2026-12-07T10:00:00Z"),
    });

    expect(decision.allowed).toBe(true);
  });

  it("denies outside the window, in local time", () => {
    const decision = evaluateRequest(windowed, {
      ...request,
      at: new Date("2026-12-07T16:30:00Z"),
    });

    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.message).toContain("it is mon 17:30 Europe/Berlin now");
  });

  it("denies on a weekend day", () => {
    const decision = evaluateRequest(windowed, {
      ...request,
      at: new Date("2026-12-05T10:00:00Z"),
    });

    expect(!decision.allowed && decision.message).toContain("mon,tue,wed,thu,fri 09:00-17:00");
  });

  it("runs past midnight when to is before from", () => {
    const night = policyWith([
      rule({ name: "night", windows: [{ ...office, from: "22:00", to: "06:00" }] }),
    ]);

    expect(
      evaluateRequest(night, { ...request, at: new Date("2026-12-08T03:00:00Z") }).allowed,
    ).toBe(true);
    expect(
      evaluateRequest(night, { ...request, at: new Date("2026-12-08T12:00:00Z") }).allowed,
    ).toBe(false);
  });
});

describe("limits toward the range", () => {
  const bounded = policyWith([
    rule({ name: "bounded", limits: { minReplicas: 2, maxReplicas: 8 } }),
  ]);
  const base = { action: "scale" as const, service: "api-gw", userId: ALICE };

  it("allows shrinking from above the maximum", () => {
    expect(
      evaluateRequest(bounded, { ...base, currentReplicas: 10, targetReplicas: 9 }).allowed,
    ).toBe(true);
  });

  it("allows growing from below the minimum", () => {
    expect(
      evaluateRequest(bounded, { ...base, currentReplicas: 0, targetReplicas: 1 }).allowed,
    ).toBe(true);
  });

  it("denies growing further above the maximum", () => {
    expect(
      evaluateRequest(bounded, { ...base, currentReplicas: 10, targetReplicas: 11 }).allowed,
    ).toBe(false);
  });
});
