import type { StepResult } from "../core/step-result.ts";
import type { JournalEntry } from "../core/store.ts";
import type { SqlClient } from "./sql-client.ts";
import { toIso } from "./sql-values.ts";

interface JournalRow {
  request_id: string;
  phase: JournalEntry["phase"];
  step_id: string;
  title: string;
  host: string;
  command: string;
  started_at: Date | string;
  ended_at: Date | string | null;
  result_command: string | null;
  exit_code: number | null;
  signal: string | null;
  stdout_tail: string | null;
  stderr_tail: string | null;
  duration_ms: number | null;
  timed_out: boolean | null;
  ok: boolean | null;
  error: string | null;
}

/** Rebuilds the step result, taking its step id, title and host from the journal entry. */
function toResult(row: JournalRow): StepResult {
  return {
    stepId: row.step_id,
    title: row.title,
    host: row.host,
    commandLine: row.result_command ?? row.command,
    exitCode: row.exit_code,
    signal: row.signal,
    stdoutTail: row.stdout_tail ?? "",
    stderrTail: row.stderr_tail ?? "",
    durationMs: row.duration_ms ?? 0,
    timedOut: row.timed_out ?? false,
    ok: row.ok ?? false,
    ...(row.error === null ? {} : { error: row.error }),
  };
}

function toEntry(row: JournalRow): JournalEntry {
  const entry: JournalEntry = {
    requestId: row.request_id,
    phase: row.phase,
    stepId: row.step_id,
    title: row.title,
    host: row.host,
    command: row.command,
    startedAt: toIso(row.started_at),
  };
  if (row.ended_at !== null) {
    entry.endedAt = toIso(row.ended_at);
    entry.result = toResult(row);
  }
  return entry;
}

/**
 * Records a step's start. A step started again (a run resumed after a restart) gets the new
 * start and loses the end of its earlier attempt.
 */
export async function insertJournalStart(
  client: SqlClient,
  entry: Omit<JournalEntry, "endedAt" | "result">,
): Promise<void> {
  await client.query(
    `INSERT INTO step_journal (request_id, phase, step_id, title, host, command, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)
     ON CONFLICT (request_id, phase, step_id) DO UPDATE SET
       title = EXCLUDED.title, host = EXCLUDED.host, command = EXCLUDED.command,
       started_at = EXCLUDED.started_at, ended_at = NULL, result_command = NULL,
       exit_code = NULL, signal = NULL, stdout_tail = NULL, stderr_tail = NULL,
       duration_ms = NULL, timed_out = NULL, ok = NULL, error = NULL`,
    [
      entry.requestId,
      entry.phase,
      entry.stepId,
      entry.title,
      entry.host,
      entry.command,
      entry.startedAt,
    ],
  );
}

/** Records a step's end now. Rejects when no start was recorded for the step. */
export async function updateJournalEnd(
  client: SqlClient,
  key: { requestId: string; phase: JournalEntry["phase"]; stepId: string },
  result: StepResult,
): Promise<void> {
  const { rows } = await client.query(
    `UPDATE step_journal SET
       ended_at = $4::timestamptz, result_command = $5, exit_code = $6, signal = $7,
       stdout_tail = $8, stderr_tail = $9, duration_ms = $10, timed_out = $11, ok = $12,
       error = $13
     WHERE request_id = $1 AND phase = $2 AND step_id = $3
     RETURNING step_id`,
    [
      key.requestId,
      key.phase,
      key.stepId,
      new Date().toISOString(),
      result.commandLine,
      result.exitCode,
      result.signal,
      result.stdoutTail,
      result.stderrTail,
      result.durationMs,
      result.timedOut,
      result.ok,
      result.error ?? null,
    ],
  );

  if (rows.length === 0) {
    throw new Error(
      `journal entry ${key.requestId}/${key.phase}/${key.stepId} not found: record its start first`,
    );
  }
}

/** Lists a request's steps in the order they (last) started. */
export async function selectJournal(client: SqlClient, requestId: string) {
  const { rows } = await client.query<JournalRow>(
    "SELECT * FROM step_journal WHERE request_id = $1 ORDER BY started_at, position",
    [requestId],
  );
  return rows.map(toEntry);
}
