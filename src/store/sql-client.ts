/** Rows returned by one SQL statement. */
export interface SqlResult<T> {
  rows: T[];
}

/**
 * One PostgreSQL dialect over two drivers: a `pg` pool or an embedded PGlite database. The
 * store writes its SQL once against this interface.
 */
export interface SqlClient {
  /** Runs one statement with `$1`, `$2`... bound to `params`. */
  query<T>(sql: string, params?: unknown[]): Promise<SqlResult<T>>;
  /**
   * Runs `fn` inside BEGIN ... COMMIT on one connection and rolls back when it throws. Inside,
   * use only `tx`: a query on the outer client runs outside the transaction on PostgreSQL and
   * waits forever on PGlite. A nested `transaction` call joins the outer transaction.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
