import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';

/**
 * A unique index refused the write: the ORM's exception, or the driver's own error for a statement
 * of server/db/prepared.ts (PostgreSQL's SQLSTATE 23505, SQLite's UNIQUE constraint).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof UniqueConstraintViolationException) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === '23505') return true;
  return code === 'SQLITE_CONSTRAINT' && typeof message === 'string' && message.includes('UNIQUE constraint failed');
}

/**
 * Runs `decide` again, once, on a cleared unit of work when a concurrent request wrote the row it
 * meant to insert (the account, identity or membership another callback made between our read and
 * our write): the second run finds it and takes the path for an existing one.
 */
export async function againAfterUniqueViolation<T>(em: EntityManager, decide: () => Promise<T>): Promise<T> {
  try {
    return await decide();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    em.clear();
    return decide();
  }
}
