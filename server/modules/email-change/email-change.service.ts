import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { EMAIL_VERIFICATION_TTL_SECONDS } from '#shared/constants.ts';
import type { ChangeEmailInput } from '#shared/schemas/account.ts';
import { normalizeEmail } from '#shared/text.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { appLink } from '#server/lib/links.ts';
import {
  emailChangeConfirmMail,
  emailChangeNoticeMail,
  emailTakenMail,
} from '#server/mail/templates/security-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { requireCurrentPassword } from '#server/modules/passwords/passwords.service.ts';
import { consumeRateLimit, enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import { consumeOneTimeToken, createOneTimeToken } from '#server/modules/tokens/one-time-tokens.ts';
import { UserEntity, type User } from '#server/modules/users/user.entity.ts';
import { findUserByEmail } from '#server/modules/users/users.service.ts';

/**
 * Mails a confirmation link to the new address and a notice to the current one; nothing changes
 * until the link is used. An address taken by another account gets the same answer (its owner
 * is told instead), so this cannot be used to find out who has an account.
 */
export async function requestEmailChange(
  em: EntityManager,
  deps: Deps,
  user: User,
  input: ChangeEmailInput,
  client: Client,
): Promise<void> {
  await enforceRateLimit(
    em,
    RATE_LIMITS.emailChangePerIp,
    client.ip,
    deps.now(),
    'Too many requests from your network. Try again later.',
  );
  await requireCurrentPassword(user, input.password);
  if (normalizeEmail(input.newEmail) === user.emailNormalized) {
    throw new AppError('INVALID_INPUT', 'This is already your email address.', {
      fieldErrors: { newEmail: ['This is already your email address.'] },
    });
  }
  const now = deps.now();
  // At most three email-change mails an hour to one address (API.md §6); the answer stays Ok.
  if (!(await consumeRateLimit(em, RATE_LIMITS.emailChangeMailPerAddress, normalizeEmail(input.newEmail), now)).allowed)
    return;
  const owner = await findUserByEmail(em, input.newEmail);
  // The requester sees the same security event and notice either way: only the owner of a taken address learns of it.
  recordSecurityEvent(em, { user, type: 'email.change_requested', client, at: now });
  if (owner) {
    await em.flush();
    deps.mailer.sendInBackground({ to: owner.email, ...emailTakenMail(appLink(deps, '/login')) });
  } else {
    const token = createOneTimeToken(em, {
      purpose: 'change_email',
      user,
      email: input.newEmail,
      ttlSeconds: EMAIL_VERIFICATION_TTL_SECONDS,
      now,
    });
    await em.flush();
    deps.mailer.sendInBackground({
      to: input.newEmail,
      ...emailChangeConfirmMail(appLink(deps, `/confirm-email?token=${token}`), input.newEmail),
    });
  }
  deps.mailer.sendInBackground({ to: user.email, ...emailChangeNoticeMail({ ...client, at: now }, input.newEmail) });
}

const invalidLink = () => new AppError('INVALID_TOKEN', 'This confirmation link is invalid, expired or already used.');

/** Single use, 24 hours. The new address becomes the account's, confirmed. */
export async function confirmEmailChange(em: EntityManager, deps: Deps, secret: string, client: Client): Promise<void> {
  try {
    await em.transactional(async (tx) => {
      const now = deps.now();
      const token = await consumeOneTimeToken(tx, 'change_email', secret, now);
      if (!token?.user) throw invalidLink();
      const user = await tx.findOneOrFail(UserEntity, token.user.id);
      if (user.disabledAt) throw invalidLink();
      user.email = token.email;
      user.emailNormalized = normalizeEmail(token.email);
      user.emailVerifiedAt = now;
      recordSecurityEvent(tx, { user, type: 'email.changed', client, at: now });
      await tx.flush();
    });
  } catch (error) {
    // Someone registered the address between the request and its confirmation.
    if (error instanceof UniqueConstraintViolationException) {
      throw new AppError('INVALID_TOKEN', 'This address now belongs to another account. Choose another one.');
    }
    throw error;
  }
}
