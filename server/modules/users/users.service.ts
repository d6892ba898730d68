import type { EntityManager } from '@mikro-orm/core';
import { normalizeEmail } from '#shared/text.ts';
import { newId } from '#server/lib/ids.ts';
import { PasswordHistoryEntity } from '#server/modules/passwords/password-history.entity.ts';
import { PreferencesEntity } from '#server/modules/preferences/preferences.entity.ts';
import { PrivacySettingsEntity } from '#server/modules/privacy/privacy-settings.entity.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { UserEntity, type User } from './user.entity.ts';

export function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(UserEntity, { emailNormalized: normalizeEmail(email) });
}

/**
 * Adds a user with the records every account has (empty profile, default privacy and preferences,
 * the first password in its history) to the unit of work, so one flush writes them in one transaction.
 */
export function createUser(
  em: EntityManager,
  /** `passwordHash` null: an account made through a provider (API.md §12). */
  input: { email: string; passwordHash: string | null; name?: string; now: Date },
): User {
  const email = input.email.trim();
  const user = em.create(UserEntity, {
    // Known before the flush, for records written in the same unit of work that keep it as a plain id.
    id: newId(),
    email,
    emailNormalized: normalizeEmail(email),
    passwordHash: input.passwordHash,
    createdAt: input.now,
    updatedAt: input.now,
  });
  em.create(ProfileEntity, { user, name: input.name ?? '', updatedAt: input.now });
  em.create(PrivacySettingsEntity, { user });
  em.create(PreferencesEntity, { user });
  if (input.passwordHash)
    em.create(PasswordHistoryEntity, { user, passwordHash: input.passwordHash, createdAt: input.now });
  return user;
}
