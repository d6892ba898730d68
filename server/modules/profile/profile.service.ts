import type { EntityManager } from '@mikro-orm/core';
import type { PublicProfile } from '#shared/schemas/profile.ts';
import { instantOf } from '#server/db/columns.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import { AppError } from '#server/lib/app-error.ts';
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
  // One row per published flyer, or one row of nulls without any.
  flyer_id: string | null;
  title: string;
  body: string;
  published_at: number;
};

const PUBLIC_PROFILE_SQL = `select u.id, u.created_at, p.name, p.avatar_file, c.allow_email_contact,
    f.id as flyer_id, f.title, f.body, f.published_at
  from users u join profiles p on p.user_id = u.id join privacy_settings c on c.user_id = u.id
    left join flyers f on f.user_id = u.id and f.status = 'published'
  where u.id = ? and u.disabled_at is null and u.deactivated_at is null
  order by f.published_at desc, f.id asc`;

/**
 * What anyone may see of a member: never the email, role, or privacy and preference settings.
 * Public and read on every profile view, so one prepared read (server/db/prepared.ts) with the
 * published flyers joined in, newest publication first: on PostgreSQL a second statement is a
 * second connection and round trip.
 */
export async function getPublicProfile(em: EntityManager, userId: string): Promise<PublicProfile> {
  const rows = await queryPrepared<PublicProfileRow>(em, 'read', PUBLIC_PROFILE_SQL, [userId]);
  const [row] = rows;
  if (!row) throw new AppError('NOT_FOUND', 'There is no member with this address.');
  return {
    userId: row.id,
    name: row.name,
    avatarUrl: avatarUrl(row.avatar_file),
    joinedAt: instantOf(row.created_at),
    canBeContacted: Boolean(row.allow_email_contact),
    flyers: rows
      .filter((flyer) => flyer.flyer_id !== null)
      .map((flyer) => ({
        id: flyer.flyer_id!,
        title: flyer.title,
        body: flyer.body,
        publishedAt: instantOf(flyer.published_at),
      })),
  };
}

export async function updateProfileName(em: EntityManager, user: User, name: string): Promise<PublicProfile> {
  const profile = await em.findOneOrFail(ProfileEntity, { user: user.id });
  profile.name = name;
  await em.flush();
  return getPublicProfile(em, user.id);
}
