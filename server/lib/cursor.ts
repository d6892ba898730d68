import { AppError } from './app-error.ts';

/** Position in a list ordered by time then id, newest first: opaque to clients. */
export type Cursor = { at: number; id: string };

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    // Falls through to the error below.
  }
  throw new AppError('INVALID_INPUT', 'This page link is not valid.', { fieldErrors: { cursor: ['Not a cursor from this list.'] } });
}
