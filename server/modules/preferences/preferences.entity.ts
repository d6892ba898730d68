import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { THEMES } from '#shared/schemas/preferences.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

export const PreferencesEntity = defineEntity({
  name: 'Preferences',
  tableName: 'preferences',
  properties: {
    user: () => p.oneToOne(UserEntity).primary().owner().deleteRule('cascade'),
    theme: p.enum([...THEMES]).default('system'),
    locale: p.string().length(35).default('en'),
    timeZone: p.string().length(64).default('UTC'),
    securityAlerts: p.boolean().default(true),
    productUpdates: p.boolean().default(false),
  },
});
export type Preferences = InferEntity<typeof PreferencesEntity>;
