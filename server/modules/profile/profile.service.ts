import type { EntityManager } from '@mikro-orm/core';
import type { PublicProfile } from '#shared/schemas/profile.ts';
import { AppError } from '#server/lib/app-error.ts';
import { PrivacySettingsEntity } from '#server/modules/privacy/privacy-settings.entity.ts';
import { avatarUrl } from './avatar-url.ts';
import { ProfileEntity } from './profile.entity.ts';

/** What anyone may see of a member: never the email, role, or privacy and preference settings. */
export async function getPublicProfile(em: EntityManager, userId: string): Promise<PublicProfile> {
  const profile = await em.findOne(ProfileEntity, { user: userId }, { populate: ['user'] });
  const user = profile?.user;
  if (!profile || !user || user.disabledAt || user.deactivatedAt) {
    throw new AppError('NOT_FOUND', 'There is no member with this address.');
  }
  const privacy = await em.findOne(PrivacySettingsEntity, { user: userId });
  return {
    userId: user.id,
    name: profile.name,
    avatarUrl: avatarUrl(profile.avatarFile),
    joinedAt: user.createdAt.toISOString(),
    canBeContacted: privacy?.allowEmailContact ?? false,
    flyers: [],
  };
}
