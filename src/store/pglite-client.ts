import { mkdir } from "node:fs/promises";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { KeyedMutex } from "../core/keyed-mutex.ts";
import type { SqlClient } from "./sql-client.ts";

function transactionClient(transaction: Transaction): SqlClient {
  const tx: SqlClient = {
    query: async <T>(sql: string, params: unknown[] = []) => {
      const result = await transaction.query<T>(sql, params);
      return { rows: result.rows };
    },
    transaction: (fn) => fn(tx),
    close: () => Promise.reject(new Error("cannot close a transaction: close the outer client")),
  };
  return tx;
}

/**
 * Opens (and on first use creates) an embedded PGlite database persisted in `dataDir`.
 * Creating a new database takes a few seconds.
 *
 * PGlite is a single PostgreSQL session, so a statement issued while a transaction is open would
 * run inside that transaction. Every query and transaction therefore waits for an in-process
 * mutex and runs alone.
 *
 * NOTE: PGlite 0.5.17 takes no lock on its directory, so a second process opens it too and
 * nothing coordinates the two writers. Run one bot per directory, and PostgreSQL for replicas.
 */
export async function createPgliteClient(dataDir: string): Promise<SqlClient> {
  await mkdir(dataDir, { recursive: true });
  const database = await PGlite.create(dataDir);
  const mutex = new KeyedMutex();
  const exclusive = <T>(task: () => Promise<T>) => mutex.run("session", task);

  return {
    query: <T>(sql: string, params: unknown[] = []) =>
      exclusive(async () => {
        const result = await database.query<T>(sql, params);
        return { rows: result.rows };
      }),
    transaction: (fn) =>
      exclusive(() => database.transaction((transaction) => fn(transactionClient(transaction)))),
    close: () => exclusive(() => database.close()),
  };
}
