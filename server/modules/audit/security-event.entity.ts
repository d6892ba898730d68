import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { newId } from '#server/lib/ids.ts';

export const SecurityEventEntity = defineEntity({
  name: 'SecurityEvent',
  tableName: 'security_events',
  // The member's own log reads (user, at); the admin list (API.md §16) reads newest first overall
  // or by type or address, ending in id as its order and cursor do, so each filter is an index range.
  indexes: [
    { properties: ['user', 'at'] },
    { properties: ['at', 'id'] },
    { properties: ['type', 'at', 'id'] },
    { properties: ['ip', 'at', 'id'] },
  ],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    /** Null once the account is erased: the event stays, without personal data. */
    user: () => p.manyToOne(UserEntity).nullable().deleteRule('set null'),
    type: p.string().length(64),
    at: p.datetime().onCreate(() => new Date()),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
    /** The admin who acted on this account, when it was not its owner. */
    actorId: p.string().length(64).nullable(),
    /** The provider a sign-in or a link went through (API.md §12). */
    provider: p.string().length(32).nullable(),
  },
});
export type SecurityEvent = InferEntity<typeof SecurityEventEntity>;
