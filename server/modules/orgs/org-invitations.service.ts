import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { ORGS_PER_MEMBER_MAX, UNNAMED_MEMBER } from '#shared/constants.ts';
import type { OrgRole } from '#shared/roles.ts';
import type { AcceptInvitationInput } from '#shared/schemas/auth.ts';
import { EmailSchema } from '#shared/schemas/common.ts';
import type {
  CreatedOrgInvitation,
  Org,
  OrgInvitation,
  OrgInvitationBatchResult,
  OrgInvitationCreateInput,
  OrgInvitationOutcome,
} from '#shared/schemas/orgs.ts';
import { normalizeEmail } from '#shared/text.ts';
import { storeOf } from '#server/db/stores/store.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newId, newSecret } from '#server/lib/ids.ts';
import type { MailMessage } from '#server/mail/mail-message.ts';
import { orgInvitationMail } from '#server/mail/templates/org-invitation-mail.ts';
import {
  INVITATION_TTL_SECONDS,
  claimPending,
  invalidInvitation,
  pendingAt,
  statusOf,
} from '#server/modules/invitations/invitation-state.ts';
import { createInvitedAccount } from '#server/modules/invitations/invited-account.ts';
import { displayNames } from '#server/modules/profile/display-names.ts';
import { consumeRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import type { SignedIn } from '#server/modules/sessions/sessions.service.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { MembershipEntity } from './membership.entity.ts';
import { requireRightOver, toOrg, type OrgAccess } from './org-access.ts';
import { OrgInvitationEntity, type OrgInvitationRecord } from './org-invitation.entity.ts';
import { recordOrgEvent } from './org-log.ts';
import type { Organization } from './organization.entity.ts';

const LISTED_MAX = 500;

type Invite = { emails: string[]; role: OrgRole; replacePending: boolean };
type Batch = { results: OrgInvitationOutcome[]; retryAfterSeconds: number | null; mails: MailMessage[] };

const outcome = (email: string, result: OrgInvitationOutcome['outcome']): OrgInvitationOutcome => ({
  email,
  outcome: result,
  id: null,
  expiresAt: null,
});

/**
 * Invites each address in one transaction, under a lock on the organization's invitations so two
 * calls at once cannot both take the last of the daily allowance or invite one address twice.
 * Each address is answered on its own; mails go after the commit.
 */
async function invite(
  em: EntityManager,
  deps: Deps,
  inviterId: string,
  access: OrgAccess,
  request: Invite,
): Promise<Batch> {
  requireRightOver(access, [request.role], 'Only an owner can invite owners.');
  const org = access.org;
  const inviterName = (await displayNames(em, [inviterId])).get(inviterId) ?? UNNAMED_MEMBER;
  // Each entry as given, with its normalized form when it is an address.
  const addresses = request.emails.map((raw) => {
    const parsed = EmailSchema.safeParse(raw);
    return parsed.success
      ? { email: parsed.data, normalized: normalizeEmail(parsed.data) }
      : { email: raw.trim(), normalized: null };
  });
  const normalized = addresses.flatMap((address) => (address.normalized === null ? [] : [address.normalized]));
  return em.transactional(async (tx) => {
    await storeOf(tx).lock(tx, `org-invitations:${org.id}`);
    const now = deps.now();
    const members = await tx.find(
      MembershipEntity,
      { org: org.id, user: { emailNormalized: { $in: normalized } } },
      { populate: ['user'] },
    );
    const memberAddresses = new Set(members.map((membership) => (membership.user as User).emailNormalized));
    if (request.replacePending) {
      await tx.nativeUpdate(
        OrgInvitationEntity,
        { org: org.id, emailNormalized: { $in: normalized }, ...pendingAt(now) },
        { revokedAt: now },
      );
    }
    const pending = await tx.find(
      OrgInvitationEntity,
      { org: org.id, emailNormalized: { $in: normalized }, ...pendingAt(now) },
      { fields: ['emailNormalized'] },
    );
    const taken = new Set(pending.map((invitation) => invitation.emailNormalized));
    const batch: Batch = { results: [], retryAfterSeconds: null, mails: [] };
    for (const address of addresses) {
      if (address.normalized === null) batch.results.push(outcome(address.email, 'invalid'));
      else if (memberAddresses.has(address.normalized)) batch.results.push(outcome(address.email, 'already_member'));
      else if (taken.has(address.normalized)) batch.results.push(outcome(address.email, 'already_invited'));
      else if (batch.retryAfterSeconds !== null) batch.results.push(outcome(address.email, 'over_limit'));
      else {
        const verdict = await consumeRateLimit(tx, RATE_LIMITS.orgInvitationsPerOrg, org.id, now);
        if (!verdict.allowed) {
          batch.retryAfterSeconds = verdict.retryAfterSeconds;
          batch.results.push(outcome(address.email, 'over_limit'));
          continue;
        }
        taken.add(address.normalized);
        const secret = newSecret();
        const invitation = tx.create(OrgInvitationEntity, {
          id: newId(),
          org: org.id,
          email: address.email,
          emailNormalized: address.normalized,
          role: request.role,
          tokenHash: sha256Hex(secret),
          invitedBy: inviterId,
          createdAt: now,
          expiresAt: new Date(now.getTime() + INVITATION_TTL_SECONDS * 1000),
        });
        recordOrgEvent(tx, {
          orgId: org.id,
          type: 'member.invited',
          actorId: inviterId,
          subjectEmail: address.email,
          role: request.role,
          at: now,
        });
        batch.results.push({
          email: address.email,
          outcome: 'invited',
          id: invitation.id,
          expiresAt: invitation.expiresAt.toISOString(),
        });
        const link = `${deps.config.publicUrl}/invite?token=${secret}`;
        batch.mails.push({ to: address.email, ...orgInvitationMail(link, inviterName, org.name, request.role) });
      }
    }
    await tx.flush();
    return batch;
  });
}

/** One address (a pending invitation for it is replaced: only the latest link works), or a list. */
export async function createOrgInvitations(
  em: EntityManager,
  deps: Deps,
  inviterId: string,
  access: OrgAccess,
  input: OrgInvitationCreateInput,
): Promise<CreatedOrgInvitation | OrgInvitationBatchResult> {
  if ('email' in input) {
    const batch = await invite(em, deps, inviterId, access, {
      emails: [input.email],
      role: input.role,
      replacePending: true,
    });
    const [result] = batch.results;
    if (result?.outcome === 'already_member') {
      throw new AppError('INVALID_INPUT', 'This person is already a member.', {
        fieldErrors: { email: ['This person is already a member.'] },
      });
    }
    if (result?.outcome === 'over_limit') {
      throw new AppError('RATE_LIMITED', 'This organization sent its invitations for today. Try again later.', {
        retryAfterSeconds: batch.retryAfterSeconds ?? 1,
      });
    }
    await Promise.all(batch.mails.map((mail) => deps.mailer.send(mail)));
    return { id: result!.id!, expiresAt: result!.expiresAt! };
  }
  const batch = await invite(em, deps, inviterId, access, {
    emails: input.emails,
    role: input.role,
    replacePending: false,
  });
  // A team of a hundred should not wait for a hundred deliveries.
  for (const mail of batch.mails) deps.mailer.sendInBackground(mail);
  return { results: batch.results, retryAfterSeconds: batch.retryAfterSeconds };
}

/** Newest first, pending and ended alike (ended ones are pruned by housekeeping). */
export async function listOrgInvitations(em: EntityManager, deps: Deps, access: OrgAccess): Promise<OrgInvitation[]> {
  const invitations = await em.find(
    OrgInvitationEntity,
    { org: access.org.id },
    { orderBy: { createdAt: 'desc', id: 'asc' }, limit: LISTED_MAX },
  );
  const names = await displayNames(
    em,
    invitations.map((invitation) => invitation.invitedBy),
  );
  const now = deps.now();
  return invitations.map((invitation) => {
    const inviterName = names.get(invitation.invitedBy);
    return {
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      status: statusOf(invitation, now),
      invitedBy: inviterName === undefined ? null : { userId: invitation.invitedBy, name: inviterName },
      createdAt: invitation.createdAt.toISOString(),
      expiresAt: invitation.expiresAt.toISOString(),
    };
  });
}

export async function revokeOrgInvitation(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  access: OrgAccess,
  id: string,
): Promise<void> {
  // Looked up within the caller's organization: an id of another one is not found, like a made-up one.
  const invitation = await em.findOne(OrgInvitationEntity, { id, org: access.org.id });
  if (!invitation) throw new AppError('NOT_FOUND', 'There is no such invitation.');
  requireRightOver(access, [invitation.role], 'Only an owner can invite owners.');
  if (invitation.acceptedAt) throw new AppError('INVALID_INPUT', 'This invitation was already accepted.');
  if (invitation.revokedAt) return;
  const now = deps.now();
  invitation.revokedAt = now;
  recordOrgEvent(em, {
    orgId: access.org.id,
    type: 'member.invitation_revoked',
    actorId,
    subjectEmail: invitation.email,
    role: invitation.role,
    at: now,
  });
  await em.flush();
}

/** The invitation behind a link, whatever its state; null for a link that is not one. */
export function findOrgInvitation(em: EntityManager, token: string): Promise<OrgInvitationRecord | null> {
  return em.findOne(OrgInvitationEntity, { tokenHash: sha256Hex(token) }, { populate: ['org'] });
}

/** Claims the invitation and adds the membership (none when already a member), in the caller's transaction. */
async function join(tx: EntityManager, invitation: OrgInvitationRecord, user: User, now: Date): Promise<void> {
  await claimPending(tx, OrgInvitationEntity, invitation.id, now);
  const org = invitation.org as Organization;
  if (await tx.count(MembershipEntity, { org: org.id, user: user.id })) return;
  if ((await tx.count(MembershipEntity, { user: user.id })) >= ORGS_PER_MEMBER_MAX) {
    throw new AppError('INVALID_INPUT', `You can be in at most ${ORGS_PER_MEMBER_MAX} organizations.`);
  }
  tx.create(MembershipEntity, { org, user, role: invitation.role, createdAt: now });
  recordOrgEvent(tx, {
    orgId: org.id,
    type: 'member.joined',
    actorId: user.id,
    subjectId: user.id,
    role: invitation.role,
    at: now,
  });
}

/** A signed-in person joins with the link; it must have been sent to their confirmed address. */
export async function acceptOrgInvitation(em: EntityManager, deps: Deps, user: User, token: string): Promise<Org> {
  const invitation = await findOrgInvitation(em, token);
  if (
    !invitation ||
    statusOf(invitation, deps.now()) !== 'pending' ||
    !user.emailVerifiedAt ||
    user.emailNormalized !== invitation.emailNormalized
  ) {
    throw invalidInvitation();
  }
  try {
    await em.transactional((tx) => join(tx, invitation, user, deps.now()));
  } catch (error) {
    // Joined at the same moment through another invitation of the same organization.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
  return toOrg(invitation.org as Organization);
}

/** Someone without an account accepts: the account is made with the membership (auth.acceptInvitation). */
export async function joinAsNewAccount(
  em: EntityManager,
  deps: Deps,
  invitation: OrgInvitationRecord,
  input: AcceptInvitationInput,
  client: Client,
): Promise<SignedIn> {
  if (statusOf(invitation, deps.now()) !== 'pending') throw invalidInvitation();
  return createInvitedAccount(em, deps, invitation.email, input, client, (tx, user, now) =>
    join(tx, invitation, user, now),
  );
}
