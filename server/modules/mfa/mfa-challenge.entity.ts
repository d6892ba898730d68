import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

/** The half-finished sign-in between a correct password and a correct second factor. */
export const MfaChallengeEntity = defineEntity({
  name: 'MfaChallenge',
  tableName: 'mfa_challenges',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    tokenHash: p.string().length(64).unique(),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade').index(),
    expiresAt: p.datetime(),
    attempts: p.integer().default(0),
    /** Where the password was given: the session is opened for the same device. */
    ip: p.string().length(64),
    userAgent: p.string().length(512),
  },
});
export type MfaChallenge = InferEntity<typeof MfaChallengeEntity>;
