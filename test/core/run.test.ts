import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { KeyedMutex } from "../../src/core/keyed-mutex.ts";
import type { Plan, Step } from "../../src/core/plan.ts";
import { runPlan } from "../../src/core/run.ts";
import { FakeRunner } from "./fixtures/fake-runner.ts";

const logger = pino({ level: "silent" });
const clock = { now: () => new Date(), sleep: async () => undefined };

function exec(id: string, argv: string[], undo: string[][] = []): Step {
  const undoSteps = undo.map((u, i) => ({
    kind: "exec" as const,
    id: `${id}.u${i + 1}`,
    title: u.join(" "),
    host: "h",
    argv: u,
    timeoutMs: 1000,
    undo: [],
  }));
  return {
    kind: "exec",
    id,
    title: argv.join(" "),
    host: "h",
    argv,
    timeoutMs: 1000,
    undo: undoSteps,
  };
}

function planOf(steps: Step[]): Plan {
  return {
    service: "s",
    summary: "",
    currentReplicas: 1,
    targetReplicas: 2,
    steps,
    reservation: { vmids: [], ips: [], names: [], nodes: [] },
    facts: [],
    hash: "h",
  };
}

const steps = [
  exec("1", ["a"], [["undo-a"]]),
  exec("2", ["b"], [["undo-b1"], ["undo-b2"]]),
  exec("3", ["c"]),
];

describe("runPlan", () => {
  it("runs every step in order", async () => {
    const runner = new FakeRunner();

    const outcome = await runPlan(planOf(steps), {
      runner,
      clock,
      logger,
      fileLocks: new KeyedMutex(),
      pollIntervalMs: 1,
    });

    expect(outcome.status).toBe("succeeded");
    expect(runner.calls.map((c) => c.argv[0])).toEqual(["a", "b", "c"]);
  });

  it("undoes completed steps newest first", async () => {
    const runner = new FakeRunner((_host, argv) =>
      argv[0] === "c" ? { exitCode: 1, stderr: "boom\n" } : {},
    );

    const outcome = await runPlan(planOf(steps), {
      runner,
      clock,
      logger,
      fileLocks: new KeyedMutex(),
      pollIntervalMs: 1,
    });

    expect(outcome.status).toBe("undone");
    expect(runner.calls.map((c) => c.argv[0])).toEqual([
      "a",
      "b",
      "c",
      "undo-b1",
      "undo-b2",
      "undo-a",
    ]);
    expect(outcome.reason).toContain("exit code 1: boom");
  });

  it("reports a failed undo", async () => {
    const runner = new FakeRunner((_host, argv) =>
      argv[0] === "c" || argv[0] === "undo-b1" ? { exitCode: 2 } : {},
    );

    const outcome = await runPlan(planOf(steps), {
      runner,
      clock,
      logger,
      fileLocks: new KeyedMutex(),
      pollIntervalMs: 1,
    });

    expect(outcome.status).toBe("undo_failed");
    expect(outcome.undo.map((r) => r.ok)).toEqual([false]);
  });

  it("judges a signal as failure", async () => {
    const runner = new FakeRunner((_host, argv) =>
      argv[0] === "a" ? { exitCode: null, signal: "KILL" } : {},
    );

    const outcome = await runPlan(planOf(steps), {
      runner,
      clock,
      logger,
      fileLocks: new KeyedMutex(),
      pollIntervalMs: 1,
    });

    expect(outcome.status).toBe("failed");
    expect(outcome.steps[0]?.error).toBe("killed by KILL");
  });

  it("runs nothing when a host key mismatches", async () => {
    const runner = new FakeRunner();
    runner.failHostKey = true;

    const outcome = await runPlan(planOf(steps), {
      runner,
      clock,
      logger,
      fileLocks: new KeyedMutex(),
      pollIntervalMs: 1,
    });

    expect(outcome.status).toBe("failed");
    expect(runner.calls).toEqual([]);
  });

  it("stops and undoes on cancel", async () => {
    const runner = new FakeRunner();
    let cancelled = false;
    const listener = {
      stepStarted: () => undefined,
      stepEnded: () => {
        cancelled = true;
      },
    };

    const outcome = await runPlan(planOf(steps), {
      runner,
      clock,
      logger,
      fileLocks: new KeyedMutex(),
      pollIntervalMs: 1,
      listener,
      shouldStop: () => cancelled,
    });

    expect(outcome.status).toBe("undone");
    expect(runner.calls.map((c) => c.argv[0])).toEqual(["a", "undo-a"]);
  });

  it("retries a locked container", async () => {
    let attempts = 0;
    const runner = new FakeRunner(() =>
      ++attempts < 3 ? { exitCode: 255, stderr: "CT 9000 is locked (disk)\n" } : {},
    );
    const locked: Step = { ...exec("1", ["pct", "clone"]), retryLocked: true } as Step;

    const outcome = await runPlan(planOf([locked]), {
      runner,
      clock,
      logger,
      fileLocks: new KeyedMutex(),
      pollIntervalMs: 1,
    });

    expect(outcome.status).toBe("succeeded");
    expect(attempts).toBe(3);
  });
});
