import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

/** Single-use recovery codes; only their SHA-256 is kept. */
export const RecoveryCodeEntity = defineEntity({
  name: 'RecoveryCode',
  tableName: 'recovery_codes',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade').index(),
    codeHash: p.string().length(64),
    usedAt: p.datetime().nullable(),
  },
});
export type RecoveryCode = InferEntity<typeof RecoveryCodeEntity>;
