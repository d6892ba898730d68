import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

/** The account's recent password hashes, the current one included (API.md §4: the last 5). */
export const PasswordHistoryEntity = defineEntity({
  name: 'PasswordHistory',
  tableName: 'password_history',
  indexes: [{ properties: ['user', 'createdAt'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade'),
    passwordHash: p.string().hidden(),
    createdAt: p.datetime(),
  },
});
export type PasswordHistory = InferEntity<typeof PasswordHistoryEntity>;
