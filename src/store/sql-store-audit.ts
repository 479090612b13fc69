import type { AuditEvent, ListFilter, NewAuditEvent } from "../core/store.ts";
import type { SqlClient } from "./sql-client.ts";
import { checkLimit, toIso } from "./sql-values.ts";

interface AuditRow {
  /** bigserial, which `pg` returns as a string and PGlite as a number. */
  seq: string | number;
  at: Date | string;
  kind: string;
  request_id: string | null;
  service: string | null;
  actor: string;
  data: Record<string, unknown>;
}

const COLUMNS = "seq, at, kind, request_id, service, actor, data";

function toEvent(row: AuditRow): AuditEvent {
  return {
    seq: Number(row.seq),
    at: toIso(row.at),
    kind: row.kind,
    ...(row.request_id === null ? {} : { requestId: row.request_id }),
    ...(row.service === null ? {} : { service: row.service }),
    actor: row.actor,
    data: row.data,
  };
}

/** Appends an event, dated by the database clock unless it carries its own `at`. */
export async function insertAudit(client: SqlClient, event: NewAuditEvent): Promise<AuditEvent> {
  const { rows } = await client.query<AuditRow>(
    `INSERT INTO audit_events (at, kind, request_id, service, actor, data)
     VALUES (COALESCE($1::timestamptz, now()), $2, $3, $4, $5, $6::jsonb)
     RETURNING ${COLUMNS}`,
    [
      event.at ?? null,
      event.kind,
      event.requestId ?? null,
      event.service ?? null,
      event.actor,
      JSON.stringify(event.data),
    ],
  );
  return toEvent(rows[0]!);
}

/** Lists the newest `limit` events of a request and/or service, oldest first. */
export async function selectAudit(client: SqlClient, filter: ListFilter): Promise<AuditEvent[]> {
  const { rows } = await client.query<AuditRow>(
    `SELECT ${COLUMNS} FROM (
       SELECT ${COLUMNS} FROM audit_events
       WHERE ($1::text IS NULL OR request_id = $1) AND ($2::text IS NULL OR service = $2)
       ORDER BY seq DESC
       LIMIT $3
     ) AS newest
     ORDER BY seq`,
    [filter.requestId ?? null, filter.service ?? null, checkLimit(filter.limit)],
  );
  return rows.map(toEvent);
}
