import type { EntityManager } from '@mikro-orm/core';
import { checkPassword } from '#shared/password-policy.ts';
import { AppError } from '#server/lib/app-error.ts';
import { hashPassword, verifyPassword } from '#server/lib/passwords.ts';
import type { Deps } from '#server/deps.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { OneTimeTokenEntity } from '#server/modules/tokens/one-time-token.entity.ts';
import { PasswordHistoryEntity } from './password-history.entity.ts';

/** API.md §4: the last 5 passwords, the current one included, cannot be chosen again. */
export const PASSWORD_HISTORY_SIZE = 5;

/** WEAK_PASSWORD, with the reason under the form field that holds the password. */
export function requireStrongPassword(deps: Deps, password: string, email: string, field = 'password'): void {
  const verdict = checkPassword(password, { minLength: deps.config.passwordMinLength, email });
  if (!verdict.ok) throw new AppError('WEAK_PASSWORD', verdict.reason, { fieldErrors: { [field]: [verdict.reason] } });
}

/**
 * Checks a new password against the policy and the account's history and returns its hash.
 * Runs before any transaction: the hashing must not hold the database.
 */
export async function prepareNewPassword(
  em: EntityManager,
  deps: Deps,
  user: User,
  password: string,
  field = 'password',
): Promise<string> {
  requireStrongPassword(deps, password, user.email, field);
  const history = await em.find(
    PasswordHistoryEntity,
    { user: user.id },
    { orderBy: { createdAt: 'desc' }, limit: PASSWORD_HISTORY_SIZE },
  );
  const hashes = [user.passwordHash, ...history.map((entry) => entry.passwordHash)].filter(
    (hash): hash is string => typeof hash === 'string',
  );
  const reused = await Promise.all(hashes.map((hash) => verifyPassword(hash, password)));
  if (reused.some(Boolean)) {
    const message = 'Choose a password you have not used recently.';
    throw new AppError('PASSWORD_REUSED', message, { fieldErrors: { [field]: [message] } });
  }
  return hashPassword(password);
}

/**
 * Sets the prepared hash and records it in the history, keeping only the last five. Any other
 * reset link still out there stops working: it was meant for the password that just changed.
 */
export async function applyNewPassword(em: EntityManager, user: User, passwordHash: string, now: Date): Promise<void> {
  user.passwordHash = passwordHash;
  em.create(PasswordHistoryEntity, { user, passwordHash, createdAt: now });
  await em.flush();
  await em.nativeUpdate(
    OneTimeTokenEntity,
    { user: user.id, purpose: 'reset_password', usedAt: null },
    { usedAt: now },
  );
  const keep = await em.find(
    PasswordHistoryEntity,
    { user: user.id },
    { orderBy: { createdAt: 'desc' }, limit: PASSWORD_HISTORY_SIZE, fields: ['id'] },
  );
  await em.nativeDelete(PasswordHistoryEntity, { user: user.id, id: { $nin: keep.map((entry) => entry.id) } });
}

/** Re-authentication before a sensitive change: a wrong password is INVALID_CREDENTIALS, shown by its field. */
export async function requireCurrentPassword(user: User, password: string, field = 'password'): Promise<void> {
  if (!user.passwordHash) {
    throw new AppError('REAUTH_REQUIRED', 'This account has no password yet. Set one in your security settings first.');
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    const message = 'This is not your current password.';
    throw new AppError('INVALID_CREDENTIALS', message, { fieldErrors: { [field]: [message] } });
  }
}
