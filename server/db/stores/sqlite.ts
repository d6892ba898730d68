import { queryPrepared } from '#server/db/prepared.ts';
import { executeSql } from '#server/lib/sql.ts';
import type { Store } from './store.ts';
import { INSERT_HIT_IF_UNDER_LIMIT, stepDownAdminSql } from './statements.ts';

// One connection writes, so a statement's check and its write cannot interleave with another's.
export const sqliteStore: Store = {
  async consumeHit(em, { key, at, windowStart, limit }) {
    const rows = await queryPrepared(em, 'write', INSERT_HIT_IF_UNDER_LIMIT, [key, at, key, windowStart, limit]);
    return rows.length === 1;
  },
  async stepDownAdmin(em, { userId, column, value, now }) {
    const rows = await executeSql<unknown[]>(em, stepDownAdminSql(column), [value, now, userId, userId], 'all');
    return rows.length === 1;
  },
  async lock() {},
};
