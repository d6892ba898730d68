import type { EntityManager } from '@mikro-orm/core';
import { AppError } from '#server/lib/app-error.ts';
import { requireAnotherOwner } from '#server/modules/orgs/members.service.ts';
import { MembershipEntity } from '#server/modules/orgs/membership.entity.ts';
import { OrganizationEntity } from '#server/modules/orgs/organization.entity.ts';

/**
 * Inside the transaction that erases an account (API.md §14): an organization it owns with
 * another owner keeps going; one where it is the last owner and others remain is LAST_OWNER and
 * nothing changes; one where it is the only member goes with it (memberships, invitations, log and
 * notices cascade). Each check runs under the organization's owners lock, so a demotion at the same
 * moment cannot leave an organization without an owner, nor a member join one being deleted.
 */
export async function settleOwnedOrgs(tx: EntityManager, userId: string): Promise<void> {
  const owned = await tx.find(MembershipEntity, { user: userId, role: 'owner' }, { fields: ['org'] });
  // Always the same order, so two erasures sharing organizations cannot wait on each other.
  const orgIds = owned.map((membership) => (membership.org as { id: string }).id).sort();
  for (const orgId of orgIds) {
    try {
      await requireAnotherOwner(tx, orgId, userId);
    } catch (error) {
      if (!(error instanceof AppError && error.reason === 'LAST_OWNER')) throw error;
      // The lock is held from here to the end of the transaction.
      const others = await tx.count(MembershipEntity, { org: orgId, user: { $ne: userId } });
      if (others > 0) throw await lastOwnerOf(tx, orgId);
      await tx.nativeDelete(OrganizationEntity, { id: orgId });
    }
  }
}

// Names the organization: the member may be in several and must know which one to hand over.
async function lastOwnerOf(tx: EntityManager, orgId: string): Promise<AppError> {
  const org = await tx.findOneOrFail(OrganizationEntity, { id: orgId }, { fields: ['name'] });
  return new AppError(
    'LAST_OWNER',
    `You are the last owner of ${org.name}, which has other members: make one of them an owner, or delete the organization, first.`,
  );
}
