import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { ORGS_PER_MEMBER_MAX } from '#shared/constants.ts';
import type { MyOrg, Org, OrgCreateInput, OrgUpdateInput } from '#shared/schemas/orgs.ts';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { newId } from '#server/lib/ids.ts';
import { requireCurrentPassword } from '#server/modules/passwords/passwords.service.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { MembershipEntity } from './membership.entity.ts';
import { toOrg } from './org-access.ts';
import { recordOrgEvent } from './org-log.ts';
import { OrganizationEntity, type Organization } from './organization.entity.ts';

const slugTaken = () =>
  new AppError('SLUG_TAKEN', 'This address is taken: choose another.', {
    fieldErrors: { slug: ['This address is taken: choose another.'] },
  });

export async function createOrg(em: EntityManager, deps: Deps, user: User, input: OrgCreateInput): Promise<Org> {
  if ((await em.count(MembershipEntity, { user: user.id })) >= ORGS_PER_MEMBER_MAX) {
    throw new AppError('INVALID_INPUT', `You can be in at most ${ORGS_PER_MEMBER_MAX} organizations.`);
  }
  const now = deps.now();
  try {
    return await em.transactional(async (tx) => {
      const org = tx.create(OrganizationEntity, {
        id: newId(),
        name: input.name,
        slug: input.slug,
        createdAt: now,
        updatedAt: now,
      });
      tx.create(MembershipEntity, { org, user: user.id, role: 'owner', createdAt: now });
      recordOrgEvent(tx, { orgId: org.id, type: 'org.created', actorId: user.id, at: now });
      await tx.flush();
      return toOrg(org);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw slugTaken();
    throw error;
  }
}

/** The caller's organizations and role in each, by name. */
export async function listMyOrgs(em: EntityManager, userId: string): Promise<MyOrg[]> {
  const memberships = await em.find(MembershipEntity, { user: userId }, { populate: ['org'] });
  return memberships
    .map((membership) => ({ org: toOrg(membership.org as Organization), role: membership.role }))
    .sort((a, b) => a.org.name.localeCompare(b.org.name) || a.org.id.localeCompare(b.org.id));
}

export async function updateOrg(
  em: EntityManager,
  deps: Deps,
  actor: string,
  org: Organization,
  input: OrgUpdateInput,
): Promise<Org> {
  const changed =
    (input.name !== undefined && input.name !== org.name) || (input.slug !== undefined && input.slug !== org.slug);
  if (!changed) return toOrg(org);
  const now = deps.now();
  if (input.name !== undefined) org.name = input.name;
  if (input.slug !== undefined) org.slug = input.slug;
  org.updatedAt = now;
  recordOrgEvent(em, { orgId: org.id, type: 'org.updated', actorId: actor, at: now });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw slugTaken();
    throw error;
  }
  return toOrg(org);
}

/** Goes with its memberships, invitations, log and notices (the database cascades). */
export async function deleteOrg(em: EntityManager, user: User, org: Organization, password: string): Promise<void> {
  await requireCurrentPassword(user, password);
  await em.nativeDelete(OrganizationEntity, { id: org.id });
}
