import type { EntityManager } from '@mikro-orm/core';
import { executeSql } from '#server/lib/sql.ts';

/**
 * Takes the task for `holder` unless another holds it now: one statement, so two instances asking
 * at once cannot both get it (PostgreSQL re-checks the condition on the row the other just wrote).
 * Instants are the wall clock's, whatever a test does with the product's clock.
 */
export async function claimTask(em: EntityManager, task: string, holder: string, leaseMs: number): Promise<boolean> {
  const now = new Date();
  const rows = await executeSql<unknown[]>(
    em,
    `insert into task_leases (task, holder, until) values (?, ?, ?)
     on conflict (task) do update set holder = excluded.holder, until = excluded.until where task_leases.until <= ?
     returning task`,
    [task, holder, new Date(now.getTime() + leaseMs), now],
    'all',
  );
  return rows.length === 1;
}

/** Lets the next instance that asks take the task at once. */
export async function releaseTask(em: EntityManager, task: string, holder: string): Promise<void> {
  await executeSql(
    em,
    'update task_leases set until = ? where task = ? and holder = ?',
    [new Date(), task, holder],
    'run',
  );
}
