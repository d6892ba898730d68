import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** One counted attempt. Limits are sliding windows: the hits of the last N seconds under one key. */
export const RateLimitHitEntity = defineEntity({
  name: 'RateLimitHit',
  tableName: 'rate_limit_hits',
  indexes: [{ properties: ['key', 'at'] }, { properties: ['at'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    key: p.string().length(300),
    /** Milliseconds since the epoch: compared in SQL, the same on every engine. */
    at: p.bigint('number'),
  },
});
export type RateLimitHit = InferEntity<typeof RateLimitHitEntity>;
