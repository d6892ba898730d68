/** A datetime column as SQLite hands it back (milliseconds since the epoch), as API.md's instant. */
export function instantOf(value: unknown): string {
  return new Date(value as number).toISOString();
}
