import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { AcceptInvitationInput } from '#shared/schemas/auth.ts';
import type { CreatedInvitation, CreateInvitationInput, Invitation } from '#shared/schemas/admin.ts';
import { UNNAMED_MEMBER } from '#shared/constants.ts';
import { normalizeEmail } from '#shared/text.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newSecret } from '#server/lib/ids.ts';
import { hashPassword } from '#server/lib/passwords.ts';
import { invitationMail } from '#server/mail/templates/invitation-mail.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { requireStrongPassword } from '#server/modules/passwords/passwords.service.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { startSession, type SignedIn } from '#server/modules/sessions/sessions.service.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { createUser, findUserByEmail } from '#server/modules/users/users.service.ts';
import { InvitationEntity, type InvitationRecord } from './invitation.entity.ts';

export const INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60; // 7 days
/** Expired and revoked invitations stay listed this long, then housekeeping removes them. */
export const KEEP_ENDED_INVITATIONS_MS = 30 * 24 * 60 * 60 * 1000;

function statusOf(invitation: InvitationRecord, now: Date): Invitation['status'] {
  if (invitation.acceptedAt) return 'accepted';
  if (invitation.revokedAt) return 'revoked';
  return invitation.expiresAt <= now ? 'expired' : 'pending';
}

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
    { emailNormalized: normalizeEmail(input.email), acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } },
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

const invalidInvitation = () =>
  new AppError('INVALID_TOKEN', 'This invitation is invalid, expired, revoked or already used. Ask for a new one.');

/**
 * Creates the account with the invited role and a confirmed email (the link proved the address),
 * and signs it in. The invitation is claimed by a conditional update inside the same
 * transaction, so it works exactly once.
 */
export async function acceptInvitation(
  em: EntityManager,
  deps: Deps,
  input: AcceptInvitationInput,
  client: Client,
): Promise<SignedIn> {
  const tokenHash = sha256Hex(input.token);
  const pending = await em.findOne(InvitationEntity, { tokenHash });
  if (!pending || pending.acceptedAt || pending.revokedAt || pending.expiresAt <= deps.now()) throw invalidInvitation();
  requireStrongPassword(deps, input.password, pending.email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await em.transactional(async (tx) => {
      const now = deps.now();
      const claimed = await tx.nativeUpdate(
        InvitationEntity,
        { id: pending.id, acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } },
        { acceptedAt: now },
      );
      if (claimed !== 1) throw invalidInvitation();
      const user = createUser(tx, { email: pending.email, passwordHash, name: input.name, now });
      user.role = pending.role;
      user.emailVerifiedAt = now;
      recordSecurityEvent(tx, { user, type: 'account.created_by_invitation', client, at: now });
      return startSession(tx, deps, user, client);
    });
  } catch (error) {
    // The address got an account some other way since the invitation was sent.
    if (error instanceof UniqueConstraintViolationException) throw invalidInvitation();
    throw error;
  }
}

/** Housekeeping: invitations that ended (expired or revoked) over 30 days ago are removed. */
export async function pruneEndedInvitations(em: EntityManager, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - KEEP_ENDED_INVITATIONS_MS);
  await em.nativeDelete(InvitationEntity, {
    acceptedAt: null,
    $or: [{ expiresAt: { $lte: cutoff } }, { revokedAt: { $lte: cutoff } }],
  });
}
