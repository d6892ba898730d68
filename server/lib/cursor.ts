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
