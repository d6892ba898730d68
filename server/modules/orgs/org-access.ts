import type { EntityManager } from '@mikro-orm/core';
import { orgCan, type OrgRole } from '#shared/roles.ts';
import type { Org } from '#shared/schemas/orgs.ts';
import { batchedRead } from '#server/db/batched-read.ts';
import { AppError } from '#server/lib/app-error.ts';
import { OrganizationEntity, type Organization } from './organization.entity.ts';

export const toOrg = (org: Organization): Org => ({
  id: org.id,
  name: org.name,
  slug: org.slug,
  createdAt: org.createdAt.toISOString(),
});

/** The same answer for an organization that does not exist and one the caller is not in (API.md §14). */
export const orgNotFound = () => new AppError('NOT_FOUND', 'There is no such organization.');

export type OrgAccess = { org: Organization; role: OrgRole };

type MembershipRow = {
  id: string;
  name: string;
  slug: string;
  created_at: unknown;
  updated_at: unknown;
  user_id: string;
  role: OrgRole;
};

// Every organization call reads this: the checks of a turn of the event loop share one statement,
// each of its terms by the (org, user) unique index.
const readMembership = batchedRead<MembershipRow>(
  (size) => `select o.id, o.name, o.slug, o.created_at, o.updated_at, m.user_id, m.role
  from memberships m join organizations o on o.id = m.org_id
  where ${Array.from({ length: size }, () => '(m.org_id = ? and m.user_id = ?)').join(' or ')}`,
  (row) => `${row.id} ${row.user_id}`,
);

/** The caller's membership, read from the database on every call: a removal acts on the next request. */
export async function findMembership(em: EntityManager, orgId: string, userId: string): Promise<OrgAccess | null> {
  const row = await readMembership(em, `${orgId} ${userId}`, [orgId, userId]);
  if (!row) return null;
  const { role, user_id: _member, ...org } = row;
  // A managed entity, as a find would give: the settings and deletion change it in this unit of work.
  return { org: em.map(OrganizationEntity, org), role };
}

/** Making, unmaking or inviting an owner takes `owners:manage` on top of the procedure's permission. */
export function requireRightOver(
  access: OrgAccess,
  roles: OrgRole[],
  message = 'Only an owner can make or unmake owners.',
): void {
  if (roles.includes('owner') && !orgCan(access.role, 'owners:manage')) throw new AppError('FORBIDDEN', message);
}
