import type { EntityManager } from '@mikro-orm/core';
import type { PrivacySettings, PrivacyUpdateInput } from '#shared/schemas/privacy.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { PrivacySettingsEntity } from './privacy-settings.entity.ts';

const toSettings = (record: { allowEmailContact: boolean }): PrivacySettings => ({
  allowEmailContact: record.allowEmailContact,
});

export async function getPrivacySettings(em: EntityManager, user: User): Promise<PrivacySettings> {
  return toSettings(await em.findOneOrFail(PrivacySettingsEntity, { user: user.id }));
}

export async function updatePrivacySettings(
  em: EntityManager,
  user: User,
  input: PrivacyUpdateInput,
): Promise<PrivacySettings> {
  const settings = await em.findOneOrFail(PrivacySettingsEntity, { user: user.id });
  if (input.allowEmailContact !== undefined) settings.allowEmailContact = input.allowEmailContact;
  await em.flush();
  return toSettings(settings);
}
