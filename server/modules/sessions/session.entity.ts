import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { newId } from '#server/lib/ids.ts';

export const SessionEntity = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade').index(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().onCreate(() => new Date()),
    /** Absolute end of the session, whatever the refreshes. */
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    ip: p.string().length(64),
    userAgent: p.string().length(512),
    /** SHA-256 of the current refresh token's jti. */
    refreshJtiHash: p.string().length(64),
    /** The one it replaced and when: all the grace window and reuse detection need. */
    previousJtiHash: p.string().length(64).nullable(),
    rotatedAt: p.datetime().nullable(),
  },
});
export type Session = InferEntity<typeof SessionEntity>;
