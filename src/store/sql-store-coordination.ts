import type { Freeze } from "../core/store.ts";
import type { SqlClient } from "./sql-client.ts";
import { toIso } from "./sql-values.ts";

interface FreezeRow {
  scope: string;
  reason: string;
  frozen_by: string;
  at: Date | string;
  automatic: boolean;
}

/** Sets or replaces the freeze of a scope. */
export async function upsertFreeze(client: SqlClient, freeze: Freeze): Promise<void> {
  await client.query(
    `INSERT INTO freezes (scope, reason, frozen_by, at, automatic)
     VALUES ($1, $2, $3, $4::timestamptz, $5)
     ON CONFLICT (scope) DO UPDATE SET reason = EXCLUDED.reason,
       frozen_by = EXCLUDED.frozen_by, at = EXCLUDED.at, automatic = EXCLUDED.automatic`,
    [freeze.scope, freeze.reason, freeze.by, freeze.at, freeze.automatic],
  );
}

export async function deleteFreeze(client: SqlClient, scope: string): Promise<boolean> {
  const { rows } = await client.query("DELETE FROM freezes WHERE scope = $1 RETURNING scope", [
    scope,
  ]);
  return rows.length > 0;
}

/** Lists freezes, oldest first. */
export async function selectFreezes(client: SqlClient): Promise<Freeze[]> {
  const { rows } = await client.query<FreezeRow>("SELECT * FROM freezes ORDER BY at, scope");
  return rows.map((row) => ({
    scope: row.scope,
    reason: row.reason,
    by: row.frozen_by,
    at: toIso(row.at),
    automatic: row.automatic,
  }));
}

/**
 * Takes or renews a lease in one statement, timed by the database clock so replicas with
 * skewed clocks agree on expiry. Two replicas inserting the same new name at once serialize on
 * the primary key: the second one finds the first one's row and takes the conflict branch.
 */
export async function upsertLease(client: SqlClient, name: string, owner: string, ttlMs: number) {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new Error(`invalid lease ttl ${ttlMs} ms for ${name}: expected a positive number`);
  }

  const { rows } = await client.query<{ owner: string }>(
    `INSERT INTO leases (name, owner, expires_at)
     VALUES ($1, $2, now() + $3::double precision * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
     WHERE leases.expires_at < now() OR leases.owner = EXCLUDED.owner
     RETURNING owner`,
    [name, owner, ttlMs],
  );
  return rows.length === 1;
}

export async function deleteLease(client: SqlClient, name: string, owner: string) {
  await client.query("DELETE FROM leases WHERE name = $1 AND owner = $2", [name, owner]);
}

export async function selectLeaseHolder(client: SqlClient, name: string) {
  const { rows } = await client.query<{ owner: string }>(
    "SELECT owner FROM leases WHERE name = $1 AND expires_at >= now()",
    [name],
  );
  return rows[0]?.owner;
}

/** Records a delivery id; returns false when it was recorded before. */
export async function insertDelivery(client: SqlClient, key: string): Promise<boolean> {
  const { rows } = await client.query(
    "INSERT INTO deliveries (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING key",
    [key],
  );
  return rows.length === 1;
}

/**
 * Deletes delivery ids older than a day and returns how many. Slack retries a failed event
 * delivery within minutes, so a day leaves a wide margin.
 */
export async function pruneDeliveries(client: SqlClient): Promise<number> {
  const { rows } = await client.query(
    "DELETE FROM deliveries WHERE received_at < now() - interval '1 day' RETURNING key",
  );
  return rows.length;
}
