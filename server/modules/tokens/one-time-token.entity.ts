import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { newId } from '#server/lib/ids.ts';

export const TOKEN_PURPOSES = ['verify_email', 'reset_password', 'change_email', 'invitation', 'link_ticket'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** Single-use link tokens; only the SHA-256 of the secret is stored. */
export const OneTimeTokenEntity = defineEntity({
  name: 'OneTimeToken',
  tableName: 'one_time_tokens',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    tokenHash: p.string().length(64).unique(),
    purpose: p.enum([...TOKEN_PURPOSES]),
    user: () => p.manyToOne(UserEntity).nullable().deleteRule('cascade').index(),
    /** The address the link was sent to: a verification only counts for that address. */
    email: p.string().length(320),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type OneTimeToken = InferEntity<typeof OneTimeTokenEntity>;
