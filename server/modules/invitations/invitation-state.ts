import type { EntityData, EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';
import type { Invitation } from '#shared/schemas/admin.ts';
import { AppError } from '#server/lib/app-error.ts';

// What system invitations (admin console) and organization invitations (API.md §14) share.

export const INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60; // 7 days

type InvitationDates = { acceptedAt?: Date | null; revokedAt?: Date | null; expiresAt: Date };

export function statusOf(invitation: InvitationDates, now: Date): Invitation['status'] {
  if (invitation.acceptedAt) return 'accepted';
  if (invitation.revokedAt) return 'revoked';
  return invitation.expiresAt <= now ? 'expired' : 'pending';
}

/** The filter for invitations that can still be accepted. */
export const pendingAt = (now: Date) => ({ acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } });

export const invalidInvitation = () =>
  new AppError('INVALID_TOKEN', 'This invitation is invalid, expired, revoked or already used. Ask for a new one.');

/**
 * Takes the invitation if it is still pending: a conditional update, so of two concurrent accepts
 * (two tabs, two instances) exactly one succeeds and a link works once.
 */
export async function claimPending<T extends object>(
  tx: EntityManager,
  entity: EntityName<T>,
  id: string,
  now: Date,
): Promise<void> {
  const filter = { id, ...pendingAt(now) } as FilterQuery<T>;
  const claimed = await tx.nativeUpdate(entity, filter, { acceptedAt: now } as unknown as EntityData<T>);
  if (claimed !== 1) throw invalidInvitation();
}
