/**
 * A datetime column of a hand-written query as a Date, whatever the dialect hands back: SQLite a
 * number (milliseconds since the epoch), PostgreSQL a Date or, through the ORM's connection
 * (which leaves dates to the ORM), its text form ('2026-12-02 19:40:00.123+00').
 */
export function dateOf(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') return new Date(value);
  throw new TypeError(`not a datetime column: ${typeof value}`);
}

/** A datetime column as API.md's instant. */
export function instantOf(value: unknown): string {
  return dateOf(value).toISOString();
}
