import type { EntityManager } from '@mikro-orm/core';
import type { AccountMembership } from '#shared/schemas/privacy.ts';
import { MembershipEntity } from '#server/modules/orgs/membership.entity.ts';
import type { Organization } from '#server/modules/orgs/organization.entity.ts';

/** The organizations an account is in, oldest membership first: for its data export and the admin console. */
export async function listAccountMemberships(em: EntityManager, userId: string): Promise<AccountMembership[]> {
  const memberships = await em.find(
    MembershipEntity,
    { user: userId },
    { populate: ['org'], orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  return memberships.map((membership) => {
    const org = membership.org as Organization;
    return {
      org: { id: org.id, name: org.name, slug: org.slug },
      role: membership.role,
      joinedAt: membership.createdAt.toISOString(),
    };
  });
}
