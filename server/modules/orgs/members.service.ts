import { sql, type EntityManager, type FilterQuery } from '@mikro-orm/core';
import { orgCan, type OrgRole } from '#shared/roles.ts';
import type { MemberPage, MembersListInput } from '#shared/schemas/orgs.ts';
import { UNNAMED_MEMBER } from '#shared/constants.ts';
import { storeOf } from '#server/db/stores/store.ts';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { decodeCursor, encodeCursor } from '#server/lib/cursor.ts';
import { avatarUrl } from '#server/modules/profile/avatar-url.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { MembershipEntity, type Membership } from './membership.entity.ts';
import { requireRightOver, type OrgAccess } from './org-access.ts';
import { recordOrgEvent } from './org-log.ts';

const DEFAULT_PAGE = 25;

export const lastOwner = () =>
  new AppError('LAST_OWNER', 'This is the last owner of the organization: make someone else an owner first.');

/**
 * Inside a transaction, before an owner stops being one (demoted, removed, leaving, account gone):
 * LAST_OWNER when no other owner would remain. Under a lock on the organization's owners, so two
 * owners demoting each other at once leave one.
 */
export async function requireAnotherOwner(tx: EntityManager, orgId: string, userId: string): Promise<void> {
  await storeOf(tx).lock(tx, `org-owners:${orgId}`);
  const others = await tx.count(MembershipEntity, { org: orgId, role: 'owner', user: { $ne: userId } });
  if (others === 0) throw lastOwner();
}

/** Oldest members first; `query` matches the name, and the email only for callers who may see it. */
export async function listMembers(em: EntityManager, access: OrgAccess, input: MembersListInput): Promise<MemberPage> {
  const limit = input.limit ?? DEFAULT_PAGE;
  const showEmail = orgCan(access.role, 'members:manage');
  const conditions: FilterQuery<Membership>[] = [{ org: access.org.id }, { user: { deactivatedAt: null } }];
  if (input.query) {
    const pattern = `%${input.query.toLowerCase()}%`;
    // Names live on profiles: the members whose name matches, then those among them (as admin-users.service.ts).
    const lowerName = () => sql.lower((alias) => `${alias}.name`);
    const named = await em.find(
      ProfileEntity,
      { $or: [{ [lowerName()]: { $like: pattern } }, { [lowerName()]: { $like: sql`lower(${`%${input.query}%`})` } }] },
      { fields: ['user'] },
    );
    const ids = named.map((profile) => (profile.user as User).id);
    conditions.push({
      $or: [{ user: { $in: ids } }, ...(showEmail ? [{ user: { emailNormalized: { $like: pattern } } }] : [])],
    });
  }
  if (input.cursor) {
    const after = decodeCursor(input.cursor);
    const at = new Date(after.at);
    conditions.push({ $or: [{ createdAt: { $gt: at } }, { createdAt: at, id: { $gt: after.id } }] });
  }
  const memberships = await em.find(
    MembershipEntity,
    { $and: conditions },
    { populate: ['user'], orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 },
  );
  const page = memberships.slice(0, limit);
  const profiles = await em.find(ProfileEntity, { user: { $in: page.map((m) => (m.user as User).id) } });
  const profileOf = new Map(profiles.map((profile) => [(profile.user as User).id, profile]));
  const last = page[page.length - 1];
  return {
    items: page.map((membership) => {
      const user = membership.user as User;
      const profile = profileOf.get(user.id);
      return {
        userId: user.id,
        name: profile?.name || UNNAMED_MEMBER,
        avatarUrl: avatarUrl(profile?.avatarFile ?? null),
        email: showEmail ? user.email : null,
        role: membership.role,
        joinedAt: membership.createdAt.toISOString(),
      };
    }),
    nextCursor: memberships.length > limit && last ? encodeCursor({ at: last.createdAt.getTime(), id: last.id }) : null,
  };
}

async function requireMember(em: EntityManager, orgId: string, userId: string): Promise<Membership> {
  const membership = await em.findOne(MembershipEntity, { org: orgId, user: userId });
  if (!membership) throw new AppError('NOT_FOUND', 'This person is not a member of the organization.');
  return membership;
}

export async function setMemberRole(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  access: OrgAccess,
  userId: string,
  role: OrgRole,
): Promise<void> {
  await em.transactional(async (tx) => {
    const membership = await requireMember(tx, access.org.id, userId);
    if (membership.role === role) return;
    requireRightOver(access, [membership.role, role]);
    if (membership.role === 'owner') await requireAnotherOwner(tx, access.org.id, userId);
    membership.role = role;
    recordOrgEvent(tx, {
      orgId: access.org.id,
      type: 'member.role_changed',
      actorId,
      subjectId: userId,
      role,
      at: deps.now(),
    });
  });
}

/** Removes a member, or (when `userId` is the caller's own) leaves. */
export async function removeMember(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  access: OrgAccess,
  userId: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    const membership = await requireMember(tx, access.org.id, userId);
    if (userId !== actorId) requireRightOver(access, [membership.role]);
    if (membership.role === 'owner') await requireAnotherOwner(tx, access.org.id, userId);
    tx.remove(membership);
    recordOrgEvent(tx, {
      orgId: access.org.id,
      type: userId === actorId ? 'member.left' : 'member.removed',
      actorId,
      subjectId: userId,
      at: deps.now(),
    });
  });
}
