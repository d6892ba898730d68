import { inPostgresTransaction } from '#server/db/prepared.ts';
import { executeSql } from '#server/lib/sql.ts';
import type { Store } from './store.ts';
import { INSERT_HIT_IF_UNDER_LIMIT, stepDownAdminSql } from './statements.ts';

// Any constant: pg_advisory_xact_lock takes a 64-bit key, held until the transaction ends.
const ADMINS_LOCK = 0x1a7c_ad31;
const LOCK_KEY = 'select pg_advisory_xact_lock(hashtextextended(?, 0))';

// Under READ COMMITTED two concurrent statements can both count the same rows and both write:
// each takes a transaction-scoped advisory lock first, and its statement (whose snapshot is taken
// after the lock is granted) sees what the previous holder committed.
export const postgresqlStore: Store = {
  consumeHit(em, { key, at, windowStart, limit }) {
    return inPostgresTransaction(em, async (query) => {
      await query(LOCK_KEY, [key]);
      return (await query(INSERT_HIT_IF_UNDER_LIMIT, [key, at, key, windowStart, limit])).length === 1;
    });
  },
  stepDownAdmin(em, { userId, column, value, now }) {
    return inPostgresTransaction(em, async (query) => {
      await query('select pg_advisory_xact_lock(?)', [ADMINS_LOCK]);
      return (await query(stepDownAdminSql(column), [value, now, userId, userId])).length === 1;
    });
  },
  async lock(em, key) {
    if (!em.isInTransaction()) throw new Error('A lock outside a transaction ends with its statement');
    await executeSql(em, LOCK_KEY, [key], 'all');
  },
};
