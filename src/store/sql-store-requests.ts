import type { ChangeRequest, NewRequest, RequestStatus } from "../core/request.ts";
import { FINAL_STATUSES } from "../core/request.ts";
import type { ListFilter } from "../core/store.ts";
import type { SqlClient } from "./sql-client.ts";
import { checkLimit } from "./sql-values.ts";

/** A request row. The whole request is kept as jsonb, and other columns index copies of it. */
interface RequestRow {
  data: ChangeRequest;
}

type RequestChange = Partial<Omit<ChangeRequest, "id" | "version">>;

/** Numbers the request from `request_seq` and stores it at version 1. */
export async function insertRequest(client: SqlClient, request: NewRequest) {
  const { rows } = await client.query<RequestRow>(
    `INSERT INTO requests
       (id, seq, service, status, version, created_at, updated_at, expires_at, data)
     SELECT 'R' || n, n, $1::text, $2::text, 1, $3::timestamptz, $3::timestamptz,
       $4::timestamptz,
       $5::jsonb || jsonb_build_object('id', 'R' || n, 'version', 1, 'updatedAt', $6::text)
     FROM nextval('request_seq') AS n
     RETURNING data`,
    [
      request.service,
      request.status,
      request.createdAt,
      request.expiresAt,
      JSON.stringify(request),
      request.createdAt,
    ],
  );
  return rows[0]!.data;
}

export async function selectRequest(client: SqlClient, id: string) {
  const { rows } = await client.query<RequestRow>("SELECT data FROM requests WHERE id = $1", [id]);
  return rows[0]?.data;
}

/** Splits a change into a JSON patch and the keys it sets to undefined, which it removes. */
function patchOf(change: RequestChange): { patch: string; removed: string[] } {
  // The store sets these fields itself, so a change cannot set them.
  const {
    id: _id,
    version: _version,
    updatedAt: _updatedAt,
    ...rest
  } = change as RequestChange & { id?: unknown; version?: unknown };
  const removed = Object.keys(rest).filter((key) => rest[key as keyof typeof rest] === undefined);
  return { patch: JSON.stringify(rest), removed };
}

/**
 * Applies `change` as a compare-and-set on `version`: top-level fields of the change replace
 * those of the request. Returns undefined when the request is missing or at another version.
 */
export async function updateRequest(
  client: SqlClient,
  id: string,
  version: number,
  change: RequestChange,
): Promise<ChangeRequest | undefined> {
  const { patch, removed } = patchOf(change);
  const updatedAt = new Date().toISOString();

  // Under READ COMMITTED a concurrent writer of the same row waits for the first to commit,
  // then rechecks the WHERE clause against the new version and updates nothing.
  const { rows } = await client.query<RequestRow>(
    `UPDATE requests SET
       version = version + 1,
       updated_at = $3::timestamptz,
       status = COALESCE($4::text, status),
       service = COALESCE($5::text, service),
       created_at = COALESCE($6::timestamptz, created_at),
       expires_at = COALESCE($7::timestamptz, expires_at),
       data = (data - $8::text[]) || $9::jsonb
         || jsonb_build_object('version', version + 1, 'updatedAt', $10::text)
     WHERE id = $1 AND version = $2
     RETURNING data`,
    [
      id,
      version,
      updatedAt,
      change.status ?? null,
      change.service ?? null,
      change.createdAt ?? null,
      change.expiresAt ?? null,
      removed,
      patch,
      updatedAt,
    ],
  );
  return rows[0]?.data;
}

const FINAL = [...FINAL_STATUSES];

/** Lists requests that are not final, or were last updated at or after `since`, oldest first. */
export async function selectActive(client: SqlClient, since: Date) {
  const { rows } = await client.query<RequestRow>(
    `SELECT data FROM requests
     WHERE status <> ALL($1::text[]) OR updated_at >= $2::timestamptz
     ORDER BY created_at, seq`,
    [FINAL, since.toISOString()],
  );
  return rows.map((row) => row.data);
}

/** Lists requests newest first, optionally of one service or with one id. */
export async function selectRequests(client: SqlClient, filter: ListFilter) {
  const { rows } = await client.query<RequestRow>(
    `SELECT data FROM requests
     WHERE ($1::text IS NULL OR service = $1) AND ($2::text IS NULL OR id = $2)
     ORDER BY created_at DESC, seq DESC
     LIMIT $3`,
    [filter.service ?? null, filter.requestId ?? null, checkLimit(filter.limit)],
  );
  return rows.map((row) => row.data);
}

export async function selectByStatus(client: SqlClient, statuses: RequestStatus[]) {
  const { rows } = await client.query<RequestRow>(
    "SELECT data FROM requests WHERE status = ANY($1::text[]) ORDER BY created_at, seq",
    [statuses],
  );
  return rows.map((row) => row.data);
}
