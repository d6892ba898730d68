import { DeadlockException, LockWaitTimeoutException } from '@mikro-orm/core';

// PostgreSQL's serialization failure and deadlock, as node-postgres reports them unconverted
// (server/db/prepared.ts), and SQLite's busy database (another process writing past busy_timeout).
const CODES = new Set(['40001', '40P01', 'SQLITE_BUSY']);

/**
 * A failure that says nothing about the call, only that another transaction got in its way: the
 * database rolled this one back, so running the call again is the right answer.
 */
export function isTransientConflict(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof DeadlockException || cause instanceof LockWaitTimeoutException) return true;
    if (CODES.has((cause as { code?: unknown }).code as string)) return true;
    if (cause === (cause as { cause?: unknown }).cause) break;
  }
  return false;
}
