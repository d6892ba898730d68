import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

/** A provider account linked to a member's, keyed by (issuer, subject), never by email (API.md §12). */
export const IdentityEntity = defineEntity({
  name: 'Identity',
  tableName: 'identities',
  uniques: [{ properties: ['issuer', 'subject'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade').index(),
    /** The provider's id in the configuration (google, github, a generic id). */
    provider: p.string().length(32),
    issuer: p.string().length(512),
    subject: p.string().length(255),
    /** The address the provider gave at the last sign-in, as shown in settings; not a key. */
    email: p.string().length(320).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
  },
});
export type Identity = InferEntity<typeof IdentityEntity>;
