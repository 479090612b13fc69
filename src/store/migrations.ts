import type { Logger } from "../core/ports.ts";
import { INITIAL_SCHEMA } from "./migrations/001-initial.ts";
import type { SqlClient } from "./sql-client.ts";

/** One schema change: statements that run in order, in one transaction. */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

/**
 * Every schema change, oldest first. Append only; never edit or reorder an applied migration.
 *
 * During a rolling upgrade the previous release keeps running against the new schema, so each
 * migration is additive: new tables, nullable columns (or columns with defaults), new indexes.
 * A rename or drop waits for a later release, once no running replica reads the old shape.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", statements: INITIAL_SCHEMA },
];

/** Key of the advisory lock that serializes migrations across replicas starting together. */
const MIGRATION_LOCK_KEY = 7_305_120_001;

async function appliedVersions(tx: SqlClient): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
  return new Set(rows.map((row) => Number(row.version)));
}

async function applyMigration(tx: SqlClient, migration: Migration): Promise<void> {
  for (const statement of migration.statements) {
    await tx.query(statement);
  }
  await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
    migration.version,
    migration.name,
  ]);
}

/**
 * Applies the migrations that `schema_migrations` does not list yet, in version order, and
 * returns their versions. Everything runs in one transaction under a transaction-scoped advisory
 * lock, so a replica that starts meanwhile waits and then finds the work done, and a failed
 * migration leaves the schema as it was. Versions applied by a newer release are left alone.
 */
export async function migrate(
  client: SqlClient,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return client.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await appliedVersions(tx);

    const pending = [...migrations]
      .filter((migration) => !applied.has(migration.version))
      .sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      logger.info({ version: migration.version, name: migration.name }, "applying migration");
      await applyMigration(tx, migration);
    }
    return pending.map((migration) => migration.version);
  });
}
