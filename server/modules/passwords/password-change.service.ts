import type { EntityManager } from '@mikro-orm/core';
import type { ChangePasswordInput } from '#shared/schemas/account.ts';
import type { Client, Deps } from '#server/deps.ts';
import { passwordChangedMail } from '#server/mail/templates/security-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import type { Auth } from '#server/modules/sessions/session-auth.ts';
import { reissueSession, revokeSessionsOf, type SignedIn } from '#server/modules/sessions/sessions.service.ts';
import { applyNewPassword, prepareNewPassword, requireCurrentPassword } from './passwords.service.ts';

/** Needs the current password; every other session ends, this device gets fresh tokens. */
export async function changePassword(
  em: EntityManager,
  deps: Deps,
  auth: Auth,
  input: ChangePasswordInput,
  client: Client,
): Promise<SignedIn> {
  const [user, session] = await Promise.all([auth.loadUser(), auth.loadSession()]);
  await requireCurrentPassword(user, input.currentPassword, 'currentPassword');
  const passwordHash = await prepareNewPassword(em, deps, user, input.newPassword, 'newPassword');
  const now = deps.now();
  await applyNewPassword(em, user, passwordHash, now);
  await revokeSessionsOf(em, user.id, now, session.id);
  recordSecurityEvent(em, { user, type: 'password.changed', client, at: now });
  const signedIn = await reissueSession(em, deps, user, session);
  deps.mailer.sendInBackground({
    to: user.email,
    ...passwordChangedMail({ ...client, at: now }, `${deps.config.publicUrl}/forgot-password`, 'changed'),
  });
  return signedIn;
}
