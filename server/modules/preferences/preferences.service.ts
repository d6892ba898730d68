import type { EntityManager } from '@mikro-orm/core';
import type { Preferences as PreferencesShape, PreferencesUpdateInput } from '#shared/schemas/preferences.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { PreferencesEntity, type Preferences } from './preferences.entity.ts';

function toPreferences(record: Preferences): PreferencesShape {
  return {
    theme: record.theme,
    locale: record.locale,
    timeZone: record.timeZone,
    emailNotifications: { securityAlerts: record.securityAlerts, productUpdates: record.productUpdates },
  };
}

export function findPreferences(em: EntityManager, userId: string): Promise<Preferences> {
  return em.findOneOrFail(PreferencesEntity, { user: userId });
}

/** Whether the member wants security alerts by mail: read on every sign-in, so one prepared read. */
export async function wantsSecurityAlerts(em: EntityManager, userId: string): Promise<boolean> {
  const [row] = await queryPrepared<{ security_alerts: number }>(
    em,
    'read',
    'select security_alerts from preferences where user_id = ?',
    [userId],
  );
  return Boolean(row?.security_alerts);
}

export async function getPreferences(em: EntityManager, user: User): Promise<PreferencesShape> {
  return toPreferences(await findPreferences(em, user.id));
}

export async function updatePreferences(
  em: EntityManager,
  user: User,
  input: PreferencesUpdateInput,
): Promise<PreferencesShape> {
  const record = await findPreferences(em, user.id);
  if (input.theme !== undefined) record.theme = input.theme;
  if (input.locale !== undefined) record.locale = input.locale;
  if (input.timeZone !== undefined) record.timeZone = input.timeZone;
  const mail = input.emailNotifications;
  if (mail?.securityAlerts !== undefined) record.securityAlerts = mail.securityAlerts;
  if (mail?.productUpdates !== undefined) record.productUpdates = mail.productUpdates;
  await em.flush();
  return toPreferences(record);
}
