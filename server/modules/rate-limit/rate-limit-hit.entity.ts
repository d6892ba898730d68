import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** One counted attempt. Limits are sliding windows: the hits of the last N seconds under one key. */
export const RateLimitHitEntity = defineEntity({
  name: 'RateLimitHit',
  tableName: 'rate_limit_hits',
  indexes: [{ properties: ['key', 'at'] }, { properties: ['at'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    key: p.string().length(300),
    at: p.datetime(),
  },
});
export type RateLimitHit = InferEntity<typeof RateLimitHitEntity>;
