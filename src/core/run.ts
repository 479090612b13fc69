import { isPsaError } from "./errors.ts";
import type { Plan, Step } from "./plan.ts";
import { allSteps } from "./plan.ts";
import type { Logger } from "./ports.ts";
import type { StepResult } from "./step-result.ts";
import { executeStep, type StepDeps } from "./step-runner.ts";

/** How a run ended. `undone`: a step failed and every completed step was reversed. */
export type RunStatus = "succeeded" | "failed" | "undone" | "undo_failed";

/** The record of one run of a plan. */
export interface RunOutcome {
  status: RunStatus;
  steps: StepResult[];
  undo: StepResult[];
  /** Why the run stopped, in words, when it did not succeed. */
  reason?: string;
}

/** Where a run starts: a resumed run treats the steps before `from` as completed. */
export interface RunOptions {
  from?: number;
}

/** Notifications while a plan runs, for the journal and the chat thread. */
export interface RunListener {
  stepStarted(step: Step, phase: "run" | "undo"): void | Promise<void>;
  stepEnded(step: Step, result: StepResult, phase: "run" | "undo"): void | Promise<void>;
}

/** What running a plan needs. */
export interface RunDeps extends StepDeps {
  logger: Logger;
  listener?: RunListener;
}

/**
 * Runs a plan's steps in order. When a step fails, the completed steps are undone newest first.
 * Every host is connected and its key checked before the first command, so a wrong host key
 * stops the run before anything changes.
 */
export async function runPlan(
  plan: Plan,
  deps: RunDeps,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const hosts = allSteps(plan.steps).map((step) => step.host);
  try {
    await deps.runner.verifyHosts(hosts);
  } catch (error) {
    if (!isPsaError(error)) throw error;
    deps.logger.error({ err: error, code: error.code }, "run stopped before its first step");
    return { status: "failed", steps: [], undo: [], reason: error.message };
  }

  const from = options.from ?? 0;
  const done: Step[] = plan.steps.slice(0, from);
  const results: StepResult[] = [];
  for (const step of plan.steps.slice(from)) {
    if (deps.shouldStop?.()) return undoAll(done, results, "cancelled during the run", deps);
    const result = await runOne(step, "run", deps);
    results.push(result);
    if (!result.ok)
      return undoAll(
        done,
        results,
        `step ${step.id} (${step.title}) failed: ${result.error ?? "no detail"}`,
        deps,
      );
    done.push(step);
  }
  return { status: "succeeded", steps: results, undo: [] };
}

/**
 * Undoes completed steps newest first. The undo of an `uncertain` step (one a crash interrupted,
 * which may or may not have taken effect) runs first, and its failures are only reported.
 */
export async function undoAll(
  done: Step[],
  results: StepResult[],
  reason: string,
  deps: RunDeps,
  uncertain?: Step,
): Promise<RunOutcome> {
  const undoSteps = [...done].reverse().flatMap((step) => step.undo);
  const tolerated = uncertain?.undo ?? [];
  if (undoSteps.length === 0 && tolerated.length === 0) {
    return { status: "failed", steps: results, undo: [], reason };
  }

  const undo: StepResult[] = [];
  for (const step of tolerated) undo.push(await runOne(step, "undo", deps));
  for (const step of undoSteps) {
    const result = await runOne(step, "undo", deps);
    undo.push(result);
    if (!result.ok) {
      // NOTE: the undo stops at its first failure, since later undo steps assume earlier ones
      // succeeded; what is left is reported step by step.
      return {
        status: "undo_failed",
        steps: results,
        undo,
        reason: `${reason}; undo step ${step.id} (${step.title}) failed: ${result.error ?? "no detail"}`,
      };
    }
  }
  return { status: "undone", steps: results, undo, reason };
}

async function runOne(step: Step, phase: "run" | "undo", deps: RunDeps): Promise<StepResult> {
  await deps.listener?.stepStarted(step, phase);
  const result = await executeStep(step, deps).catch((error: unknown) => faultResult(step, error));
  const log = deps.logger.child({ stepId: step.id, phase, host: step.host });
  if (result.ok) log.info({ durationMs: result.durationMs }, "step passed");
  else log.error({ exitCode: result.exitCode, error: result.error }, "step failed");
  await deps.listener?.stepEnded(step, result, phase);
  return result;
}

/** A step whose command could not even run (connection lost, host key) fails like any other. */
function faultResult(step: Step, error: unknown): StepResult {
  const message = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return {
    stepId: step.id,
    title: step.title,
    host: step.host,
    commandLine: "",
    exitCode: null,
    signal: null,
    stdoutTail: "",
    stderrTail: "",
    durationMs: 0,
    timedOut: false,
    ok: false,
    error: `${message}${cause}`,
  };
}
