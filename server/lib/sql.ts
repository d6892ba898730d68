import type { EntityManager } from '@mikro-orm/core';

/**
 * Plain SQL for the few statements the ORM cannot say atomically (check-and-write in one
 * statement). It runs on the unit of work's transaction, if any: the pool has one connection.
 */
export function executeSql<T>(
  em: EntityManager,
  sql: string,
  params: unknown[],
  method: 'get' | 'all' | 'run',
): Promise<T> {
  return em.getConnection().execute<T>(sql, params, method, em.getTransactionContext());
}
