import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from '#server/modules/users/user.entity.ts';

export const PrivacySettingsEntity = defineEntity({
  name: 'PrivacySettings',
  tableName: 'privacy_settings',
  properties: {
    user: () => p.oneToOne(UserEntity).primary().owner().deleteRule('cascade'),
    allowEmailContact: p.boolean().default(false),
  },
});
export type PrivacySettings = InferEntity<typeof PrivacySettingsEntity>;
