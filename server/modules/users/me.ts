import type { EntityManager } from '@mikro-orm/core';
import type { Me } from '#shared/schemas/auth.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { avatarUrl } from '#server/modules/profile/avatar-url.ts';
import type { User } from './user.entity.ts';

export async function loadMe(em: EntityManager, user: User): Promise<Me> {
  const profile = await em.findOneOrFail(ProfileEntity, { user: user.id });
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
