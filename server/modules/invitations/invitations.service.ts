import type { EntityManager } from '@mikro-orm/core';
import type { AcceptInvitationInput } from '#shared/schemas/auth.ts';
import type { CreatedInvitation, CreateInvitationInput, Invitation } from '#shared/schemas/admin.ts';
import { UNNAMED_MEMBER } from '#shared/constants.ts';
import { normalizeEmail } from '#shared/text.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newSecret } from '#server/lib/ids.ts';
import { invitationMail } from '#server/mail/templates/invitation-mail.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import type { SignedIn } from '#server/modules/sessions/sessions.service.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { findUserByEmail } from '#server/modules/users/users.service.ts';
import { OrgInvitationEntity } from '#server/modules/orgs/org-invitation.entity.ts';
import { InvitationEntity, type InvitationRecord } from './invitation.entity.ts';
import { INVITATION_TTL_SECONDS, claimPending, invalidInvitation, pendingAt, statusOf } from './invitation-state.ts';
import { createInvitedAccount } from './invited-account.ts';

/** Expired and revoked invitations stay listed this long, then housekeeping removes them. */
export const KEEP_ENDED_INVITATIONS_MS = 30 * 24 * 60 * 60 * 1000;

const toInvitation = (invitation: InvitationRecord, now: Date): Invitation => ({
  id: invitation.id,
  email: invitation.email,
  role: invitation.role,
  status: statusOf(invitation, now),
  createdAt: invitation.createdAt.toISOString(),
  expiresAt: invitation.expiresAt.toISOString(),
});

export async function createInvitation(
  em: EntityManager,
  deps: Deps,
  admin: User,
  input: CreateInvitationInput,
): Promise<CreatedInvitation> {
  if (await findUserByEmail(em, input.email)) {
    throw new AppError('INVALID_INPUT', 'This address already has an account.', {
      fieldErrors: { email: ['This address already has an account.'] },
    });
  }
  const now = deps.now();
  // A new invitation replaces any still pending for the address: only the latest link works.
  await em.nativeUpdate(
    InvitationEntity,
    { emailNormalized: normalizeEmail(input.email), ...pendingAt(now) },
    { revokedAt: now },
  );
  const secret = newSecret();
  const invitation = em.create(InvitationEntity, {
    email: input.email,
    emailNormalized: normalizeEmail(input.email),
    role: input.role,
    tokenHash: sha256Hex(secret),
    invitedBy: admin.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + INVITATION_TTL_SECONDS * 1000),
  });
  await em.flush();
  const inviter = await em.findOne(ProfileEntity, { user: admin.id });
  await deps.mailer.send({
    to: input.email,
    ...invitationMail(`${deps.config.publicUrl}/invite?token=${secret}`, inviter?.name || UNNAMED_MEMBER, input.role),
  });
  return { id: invitation.id, expiresAt: invitation.expiresAt.toISOString() };
}

export async function listInvitations(em: EntityManager, deps: Deps): Promise<Invitation[]> {
  const invitations = await em.find(InvitationEntity, {}, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: 500 });
  const now = deps.now();
  return invitations.map((invitation) => toInvitation(invitation, now));
}

export async function revokeInvitation(em: EntityManager, deps: Deps, id: string): Promise<void> {
  const invitation = await em.findOne(InvitationEntity, { id });
  if (!invitation) throw new AppError('NOT_FOUND', 'There is no such invitation.');
  if (invitation.acceptedAt) throw new AppError('INVALID_INPUT', 'This invitation was already accepted.');
  invitation.revokedAt ??= deps.now();
  await em.flush();
}

/** Creates the account with the invited system role (API.md §10). */
export async function acceptInvitation(
  em: EntityManager,
  deps: Deps,
  invitation: InvitationRecord,
  input: AcceptInvitationInput,
  client: Client,
): Promise<SignedIn> {
  if (statusOf(invitation, deps.now()) !== 'pending') throw invalidInvitation();
  return createInvitedAccount(em, deps, invitation.email, input, client, async (tx, user, now) => {
    await claimPending(tx, InvitationEntity, invitation.id, now);
    user.role = invitation.role;
  });
}

/** Housekeeping: invitations of either kind that ended (expired or revoked) over 30 days ago are removed. */
export async function pruneEndedInvitations(em: EntityManager, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - KEEP_ENDED_INVITATIONS_MS);
  const ended = { acceptedAt: null, $or: [{ expiresAt: { $lte: cutoff } }, { revokedAt: { $lte: cutoff } }] };
  await em.nativeDelete(InvitationEntity, ended);
  await em.nativeDelete(OrgInvitationEntity, ended);
}
