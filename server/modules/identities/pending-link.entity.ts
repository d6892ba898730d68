import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

/**
 * A provider identity waiting for the member to prove the account with the same email
 * (`/login?link=`, API.md §12): the provider did not vouch for the address. Single use, 10 minutes.
 */
export const PendingLinkEntity = defineEntity({
  name: 'PendingLink',
  tableName: 'pending_identity_links',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    tokenHash: p.string().length(64).unique(),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade').index(),
    provider: p.string().length(32),
    issuer: p.string().length(512),
    subject: p.string().length(255),
    email: p.string().length(320).nullable(),
    expiresAt: p.datetime(),
  },
});
export type PendingLink = InferEntity<typeof PendingLinkEntity>;
