import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from '#server/modules/users/user.entity.ts';

export const ProfileEntity = defineEntity({
  name: 'Profile',
  tableName: 'profiles',
  properties: {
    user: () => p.oneToOne(UserEntity).primary().owner().deleteRule('cascade'),
    name: p.string().length(240).default(''),
    /** The name of its row in avatars (avatar.entity.ts), or null. */
    avatarFile: p.string().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Profile = InferEntity<typeof ProfileEntity>;
