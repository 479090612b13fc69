import type { CommandResult } from "./ports.ts";

/** Characters of output kept per stream in a step result. */
export const OUTPUT_TAIL_CHARS = 4000;

/** What one step did: the same shape whether it passed or failed. */
export interface StepResult {
  stepId: string;
  title: string;
  host: string;
  commandLine: string;
  exitCode: number | null;
  signal: string | null;
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
  timedOut: boolean;
  ok: boolean;
  /** Why the step failed, in words, when the exit code alone does not say it. */
  error?: string;
}

/** Keeps the end of a long output, where errors usually are. */
export function tail(text: string, chars = OUTPUT_TAIL_CHARS): string {
  return text.length <= chars ? text : `…${text.slice(-chars)}`;
}

/** Builds a step result from the last command a step ran. */
export function resultOf(
  step: { id: string; title: string; host: string },
  command: CommandResult,
  startedAt: number,
  verdict: { ok: boolean; error?: string },
): StepResult {
  return {
    stepId: step.id,
    title: step.title,
    host: step.host,
    commandLine: command.commandLine,
    exitCode: command.exitCode,
    signal: command.signal,
    stdoutTail: tail(command.stdout),
    stderrTail: tail(command.stderr),
    durationMs: Date.now() - startedAt,
    timedOut: command.timedOut,
    ok: verdict.ok,
    ...(verdict.error === undefined ? {} : { error: verdict.error }),
  };
}

/** Judges a command by its exit code alone: 0 passes, anything else (null included) fails. */
export function judgeExit(command: CommandResult): { ok: boolean; error?: string } {
  if (command.exitCode === 0) return { ok: true };
  if (command.timedOut) return { ok: false, error: "timed out" };
  const reason =
    command.exitCode === null
      ? `killed by ${command.signal ?? "a signal"}`
      : `exit code ${command.exitCode}`;
  // haproxy -c ends with "Fatal errors found in configuration."; its [ALERT] lines name the cause.
  const lines = `${command.stderr}\n${command.stdout}`.split("\n").map((line) => line.trim());
  const alerts = lines.filter((line) => line.includes("[ALERT]")).slice(0, 3);
  const detail = alerts.length > 0 ? alerts.join(" ") : command.stderr.trim().split("\n").at(-1);
  return { ok: false, error: detail ? `${reason}: ${detail}` : reason };
}
