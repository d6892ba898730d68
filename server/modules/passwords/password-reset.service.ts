import type { EntityManager } from '@mikro-orm/core';
import type { ResetPasswordInput } from '#shared/schemas/account.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { appLink } from '#server/lib/links.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { passwordChangedMail, passwordResetMail } from '#server/mail/templates/security-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { MfaChallengeEntity } from '#server/modules/mfa/mfa-challenge.entity.ts';
import { consumeRateLimit, enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import { revokeSessionsOf } from '#server/modules/sessions/sessions.service.ts';
import { OneTimeTokenEntity } from '#server/modules/tokens/one-time-token.entity.ts';
import { consumeOneTimeToken, createOneTimeToken } from '#server/modules/tokens/one-time-tokens.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { findUserByEmail } from '#server/modules/users/users.service.ts';
import { applyNewPassword, prepareNewPassword } from './passwords.service.ts';

const RESET_TTL_SECONDS = 60 * 60; // 1 hour

const invalidLink = () =>
  new AppError('INVALID_TOKEN', 'This reset link is invalid, expired or already used. Ask for a new one.');

/**
 * Always the same answer. The mail goes out in the background, so the answer takes as long
 * whether or not the address has an account.
 */
export async function requestPasswordReset(
  em: EntityManager,
  deps: Deps,
  email: string,
  client: Client,
): Promise<void> {
  await enforceRateLimit(
    em,
    RATE_LIMITS.requestResetPerIp,
    client.ip,
    deps.now(),
    'Too many requests from your network. Try again later.',
  );
  const user = await findUserByEmail(em, email);
  if (!user || user.disabledAt) return;
  if (!(await consumeRateLimit(em, RATE_LIMITS.resetMailPerAddress, user.emailNormalized, deps.now())).allowed) return;
  const token = createOneTimeToken(em, {
    purpose: 'reset_password',
    user,
    email: user.email,
    ttlSeconds: RESET_TTL_SECONDS,
    now: deps.now(),
  });
  await em.flush();
  deps.mailer.sendInBackground({
    to: user.email,
    ...passwordResetMail(appLink(deps, `/reset-password?token=${token}`)),
  });
}

/** Single use, 1 hour. Ends every session of the account and tells its owner. */
export async function resetPassword(
  em: EntityManager,
  deps: Deps,
  input: ResetPasswordInput,
  client: Client,
): Promise<void> {
  // Look first, spend later: the new password is checked and hashed outside the transaction.
  const pending = await em.findOne(
    OneTimeTokenEntity,
    { tokenHash: sha256Hex(input.token), purpose: 'reset_password', usedAt: null },
    { populate: ['user'] },
  );
  const owner = pending?.user;
  if (!pending || !owner || pending.expiresAt <= deps.now() || owner.email !== pending.email) throw invalidLink();
  const passwordHash = await prepareNewPassword(em, deps, owner, input.password);

  const user = await em.transactional(async (tx) => {
    const now = deps.now();
    const token = await consumeOneTimeToken(tx, 'reset_password', input.token, now);
    if (!token?.user) throw invalidLink();
    const account = await tx.findOneOrFail(UserEntity, token.user.id);
    await applyNewPassword(tx, account, passwordHash, now);
    await revokeSessionsOf(tx, account.id, now);
    await tx.nativeDelete(MfaChallengeEntity, { user: account.id });
    recordSecurityEvent(tx, { user: account, type: 'password.reset', client, at: now });
    await tx.flush();
    return account;
  });
  deps.mailer.sendInBackground({
    to: user.email,
    ...passwordChangedMail({ ...client, at: deps.now() }, appLink(deps, '/forgot-password'), 'reset'),
  });
}
