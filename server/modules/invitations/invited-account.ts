import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { AcceptInvitationInput } from '#shared/schemas/auth.ts';
import type { Client, Deps } from '#server/deps.ts';
import { hashPassword } from '#server/lib/passwords.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { requireStrongPassword } from '#server/modules/passwords/passwords.service.ts';
import { startSession, type SignedIn } from '#server/modules/sessions/sessions.service.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { createUser } from '#server/modules/users/users.service.ts';
import { invalidInvitation } from './invitation-state.ts';

/**
 * The account an invitation link makes (system and organization invitations alike): its address
 * confirmed, since the link proved it, and signed in. `claim` takes the invitation in the same
 * transaction and grants what it carries (a system role, a membership).
 */
export async function createInvitedAccount(
  em: EntityManager,
  deps: Deps,
  email: string,
  input: AcceptInvitationInput,
  client: Client,
  claim: (tx: EntityManager, user: User, now: Date) => Promise<void>,
): Promise<SignedIn> {
  await requireStrongPassword(deps, input.password, email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await em.transactional(async (tx) => {
      const now = deps.now();
      const user = createUser(tx, { email, passwordHash, name: input.name, now });
      user.emailVerifiedAt = now;
      await claim(tx, user, now);
      recordSecurityEvent(tx, { user, type: 'account.created_by_invitation', client, at: now });
      return startSession(tx, deps, user, client);
    });
  } catch (error) {
    // The address got an account some other way since the invitation was sent.
    if (error instanceof UniqueConstraintViolationException) throw invalidInvitation();
    throw error;
  }
}
