import type { EntityManager } from '@mikro-orm/core';
import type { SetPasswordInput } from '#shared/schemas/identities.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { appLink } from '#server/lib/links.ts';
import { passwordSetMail } from '#server/mail/templates/security-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { requireFreshSignIn } from '#server/modules/sessions/fresh-sign-in.ts';
import type { Auth } from '#server/modules/sessions/session-auth.ts';
import { reissueSession, type SignedIn } from '#server/modules/sessions/sessions.service.ts';
import { applyNewPassword, prepareNewPassword } from './passwords.service.ts';

/**
 * The first password of an account made through a provider (API.md §12). With no password to ask
 * for, a sign-in within the last 10 minutes is the proof; an account with a password changes it instead.
 */
export async function setPassword(
  em: EntityManager,
  deps: Deps,
  auth: Auth,
  input: SetPasswordInput,
  client: Client,
): Promise<SignedIn> {
  const [user, session] = await Promise.all([auth.loadUser(), auth.loadSession()]);
  if (user.passwordHash) {
    throw new AppError('REAUTH_REQUIRED', 'This account already has a password: change it with the current one.');
  }
  const now = deps.now();
  requireFreshSignIn(session, now);
  const passwordHash = await prepareNewPassword(em, deps, user, input.newPassword, 'newPassword');
  await applyNewPassword(em, user, passwordHash, now);
  recordSecurityEvent(em, { user, type: 'password.set', client, at: now });
  const signedIn = await reissueSession(em, deps, user, session);
  deps.mailer.sendInBackground({
    to: user.email,
    ...passwordSetMail({ ...client, at: now }, appLink(deps, '/forgot-password')),
  });
  return signedIn;
}
