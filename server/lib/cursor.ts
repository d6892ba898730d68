import { AppError } from './app-error.ts';

/** Position in a list ordered by time then id, newest first: opaque to clients. */
export type Cursor = { at: number; id: string };

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

// What encodeCursor writes: an instant in milliseconds and an id of ours (server/lib/ids.ts). Anything
// else is forged, and must not reach a query: a NUL in the id would end the SQL text (500).
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function decodeCursor(value: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(at) && (at as number) >= 0 && typeof id === 'string' && ID.test(id))
      return { at: at as number, id };
  } catch {
    // Falls through to the error below.
  }
  throw new AppError('INVALID_INPUT', 'This page link is not valid.', {
    fieldErrors: { cursor: ['Not a cursor from this list.'] },
  });
}

/** The filter for what follows the cursor in a list ordered newest first by `field`, then id (descending). */
export function olderThan(cursor: string | undefined, field: string): object {
  if (!cursor) return {};
  const after = decodeCursor(cursor);
  const at = new Date(after.at);
  return { $or: [{ [field]: { $lt: at } }, { [field]: at, id: { $lt: after.id } }] };
}

/** One page from `limit + 1` rows fetched: the rows to show and the cursor to the next page. */
export function pageOf<T extends { id: string }>(
  rows: T[],
  limit: number,
  atOf: (row: T) => Date,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    page,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: atOf(last).getTime(), id: last.id }) : null,
  };
}
