import type { EntityManager } from '@mikro-orm/core';
import type { Me } from '#shared/schemas/auth.ts';
import { mapJoined, selectColumns } from '#server/db/joined-row.ts';
import { executeSql } from '#server/lib/sql.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { avatarUrl } from '#server/modules/profile/avatar-url.ts';
import type { User } from './user.entity.ts';

export async function loadMe(em: EntityManager, user: User): Promise<Me> {
  // On every auth.me: the same cheap path as the session check (server/db/joined-row.ts).
  const row = await executeSql<Record<string, unknown> | undefined>(em, `select ${selectColumns(em, ProfileEntity, 'p')} from profiles p where p.user_id = ?`, [user.id], 'get');
  if (!row) throw new Error(`The profile of user ${user.id} is missing`);
  const profile = mapJoined(em, ProfileEntity, row, 'p');
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerifiedAt != null,
    role: user.role,
    mfaEnabled: user.mfaEnabledAt != null,
    createdAt: user.createdAt.toISOString(),
    profile: { name: profile.name, avatarUrl: avatarUrl(profile.avatarFile) },
  };
}
