import type { EntityManager } from '@mikro-orm/core';
import { orgCan, type OrgRole } from '#shared/roles.ts';
import type { Org } from '#shared/schemas/orgs.ts';
import { AppError } from '#server/lib/app-error.ts';
import { MembershipEntity } from './membership.entity.ts';
import type { Organization } from './organization.entity.ts';

export const toOrg = (org: Organization): Org => ({
  id: org.id,
  name: org.name,
  slug: org.slug,
  createdAt: org.createdAt.toISOString(),
});

/** The same answer for an organization that does not exist and one the caller is not in (API.md §14). */
export const orgNotFound = () => new AppError('NOT_FOUND', 'There is no such organization.');

export type OrgAccess = { org: Organization; role: OrgRole };

/** The caller's membership, read from the database on every call: a removal acts on the next request. */
export async function findMembership(em: EntityManager, orgId: string, userId: string): Promise<OrgAccess | null> {
  const membership = await em.findOne(MembershipEntity, { org: orgId, user: userId }, { populate: ['org'] });
  return membership ? { org: membership.org as Organization, role: membership.role } : null;
}

/** Making, unmaking or inviting an owner takes `owners:manage` on top of the procedure's permission. */
export function requireRightOver(
  access: OrgAccess,
  roles: OrgRole[],
  message = 'Only an owner can make or unmake owners.',
): void {
  if (roles.includes('owner') && !orgCan(access.role, 'owners:manage')) throw new AppError('FORBIDDEN', message);
}
