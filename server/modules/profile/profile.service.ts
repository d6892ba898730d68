import type { EntityManager } from '@mikro-orm/core';
import type { PublicProfile } from '#shared/schemas/profile.ts';
import { AppError } from '#server/lib/app-error.ts';
import { publishedFlyersOf } from '#server/modules/flyers/flyers.service.ts';
import { PrivacySettingsEntity } from '#server/modules/privacy/privacy-settings.entity.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { avatarUrl } from './avatar-url.ts';
import { ProfileEntity, type Profile } from './profile.entity.ts';


/** A profile anyone may see: its user exists and is neither disabled nor deactivated. */
export async function requireVisibleProfile(em: EntityManager, userId: string): Promise<Profile & { user: User }> {
  const profile = await em.findOne(ProfileEntity, { user: userId }, { populate: ['user'] });
  if (!profile || profile.user.disabledAt || profile.user.deactivatedAt) {
    throw new AppError('NOT_FOUND', 'There is no member with this address.');
  }
  return profile;
}

/** What anyone may see of a member: never the email, role, or privacy and preference settings. */
export async function getPublicProfile(em: EntityManager, userId: string): Promise<PublicProfile> {
  const profile = await requireVisibleProfile(em, userId);
  const [privacy, flyers] = await Promise.all([
    em.findOneOrFail(PrivacySettingsEntity, { user: userId }),
    publishedFlyersOf(em, userId),
  ]);
  return {
    userId: profile.user.id,
    name: profile.name,
    avatarUrl: avatarUrl(profile.avatarFile),
    joinedAt: profile.user.createdAt.toISOString(),
    canBeContacted: privacy.allowEmailContact,
    flyers,
  };
}

export async function updateProfileName(em: EntityManager, user: User, name: string): Promise<PublicProfile> {
  const profile = await em.findOneOrFail(ProfileEntity, { user: user.id });
  profile.name = name;
  await em.flush();
  return getPublicProfile(em, user.id);
}
