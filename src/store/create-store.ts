import type { Logger } from "../core/ports.ts";
import { migrate } from "./migrations.ts";
import { createPgClient } from "./pg-client.ts";
import { createPgliteClient } from "./pglite-client.ts";
import type { SqlClient } from "./sql-client.ts";
import { SqlStore } from "./sql-store.ts";

/** Options of {@link createStore}: the database and the logger. */
export interface StoreOptions {
  /** `postgres://user:password@host:port/database`. Without it, PGlite in `dataDir` is used. */
  databaseUrl?: string;
  /** PGlite's directory, created when missing. Unused with a database URL. */
  dataDir: string;
  logger: Logger;
}

/**
 * Opens the store on PostgreSQL when a URL is given, else on PGlite in `dataDir`, and applies
 * pending migrations. Closes the connection again when migrating fails.
 */
export async function createStore(options: StoreOptions): Promise<SqlStore> {
  const client: SqlClient = options.databaseUrl
    ? createPgClient(options.databaseUrl, options.logger)
    : await createPgliteClient(options.dataDir);
  const logger = options.logger.child({ component: "store" });

  try {
    await migrate(client, logger);
  } catch (error) {
    await client.close().catch((closeError: unknown) => {
      logger.warn({ err: closeError }, "closing the database after a failed migration failed");
    });
    throw error;
  }
  return new SqlStore(client, logger);
}
