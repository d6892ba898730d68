import type { EntityManager } from '@mikro-orm/core';
import { UNNAMED_MEMBER } from '#shared/constants.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { ProfileEntity } from './profile.entity.ts';

/** The names people show, by user id; an id missing from the map is an account that is gone. */
export async function displayNames(em: EntityManager, userIds: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const profiles = await em.find(ProfileEntity, { user: { $in: ids } }, { fields: ['user', 'name'] });
  return new Map(profiles.map((profile) => [(profile.user as User).id, profile.name || UNNAMED_MEMBER]));
}
