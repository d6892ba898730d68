import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { DeleteAccountInput } from '#shared/schemas/privacy.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { SecurityEventEntity } from '#server/modules/audit/security-event.entity.ts';
import { FlyerEntity } from '#server/modules/flyers/flyer.entity.ts';
import { IdentityEntity } from '#server/modules/identities/identity.entity.ts';
import { PasskeyEntity } from '#server/modules/passkeys/passkey.entity.ts';
import { toPasskey } from '#server/modules/passkeys/passkeys.service.ts';
import { toFlyer } from '#server/modules/flyers/flyers.service.ts';
import { checkSecondFactor, invalidMfaCode } from '#server/modules/mfa/mfa.service.ts';
import { requireCurrentPassword } from '#server/modules/passwords/passwords.service.ts';
import { getPreferences } from '#server/modules/preferences/preferences.service.ts';
import { releaseAvatar } from '#server/modules/profile/avatar-store.ts';
import { avatarUrl } from '#server/modules/profile/avatar-url.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import type { Auth } from '#server/modules/sessions/session-auth.ts';
import { SessionEntity } from '#server/modules/sessions/session.entity.ts';
import { revokeSessionsOf } from '#server/modules/sessions/sessions.service.ts';
import { isActiveAdmin, stepDownAdmin } from '#server/modules/admin/last-admin.ts';
import { OneTimeTokenEntity } from '#server/modules/tokens/one-time-token.entity.ts';
import { UserEntity, type User } from '#server/modules/users/user.entity.ts';
import { listAccountMemberships } from './account-memberships.ts';
import { settleOwnedOrgs } from './owned-orgs.ts';
import { getPrivacySettings } from './privacy.service.ts';

/** Deactivated accounts are erased after this, by the server's housekeeping. */
export const DEACTIVATION_GRACE_DAYS = 30;

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

/** Every record held about the caller, as plain JSON: no password hash, token, TOTP secret or recovery code. */
export async function exportAccountData(em: EntityManager, user: User) {
  const [profile, privacy, preferences, sessions, events, flyers, emailChanges, identities, passkeys, memberships] =
    await Promise.all([
      em.findOneOrFail(ProfileEntity, { user: user.id }),
      getPrivacySettings(em, user),
      getPreferences(em, user),
      em.find(SessionEntity, { user: user.id }, { orderBy: { createdAt: 'desc' } }),
      em.find(SecurityEventEntity, { user: user.id }, { orderBy: { at: 'desc' } }),
      em.find(FlyerEntity, { user: user.id }, { orderBy: { createdAt: 'desc' } }),
      em.find(OneTimeTokenEntity, {
        user: user.id,
        purpose: 'change_email',
        usedAt: null,
        expiresAt: { $gt: new Date() },
      }),
      em.find(IdentityEntity, { user: user.id }, { orderBy: { createdAt: 'asc' } }),
      em.find(PasskeyEntity, { user: user.id }, { orderBy: { createdAt: 'asc' } }),
      listAccountMemberships(em, user.id),
    ]);
  return {
    exportedAt: new Date().toISOString(),
    user: {
      id: user.id,
      email: user.email,
      emailVerifiedAt: iso(user.emailVerifiedAt),
      role: user.role,
      mfaEnabledAt: iso(user.mfaEnabledAt),
      createdAt: iso(user.createdAt),
      lastSignInAt: iso(user.lastSignInAt),
      deactivatedAt: iso(user.deactivatedAt),
    },
    profile: { name: profile.name, avatarUrl: avatarUrl(profile.avatarFile), updatedAt: iso(profile.updatedAt) },
    privacy,
    preferences,
    sessions: sessions.map((session) => ({
      id: session.id,
      createdAt: iso(session.createdAt),
      lastUsedAt: iso(session.lastUsedAt),
      expiresAt: iso(session.expiresAt),
      revokedAt: iso(session.revokedAt),
      ip: session.ip,
      userAgent: session.userAgent,
    })),
    securityEvents: events.map((event) => ({
      id: event.id,
      type: event.type,
      at: iso(event.at),
      ip: event.ip ?? null,
      userAgent: event.userAgent ?? null,
      provider: event.provider ?? null,
    })),
    // The provider accounts that sign in to this one; no provider token is ever kept (API.md §12).
    identities: identities.map((identity) => ({
      provider: identity.provider,
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email ?? null,
      createdAt: iso(identity.createdAt),
      lastUsedAt: iso(identity.lastUsedAt),
    })),
    // No key material: the credential's public key and id stay out (API.md §13).
    passkeys: passkeys.map((passkey) => ({
      ...toPasskey(passkey),
      deviceType: passkey.deviceType,
      transports: passkey.transports?.split(',') ?? [],
    })),
    flyers: flyers.map(toFlyer),
    memberships,
    pendingEmailChanges: emailChanges.map((change) => ({
      newEmail: change.email,
      requestedAt: iso(change.createdAt),
      expiresAt: iso(change.expiresAt),
    })),
  };
}

/** Hidden from everyone and signed out everywhere; signing in again within 30 days restores it. */
export async function deactivateAccount(
  em: EntityManager,
  deps: Deps,
  auth: Auth,
  password: string,
  client: Client,
): Promise<void> {
  const user = await auth.loadUser();
  await requireCurrentPassword(user, password);
  const now = deps.now();
  if (isActiveAdmin(user)) await stepDownAdmin(em, user, { column: 'deactivated_at', value: now }, now);
  user.deactivatedAt = now;
  await revokeSessionsOf(em, auth.userId, now);
  recordSecurityEvent(em, { user, type: 'account.deactivated', client, at: now });
  await em.flush();
}

export async function deleteAccount(
  em: EntityManager,
  deps: Deps,
  auth: Auth,
  input: DeleteAccountInput,
  client: Client,
): Promise<void> {
  const user = await auth.loadUser();
  await requireCurrentPassword(user, input.password);
  if (user.mfaEnabledAt) {
    if (!input.code || !(await checkSecondFactor(em, deps, user, input.code, client))) throw invalidMfaCode();
  }
  await eraseAccount(em, deps, user.id, { unlessLastAdmin: isActiveAdmin(user) });
}

/**
 * Erases the account: the user row goes and the database cascades to profile, settings,
 * sessions, tokens, flyers, codes, history and memberships. Security events stay, stripped of the
 * IP and device and no longer linked to anyone. The picture goes unless another profile uses it.
 * An organization it alone is in goes too; LAST_OWNER, and nothing erased, while it is the last
 * owner of one with other members.
 */
export async function eraseAccount(
  em: EntityManager,
  deps: Deps,
  userId: string,
  options: { unlessLastAdmin?: boolean } = {},
): Promise<void> {
  const profile = await em.findOne(ProfileEntity, { user: userId });
  const avatarFile = profile?.avatarFile;
  await em.transactional(async (tx) => {
    // An active admin steps down first, in the same transaction: refused when nobody would remain.
    if (options.unlessLastAdmin) await stepDownAdmin(tx, { id: userId }, { column: 'role', value: 'user' }, deps.now());
    await settleOwnedOrgs(tx, userId);
    await tx.nativeUpdate(SecurityEventEntity, { user: userId }, { ip: null, userAgent: null });
    const deleted = await tx.nativeDelete(UserEntity, { id: userId });
    if (deleted === 0) throw new AppError('NOT_FOUND', 'This account no longer exists.');
    tx.create(SecurityEventEntity, { user: null, type: 'account.deleted', at: deps.now(), ip: null, userAgent: null });
  });
  em.clear();
  if (avatarFile) await releaseAvatar(em, avatarFile);
}

const ERASED_PER_PASS = 100;

/**
 * Housekeeping: accounts deactivated more than 30 days ago are erased, without anyone running a job.
 * At most 100 per pass; accounts that cannot go yet are stepped over, so they never hold up the rest.
 */
export async function eraseExpiredDeactivatedAccounts(em: EntityManager, deps: Deps): Promise<number> {
  const cutoff = new Date(deps.now().getTime() - DEACTIVATION_GRACE_DAYS * 24 * 60 * 60 * 1000);
  let erased = 0;
  let after: { deactivatedAt: Date; id: string } | null = null;
  while (erased < ERASED_PER_PASS) {
    const due: FilterQuery<User> = { deactivatedAt: { $lte: cutoff } };
    const expired: Pick<User, 'id' | 'deactivatedAt'>[] = await em.find(
      UserEntity,
      after
        ? {
            $and: [
              due,
              {
                $or: [
                  { deactivatedAt: { $gt: after.deactivatedAt } },
                  { deactivatedAt: after.deactivatedAt, id: { $gt: after.id } },
                ],
              },
            ],
          }
        : due,
      {
        fields: ['id', 'deactivatedAt'],
        orderBy: { deactivatedAt: 'asc', id: 'asc' },
        limit: ERASED_PER_PASS - erased,
      },
    );
    const last = expired[expired.length - 1];
    if (!last?.deactivatedAt) break;
    for (const user of expired) {
      if (await eraseExpired(em.fork(), deps, user.id)) erased++;
    }
    after = { deactivatedAt: last.deactivatedAt, id: last.id };
  }
  return erased;
}

/** One expired account: true when erased; a refusal or failure is logged and left to the next pass. */
async function eraseExpired(em: EntityManager, deps: Deps, userId: string): Promise<boolean> {
  try {
    await eraseAccount(em, deps, userId);
    return true;
  } catch (error) {
    // Gone already (its owner or another instance got there first): nothing left to do.
    if (error instanceof AppError && error.reason === 'NOT_FOUND') return false;
    // Kept until its organizations have another owner or no other member; the reason, not the message
    // (which names an organization), goes to the log.
    if (error instanceof AppError && error.reason === 'LAST_OWNER') {
      deps.log.warn(
        { userId, reason: error.reason },
        'a deactivated account is the last owner of an organization with other members; it is kept until that changes',
      );
      return false;
    }
    // One account that cannot be erased now must not keep the others waiting: the next pass tries again.
    deps.log.warn({ err: error, userId }, 'a deactivated account could not be erased; the next pass tries again');
    return false;
  }
}
