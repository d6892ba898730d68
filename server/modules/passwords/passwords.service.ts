import type { EntityManager } from '@mikro-orm/core';
import { AppError } from '#server/lib/app-error.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from '#server/lib/passwords.ts';
import type { Deps } from '#server/deps.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { OneTimeTokenEntity } from '#server/modules/tokens/one-time-token.entity.ts';
import { PasswordHistoryEntity } from './password-history.entity.ts';
import { BREACHED_PASSWORD_REASON, createBreachCheck, type BreachCheck } from './breached-passwords.ts';

/** API.md §4: the last 5 passwords, the current one included, cannot be chosen again. */
export const PASSWORD_HISTORY_SIZE = 5;

const weakPassword = (reason: string, field: string) =>
  new AppError('WEAK_PASSWORD', reason, { fieldErrors: { [field]: [reason] } });

async function requireLocalPolicy(deps: Deps, password: string, email: string, field: string): Promise<void> {
  const verdict = await checkPasswordStrength(password, { minLength: deps.config.passwordMinLength, email });
  if (!verdict.ok) throw weakPassword(verdict.reason, field);
}

// One checker, and so one cache, per running app: buildApp makes Deps once, tests make one per server.
const breachChecks = new WeakMap<Deps, BreachCheck>();

/** API.md §16: a password found in the Pwned Passwords corpus is WEAK_PASSWORD; an unreachable service lets it pass. */
async function requireNotBreached(deps: Deps, password: string, field: string): Promise<void> {
  if (!deps.config.pwnedPasswords.enabled) return;
  let check = breachChecks.get(deps);
  if (!check) {
    check = createBreachCheck({ url: deps.config.pwnedPasswords.url, log: deps.log });
    breachChecks.set(deps, check);
  }
  if (await check.isBreached(password)) throw weakPassword(BREACHED_PASSWORD_REASON, field);
}

/**
 * WEAK_PASSWORD, with the reason under the form field that holds the password. The local policy
 * runs first, so a password it refuses never leads to a call to the breach service.
 */
export async function requireStrongPassword(
  deps: Deps,
  password: string,
  email: string,
  field = 'password',
): Promise<void> {
  await requireLocalPolicy(deps, password, email, field);
  await requireNotBreached(deps, password, field);
}

/**
 * Checks a new password against the policy, the account's history and the breach corpus, and returns its hash.
 * Runs before any transaction: the hashing must not hold the database.
 */
export async function prepareNewPassword(
  em: EntityManager,
  deps: Deps,
  user: User,
  password: string,
  field = 'password',
): Promise<string> {
  await requireLocalPolicy(deps, password, user.email, field);
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
  // Last, after every check made here: a refused password never leaves for the breach service.
  await requireNotBreached(deps, password, field);
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
