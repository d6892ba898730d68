import type { EntityManager } from '@mikro-orm/core';
import { normalizeEmail } from '#shared/text.ts';
import { queryPrepared, type Query } from '#server/db/prepared.ts';
import { newId } from '#server/lib/ids.ts';
import { PasswordHistoryEntity } from '#server/modules/passwords/password-history.entity.ts';
import { PreferencesEntity } from '#server/modules/preferences/preferences.entity.ts';
import { PrivacySettingsEntity } from '#server/modules/privacy/privacy-settings.entity.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { UserEntity, type User } from './user.entity.ts';

const BY_EMAIL_SQL = 'select * from users where email_normalized = ?';

/**
 * The account of an address, managed by the unit of work (the instance it already holds, if any,
 * as `findOne` would). One prepared statement: every sign-in and sign-up starts with it.
 */
export async function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  const [row] = await queryPrepared<Record<string, unknown>>(em, 'read', BY_EMAIL_SQL, [normalizeEmail(email)]);
  if (!row) return null;
  return em.getUnitOfWork().getById<User>(UserEntity.meta.className, row.id as string) ?? em.map(UserEntity, row);
}

/**
 * Adds a user with the records every account has (empty profile, default privacy and preferences,
 * the first password in its history) to the unit of work, so one flush writes them in one transaction.
 * `insertAccount` below writes the same records as statements: a record added here goes there too.
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

const ACCOUNT_SQL = {
  user: `insert into users (id, email, email_normalized, password_hash, created_at, updated_at) values (?, ?, ?, ?, ?, ?)`,
  profile: 'insert into profiles (user_id, name, updated_at) values (?, ?, ?)',
  privacy: 'insert into privacy_settings (user_id) values (?)',
  preferences: 'insert into preferences (user_id) values (?)',
  history: 'insert into password_history (id, user_id, password_hash, created_at) values (?, ?, ?, ?)',
};

export type NewAccount = { id: string; email: string; emailNormalized: string };

/**
 * The records of `createUser` for a password sign-up, as statements of server/db/prepared.ts (the
 * defaults are the columns'): auth.register writes nothing else but its event and its link.
 * A second sign-up of the address fails on the unique email (isUniqueViolation).
 */
export async function insertAccount(
  query: Query,
  input: { email: string; passwordHash: string; name?: string; now: Date },
): Promise<NewAccount> {
  const email = input.email.trim();
  const account = { id: newId(), email, emailNormalized: normalizeEmail(email) };
  const { now, passwordHash } = input;
  await query(ACCOUNT_SQL.user, [account.id, email, account.emailNormalized, passwordHash, now, now]);
  await query(ACCOUNT_SQL.profile, [account.id, input.name ?? '', now]);
  await query(ACCOUNT_SQL.privacy, [account.id]);
  await query(ACCOUNT_SQL.preferences, [account.id]);
  await query(ACCOUNT_SQL.history, [newId(), account.id, passwordHash, now]);
  return account;
}
