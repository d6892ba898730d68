import type { EntityManager } from '@mikro-orm/core';
import { dialectOf } from '#server/db/prepared.ts';
import { postgresqlStore } from './postgresql.ts';
import { sqliteStore } from './sqlite.ts';

/**
 * The check-and-write statements whose safety depends on the database: SQLite runs one writer at
 * a time, PostgreSQL's READ COMMITTED lets two statements read the same snapshot, so there each
 * takes a lock first. Everything else is the same SQL on both.
 */
export type Store = {
  /** Counts one hit under `key` unless the window since `windowStart` holds `limit` already. */
  consumeHit(em: EntityManager, hit: { key: string; at: Date; windowStart: Date; limit: number }): Promise<boolean>;
  /** Demotes, disables or deactivates an admin only while another active admin remains; false when none would. */
  stepDownAdmin(em: EntityManager, change: AdminStepDown): Promise<boolean>;
  /**
   * Inside a transaction: serialises it with every other transaction that takes the same key, up to
   * their ends. PostgreSQL takes an advisory lock; SQLite's one writer already runs one at a time.
   */
  lock(em: EntityManager, key: string): Promise<void>;
};

export type AdminStepDown = {
  userId: string;
  column: 'role' | 'disabled_at' | 'deactivated_at';
  value: string | Date;
  now: Date;
};

export const storeOf = (em: EntityManager): Store => (dialectOf(em) === 'postgresql' ? postgresqlStore : sqliteStore);
