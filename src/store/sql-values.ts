/** Formats a timestamp column, which `pg` and PGlite both return as a `Date`, in ISO 8601. */
export function toIso(value: Date | string): string {
  return new Date(value).toISOString();
}

/** Rejects a list limit that is not a positive integer, which SQL would reject less clearly. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`invalid list limit ${limit}: expected a positive integer`);
  }
  return limit;
}
