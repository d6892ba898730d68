import { sql, type EntityManager, type FilterQuery } from '@mikro-orm/core';
import type { Role } from '#shared/roles.ts';
import type { AdminUser, AdminUserPage, AdminUsersListInput } from '#shared/schemas/admin.ts';
import type { AccountMembership } from '#shared/schemas/privacy.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { decodeCursor, encodeCursor } from '#server/lib/cursor.ts';
import { stepDownAdmin } from './last-admin.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { listAccountMemberships } from '#server/modules/privacy/account-memberships.ts';
import { ProfileEntity, type Profile } from '#server/modules/profile/profile.entity.ts';
import { revokeSessionsOf } from '#server/modules/sessions/sessions.service.ts';
import { UserEntity, type User } from '#server/modules/users/user.entity.ts';

const DEFAULT_PAGE = 25;

function toAdminUser(profile: Profile & { user: User }): AdminUser {
  const user = profile.user;
  return {
    id: user.id,
    email: user.email,
    name: profile.name,
    role: user.role,
    disabled: user.disabledAt != null,
    emailVerified: user.emailVerifiedAt != null,
    mfaEnabled: user.mfaEnabledAt != null,
    createdAt: user.createdAt.toISOString(),
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
  };
}

/** Newest members first; `query` matches part of the email or the name, case aside. */
export async function listUsers(em: EntityManager, input: AdminUsersListInput): Promise<AdminUserPage> {
  const limit = input?.limit ?? DEFAULT_PAGE;
  const conditions: FilterQuery<Profile>[] = [];
  const typed = input?.query;
  if (typed) {
    const query = typed.toLowerCase();
    // LIKE wildcards in the query only widen an admin's search; they reveal nothing more.
    const pattern = `%${query}%`;
    // Names: lower(name) LIKE, which means the same on every database ($ilike exists only on
    // PostgreSQL and is a syntax error on SQLite). SQLite's lower() folds ASCII letters only, so the
    // query is also lowered by the database itself: a name typed as shown is always found.
    const lowerName = () => sql.lower((alias) => `${alias}.name`);
    conditions.push({
      $or: [
        { user: { emailNormalized: { $like: pattern } } },
        { [lowerName()]: { $like: pattern } },
        { [lowerName()]: { $like: sql`lower(${`%${typed}%`})` } },
      ],
    });
  }
  if (input?.cursor) {
    const after = decodeCursor(input.cursor);
    const at = new Date(after.at);
    conditions.push({
      $or: [{ user: { createdAt: { $lt: at } } }, { user: { createdAt: at, id: { $lt: after.id } } }],
    });
  }
  const profiles = await em.find(ProfileEntity, conditions.length ? { $and: conditions } : {}, {
    populate: ['user'],
    orderBy: { user: { createdAt: 'desc', id: 'desc' } },
    limit: limit + 1,
  });
  const items = profiles.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((profile) => toAdminUser(profile as Profile & { user: User })),
    nextCursor:
      profiles.length > limit && last ? encodeCursor({ at: last.user.createdAt.getTime(), id: last.user.id }) : null,
  };
}

async function requireUser(em: EntityManager, userId: string): Promise<User> {
  const user = await em.findOne(UserEntity, { id: userId });
  if (!user) throw new AppError('NOT_FOUND', 'There is no such user.');
  return user;
}

/** The organizations a user is in and their role in each; NOT_FOUND for an unknown user, not an empty list. */
export async function listUserOrgs(em: EntityManager, userId: string): Promise<AccountMembership[]> {
  const user = await requireUser(em, userId);
  return listAccountMemberships(em, user.id);
}

export async function setRole(
  em: EntityManager,
  deps: Deps,
  admin: User,
  userId: string,
  role: Role,
  client: Client,
): Promise<void> {
  const user = await requireUser(em, userId);
  if (user.role === role) return;
  const now = deps.now();
  if (user.role === 'admin' && !user.disabledAt) await stepDownAdmin(em, user, { column: 'role', value: role }, now);
  else await em.nativeUpdate(UserEntity, { id: user.id }, { role, updatedAt: now });
  // Sessions stay; tokens carrying the old role are refused from the next request on (session-auth.ts).
  recordSecurityEvent(em, { user, type: 'role.changed', client, at: now, actor: admin });
  await em.flush();
}

export async function setDisabled(
  em: EntityManager,
  deps: Deps,
  admin: User,
  userId: string,
  disabled: boolean,
  client: Client,
): Promise<void> {
  const user = await requireUser(em, userId);
  if ((user.disabledAt != null) === disabled) return;
  const now = deps.now();
  if (disabled) {
    if (user.role === 'admin') await stepDownAdmin(em, user, { column: 'disabled_at', value: now }, now);
    else await em.nativeUpdate(UserEntity, { id: user.id }, { disabledAt: now, updatedAt: now });
    await revokeSessionsOf(em, user.id, now);
  } else {
    await em.nativeUpdate(UserEntity, { id: user.id }, { disabledAt: null, updatedAt: now });
  }
  recordSecurityEvent(em, {
    user,
    type: disabled ? 'account.disabled' : 'account.enabled',
    client,
    at: now,
    actor: admin,
  });
  await em.flush();
}

export async function revokeUserSessions(
  em: EntityManager,
  deps: Deps,
  admin: User,
  userId: string,
  client: Client,
): Promise<void> {
  const user = await requireUser(em, userId);
  const now = deps.now();
  await revokeSessionsOf(em, user.id, now);
  recordSecurityEvent(em, { user, type: 'sessions.revoked_by_admin', client, at: now, actor: admin });
  await em.flush();
}
