import type { EntityManager } from '@mikro-orm/core';
import type { PublicProfile } from '#shared/schemas/profile.ts';
import { instantOf } from '#server/db/columns.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import { AppError } from '#server/lib/app-error.ts';
import { publishedFlyersOf } from '#server/modules/flyers/flyers.service.ts';
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

type PublicProfileRow = {
  id: string;
  created_at: number;
  name: string;
  avatar_file: string | null;
  allow_email_contact: number;
};

const PUBLIC_PROFILE_SQL = `select u.id, u.created_at, p.name, p.avatar_file, c.allow_email_contact
  from users u join profiles p on p.user_id = u.id join privacy_settings c on c.user_id = u.id
  where u.id = ? and u.disabled_at is null and u.deactivated_at is null`;

/**
 * What anyone may see of a member: never the email, role, or privacy and preference settings.
 * Public and read on every profile view, so two prepared reads (server/db/prepared.ts).
 */
export async function getPublicProfile(em: EntityManager, userId: string): Promise<PublicProfile> {
  const [[row], flyers] = await Promise.all([
    queryPrepared<PublicProfileRow>(em, 'read', PUBLIC_PROFILE_SQL, [userId]),
    publishedFlyersOf(em, userId),
  ]);
  if (!row) throw new AppError('NOT_FOUND', 'There is no member with this address.');
  return {
    userId: row.id,
    name: row.name,
    avatarUrl: avatarUrl(row.avatar_file),
    joinedAt: instantOf(row.created_at),
    canBeContacted: Boolean(row.allow_email_contact),
    flyers,
  };
}

export async function updateProfileName(em: EntityManager, user: User, name: string): Promise<PublicProfile> {
  const profile = await em.findOneOrFail(ProfileEntity, { user: user.id });
  profile.name = name;
  await em.flush();
  return getPublicProfile(em, user.id);
}
