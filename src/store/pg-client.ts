import { Pool, type PoolClient } from "pg";
import type { Logger } from "../core/ports.ts";
import type { SqlClient } from "./sql-client.ts";

/** Maximum connections of one pool. PostgreSQL 15 allows 100 in all by default. */
const POOL_SIZE = 10;

/** Wraps a checked-out connection that is already inside BEGIN. */
function transactionClient(connection: PoolClient): SqlClient {
  const tx: SqlClient = {
    query: async <T>(sql: string, params: unknown[] = []) => {
      const result = await connection.query(sql, params);
      return { rows: result.rows as T[] };
    },
    transaction: (fn) => fn(tx),
    close: () => Promise.reject(new Error("cannot close a transaction: close the outer client")),
  };
  return tx;
}

async function runTransaction<T>(
  pool: Pool,
  logger: Logger,
  fn: (tx: SqlClient) => Promise<T>,
): Promise<T> {
  const connection = await pool.connect();
  // A checked-out connection emits `error` on itself, not on the pool, when the server ends
  // it. Without a listener, Node.js would treat the event as an uncaught exception.
  const onError = (error: Error) => {
    logger.warn({ err: error }, "PostgreSQL connection failed during a transaction");
  };
  connection.on("error", onError);
  let broken: Error | undefined;

  try {
    await connection.query("BEGIN");
    const result = await fn(transactionClient(connection));
    await connection.query("COMMIT");
    return result;
  } catch (error) {
    await connection.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
      logger.warn({ err: rollbackError }, "ROLLBACK failed, so the connection is discarded");
    });
    throw error;
  } finally {
    connection.off("error", onError);
    // Passing an error makes the pool close the connection instead of reusing it.
    connection.release(broken);
  }
}

/**
 * Opens a pool of connections to the PostgreSQL database at `url`
 * (`postgres://user:password@host:port/database`). Connections open on first use, so a wrong
 * URL or a stopped server shows up as a rejected query.
 */
export function createPgClient(url: string, logger: Logger): SqlClient {
  const pool = new Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: "psa-chatops",
  });
  // An idle connection that the server closes (a restart, a terminated backend) is reported
  // here. The pool drops it and opens a new one for the next query.
  pool.on("error", (error) => {
    logger.warn({ err: error }, "idle PostgreSQL connection failed, so the pool replaces it");
  });

  return {
    query: async <T>(sql: string, params: unknown[] = []) => {
      const result = await pool.query(sql, params);
      return { rows: result.rows as T[] };
    },
    transaction: (fn) => runTransaction(pool, logger, fn),
    close: () => pool.end(),
  };
}
