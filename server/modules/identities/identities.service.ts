import type { EntityManager } from '@mikro-orm/core';
import type { Identity as IdentityView, PendingLink as PendingLinkView } from '#shared/schemas/identities.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newSecret } from '#server/lib/ids.ts';
import { appLink } from '#server/lib/links.ts';
import { identityLinkedMail } from '#server/mail/templates/security-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { requireAnotherSignInMethod } from '#server/modules/users/sign-in-methods.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { SsoConnectionEntity } from '#server/modules/sso/sso-connection.entity.ts';
import { providerNameOf } from './provider-config.ts';
import { IdentityEntity, type Identity } from './identity.entity.ts';
import { PendingLinkEntity } from './pending-link.entity.ts';
import type { ProviderProfile } from './provider-clients.ts';

const PENDING_LINK_TTL_SECONDS = 10 * 60; // 10 minutes (API.md §12)

export function findIdentity(em: EntityManager, profile: Pick<ProviderProfile, 'issuer' | 'subject'>) {
  return em.findOne(IdentityEntity, { issuer: profile.issuer, subject: profile.subject }, { populate: ['user'] });
}

/**
 * Links the provider's identity to the member, records it and mails them (API.md §12). Flushed by
 * the caller, with whatever else the sign-in writes.
 */
export function addIdentity(
  em: EntityManager,
  deps: Deps,
  input: { user: User; provider: { id: string; name: string }; profile: ProviderProfile; client: Client },
): Identity {
  const now = deps.now();
  const identity = em.create(IdentityEntity, {
    user: input.user,
    provider: input.provider.id,
    issuer: input.profile.issuer,
    subject: input.profile.subject,
    email: input.profile.email,
    createdAt: now,
    lastUsedAt: now,
  });
  recordSecurityEvent(em, {
    user: input.user,
    type: 'identity.linked',
    client: input.client,
    at: now,
    provider: input.provider.id,
  });
  deps.mailer.sendInBackground({
    to: input.user.email,
    ...identityLinkedMail({ ...input.client, at: now }, input.provider.name, appLink(deps, '/settings/security')),
  });
  return identity;
}

const SSO_PREFIX = 'sso:';

/** Names for the providers of these identities: the configuration's, or the SSO connections' (API.md §15). */
async function providerNames(em: EntityManager, deps: Deps, providers: string[]): Promise<(id: string) => string> {
  const connectionIds = providers.filter((id) => id.startsWith(SSO_PREFIX)).map((id) => id.slice(SSO_PREFIX.length));
  const connections =
    connectionIds.length > 0 ? await em.find(SsoConnectionEntity, { id: { $in: connectionIds } }) : [];
  const names = new Map(connections.map((connection) => [`${SSO_PREFIX}${connection.id}`, connection.name]));
  return (id) =>
    names.get(id) ?? (id.startsWith(SSO_PREFIX) ? 'Single sign-on' : providerNameOf(deps.config.providers, id));
}

export async function listIdentities(em: EntityManager, deps: Deps, userId: string): Promise<IdentityView[]> {
  const identities = await em.find(IdentityEntity, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const nameOf = await providerNames(
    em,
    deps,
    identities.map((identity) => identity.provider),
  );
  return identities.map((identity) => ({
    id: identity.id,
    provider: identity.provider,
    name: nameOf(identity.provider),
    email: identity.email ?? null,
    createdAt: identity.createdAt.toISOString(),
    lastUsedAt: identity.lastUsedAt?.toISOString() ?? null,
  }));
}

/** Refused with LAST_SIGN_IN_METHOD when the account would be left with no way in. */
export async function unlinkIdentity(
  em: EntityManager,
  deps: Deps,
  input: { userId: string; identityId: string; client: Client },
): Promise<void> {
  await em.transactional(async (tx) => {
    const identity = await tx.findOne(IdentityEntity, { id: input.identityId, user: input.userId });
    if (!identity) throw new AppError('NOT_FOUND', 'This sign-in method is not linked to your account.');
    await requireAnotherSignInMethod(tx, input.userId, { identityId: identity.id });
    const user = await tx.findOneOrFail(UserEntity, input.userId);
    tx.remove(identity);
    recordSecurityEvent(tx, {
      user,
      type: 'identity.unlinked',
      client: input.client,
      at: deps.now(),
      provider: identity.provider,
    });
  });
}

/** For `/login?link=`: the identity waits until the member proves the account with its password. */
export function createPendingLink(
  em: EntityManager,
  deps: Deps,
  input: { user: User; providerId: string; profile: ProviderProfile },
): string {
  const token = newSecret();
  em.create(PendingLinkEntity, {
    tokenHash: sha256Hex(token),
    user: input.user,
    provider: input.providerId,
    issuer: input.profile.issuer,
    subject: input.profile.subject,
    email: input.profile.email,
    expiresAt: new Date(deps.now().getTime() + PENDING_LINK_TTL_SECONDS * 1000),
  });
  return token;
}

const expiredLink = () =>
  new AppError(
    'INVALID_TOKEN',
    'This link to a provider expired or was already used. Sign in with the provider again.',
  );

async function livePendingLink(em: EntityManager, deps: Deps, token: string) {
  const pending = await em.findOne(PendingLinkEntity, { tokenHash: sha256Hex(token) }, { populate: ['user'] });
  if (!pending || pending.expiresAt <= deps.now()) throw expiredLink();
  return pending;
}

/** What `/login?link=` shows: the provider and the account's address. */
export async function describePendingLink(
  em: EntityManager,
  deps: Deps,
  token: string,
  providerName: (id: string) => string,
): Promise<PendingLinkView> {
  const pending = await livePendingLink(em, deps, token);
  return { providerName: providerName(pending.provider), email: pending.user.email };
}

/** Before the code of a two-factor sign-in is asked for: the link must still be good for this account. */
export async function checkPendingLink(em: EntityManager, deps: Deps, token: string, user: User): Promise<void> {
  const pending = await livePendingLink(em, deps, token);
  if (pending.user.id !== user.id) throw expiredLink();
}

/**
 * Once the member proved the account (password, and code when asked): the waiting identity is
 * linked, exactly once. Refused when another account has taken that identity meanwhile.
 */
export async function completePendingLink(
  em: EntityManager,
  deps: Deps,
  input: { token: string; user: User; providerName: (id: string) => string; client: Client },
): Promise<void> {
  const pending = await livePendingLink(em, deps, input.token);
  if (pending.user.id !== input.user.id) throw expiredLink();
  if ((await em.nativeDelete(PendingLinkEntity, { id: pending.id })) !== 1) throw expiredLink();
  const existing = await findIdentity(em, pending);
  if (existing) {
    if (existing.user.id === input.user.id) return;
    throw new AppError('FORBIDDEN', 'That provider account is already linked to another account.');
  }
  addIdentity(em, deps, {
    user: input.user,
    provider: { id: pending.provider, name: input.providerName(pending.provider) },
    profile: {
      issuer: pending.issuer,
      subject: pending.subject,
      email: pending.email ?? null,
      emailVouched: false,
      name: null,
    },
    client: input.client,
  });
  await em.flush();
}
