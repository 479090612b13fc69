import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type LabBot, lastRequestId, snapshot, startLabBot } from "../support/lab-bot.ts";

const SRE = "U0LABSRE1";
const APPROVER = "U0LABSRE2";
let labBot: LabBot;

beforeAll(async () => {
  labBot = await startLabBot(82);
});

afterAll(async () => {
  await labBot?.close();
});

/** A fault for one step of the next scale-out; `vmid` is the CT id its plan reserves. */
interface FaultCase {
  step: string;
  host: "pve1" | "pve2" | "lb1" | "*";
  command: (vmid: number) => string;
  stdinContains?: string;
  remaining?: number;
  /** A fragment of the title of the step that must fail. */
  failed: string;
}

const cases: FaultCase[] = [
  {
    step: "check config",
    failed: "is valid before any change",
    host: "lb1",
    command: () => "haproxy -c",
  },
  { step: "clone", failed: "clone template", host: "*", command: (id) => `pct clone 9000 ${id}` },
  { step: "tags", failed: "tag CT", host: "*", command: (id) => `pct set ${id} --tags` },
  { step: "read net0", failed: "set the IP", host: "*", command: (id) => `pct config ${id}` },
  { step: "write net0", failed: "set the IP", host: "*", command: (id) => `pct set ${id} --net0` },
  { step: "start", failed: "start CT", host: "*", command: (id) => `pct start ${id}` },
  {
    step: "health check",
    failed: "is healthy",
    host: "lb1",
    command: () => "curl",
    remaining: 1000,
  },
  {
    step: "add server",
    failed: "add server",
    host: "lb1",
    command: () => "socat",
    stdinContains: "add server",
  },
  {
    step: "enable health",
    failed: "enable health checks",
    host: "lb1",
    command: () => "socat",
    stdinContains: "enable health",
  },
  {
    step: "enable server",
    failed: "enable api-gw/",
    host: "lb1",
    command: () => "socat",
    stdinContains: "enable server",
  },
  { step: "copy config", failed: "to backend api-gw", host: "lb1", command: () => "cp -p" },
  { step: "write config", failed: "to backend api-gw", host: "lb1", command: () => "dd" },
  {
    step: "validate config",
    failed: "to backend api-gw",
    host: "lb1",
    command: () => `haproxy -c -f ${labBot.lab.haproxy.config}.psa-new`,
  },
  { step: "swap config", failed: "to backend api-gw", host: "lb1", command: () => "mv -f" },
  {
    step: "verify server",
    failed: "is UP in HAProxy",
    host: "lb1",
    command: () => "socat",
    stdinContains: "show stat\n",
    remaining: 1000,
  },
];

describe("a failure at each step of scale-out", () => {
  it.each(cases)("undoes everything when $step fails", async (fault) => {
    const before = await snapshot(labBot, "api-gw");
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    const requestId = lastRequestId(labBot.replies)!;
    const planned = await labBot.deps.store.get(requestId);
    const vmid = planned!.reservation.vmids[0]!;
    await labBot.lab.injectFault({
      host: fault.host,
      command: fault.command(vmid),
      exitCode: 1,
      stderr: `injected failure at ${fault.step}`,
      hangSeconds: 0,
      remaining: fault.remaining ?? 1,
      ...(fault.stdinContains ? { stdinContains: fault.stdinContains } : {}),
    });

    await labBot.bot.handleAction(as(APPROVER), "approve", requestId);
    await labBot.bot.idle();
    await labBot.lab.clearFaults();

    const request = await labBot.deps.store.get(requestId);
    expect(["undone", "failed"]).toContain(request!.status);
    expect(request!.run?.steps.find((step) => !step.ok)?.title).toContain(fault.failed);
    expect(await snapshot(labBot, "api-gw")).toEqual(before);
  });
});

describe("a failure during scale-in", () => {
  it("puts the replica back into HAProxy", async () => {
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    await labBot.bot.handleAction(as(APPROVER), "approve", lastRequestId(labBot.replies)!);
    await labBot.bot.idle();
    const before = await snapshot(labBot, "api-gw");
    await labBot.bot.handleCommand(as(SRE), "scale api-gw -1");
    const requestId = lastRequestId(labBot.replies)!;
    await labBot.lab.injectFault({
      host: "*",
      command: "pct shutdown",
      exitCode: 1,
      stderr: "injected",
      hangSeconds: 0,
      remaining: 1,
    });

    await labBot.bot.handleAction(as(APPROVER), "approve", requestId);
    await labBot.bot.idle();
    await labBot.lab.clearFaults();

    const request = await labBot.deps.store.get(requestId);
    expect(request!.status).toBe("undone");
    expect(request!.run?.undo.map((step) => step.title)).toContainEqual(
      expect.stringMatching(/^add server api-gw\/api-gw-\d+ back$/),
    );
    expect(await snapshot(labBot, "api-gw")).toEqual(before);
  });
});

describe("a failed undo", () => {
  it("freezes the service and lists what is left", async () => {
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    const requestId = lastRequestId(labBot.replies)!;
    const planned = await labBot.deps.store.get(requestId);
    const vmid = planned!.reservation.vmids[0]!;
    const node = planned!.reservation.nodes[0]!;
    const fault = { host: "*" as const, exitCode: 1, hangSeconds: 0, remaining: 1 };
    await labBot.lab.injectFault({
      ...fault,
      command: `pct start ${vmid}`,
      stderr: "injected start failure",
    });
    await labBot.lab.injectFault({
      ...fault,
      command: `pct destroy ${vmid}`,
      stderr: "injected destroy failure",
    });

    await labBot.bot.handleAction(as(APPROVER), "approve", requestId);
    await labBot.bot.idle();
    await labBot.lab.clearFaults();

    expect((await labBot.deps.store.get(requestId))!.status).toBe("undo_failed");
    const freezes = await labBot.deps.store.listFreezes();
    expect(freezes.map((f) => [f.scope, f.automatic])).toEqual([["api-gw", true]]);
    const notice = labBot.replies.find(
      (r) => r.kind === "thread" && r.requestId === requestId && r.text.includes("is frozen"),
    );
    expect(notice?.text).toContain("<@U0LABSRE1> <@U0LABSRE2> api-gw is frozen");
    expect(notice?.text).toContain(`step 2 (clone template CT 9000 to CT ${vmid}`);
    await labBot.bot.handleCommand(as(SRE), "scale api-gw +1");
    expect(labBot.replies.at(-1)?.text).toContain("Denied: api-gw is frozen by the bot");

    await labBot.bot.handleCommand(as(APPROVER), "unfreeze api-gw");
    await labBot.runner.run(node, ["pct", "destroy", String(vmid), "--purge", "1"], {
      timeoutMs: 10_000,
    });
    expect(await labBot.deps.store.listFreezes()).toEqual([]);
  });
});
