import type { EntityManager } from '@mikro-orm/core';
import { againAfterUniqueViolation } from '#server/db/again-after-unique-violation.ts';
import { EmailSchema } from '#shared/schemas/common.ts';
import type { Client, Deps } from '#server/deps.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import {
  claimUnconfirmedAccount,
  profileName,
  signInThrough,
  type FederatedOutcome,
} from '#server/modules/identities/federated-sign-in.ts';
import { addIdentity, findIdentity } from '#server/modules/identities/identities.service.ts';
import { MembershipEntity } from '#server/modules/orgs/membership.entity.ts';
import { recordOrgEvent } from '#server/modules/orgs/org-log.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { createUser, findUserByEmail } from '#server/modules/users/users.service.ts';
import { connectionDomains, type SsoConnectionRecord } from './sso-connection.entity.ts';
import { SsoDomainEntity } from './sso-domain.entity.ts';
import { SsoFailure, type SsoProfile } from './sso-failure.ts';
import { ssoProviderId } from './sso-urls.ts';

type Input = { connection: SsoConnectionRecord; profile: SsoProfile; returnTo: string; client: Client };

/**
 * Identities of a connection are keyed by the connection, not the IdP's issuer alone: another
 * organization configuring the same issuer (with its own certificate) must never reach them.
 */
const identityIssuer = (connection: SsoConnectionRecord) => `urn:latchkey:sso:${connection.id}`;

/** Whether the address is in a domain the connection lists and its organization has verified. */
async function inVerifiedDomain(em: EntityManager, connection: SsoConnectionRecord, email: string) {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!connectionDomains(connection).includes(domain)) return false;
  return (await em.findOne(SsoDomainEntity, { org: connection.org.id, verifiedDomain: domain })) !== null;
}

async function requireVerifiedDomain(em: EntityManager, connection: SsoConnectionRecord, claimed: string | null) {
  // What the IdP sends must be an address every other procedure would take, not just end in the domain.
  const parsed = EmailSchema.safeParse(claimed ?? '');
  if (!parsed.success) throw new SsoFailure('the IdP sent no valid email address');
  if (!(await inVerifiedDomain(em, connection, parsed.data)))
    throw new SsoFailure('the address is not in a verified domain of the connection');
  return parsed.data;
}

/**
 * What an IdP's answer does (API.md §15): signs in the member its identity is linked to, or links
 * the account with that address (the verified domain vouches for it), or creates one, confirmed;
 * and makes them a member with the connection's default role. Their own two-factor codes still apply.
 */
export async function completeSsoSignIn(em: EntityManager, deps: Deps, input: Input): Promise<FederatedOutcome> {
  return againAfterUniqueViolation(em, () => decide(em, deps, input));
}

async function decide(em: EntityManager, deps: Deps, input: Input): Promise<FederatedOutcome> {
  const { connection, profile, client } = input;
  const email = await requireVerifiedDomain(em, connection, profile.email);
  const provider = { id: ssoProviderId(connection.id), name: connection.name };
  const key = { issuer: identityIssuer(connection), subject: profile.subject };
  const identity = await findIdentity(em, key);
  let user: User;
  if (identity) {
    user = identity.user;
    // The organization vouches only for its own domains: an account that has moved to another
    // address is no longer its to sign in.
    if (!(await inVerifiedDomain(em, connection, user.email)))
      throw new SsoFailure('the linked account’s address is no longer in a verified domain of the connection');
    requireNotDisabled(user);
    identity.lastUsedAt = deps.now();
    identity.email = email;
  } else {
    const existing = await findUserByEmail(em, email);
    requireNotDisabled(existing);
    user = existing ?? createAccount(em, deps, email, profile, client, provider.id);
    if (!user.emailVerifiedAt) await claimUnconfirmedAccount(em, deps, user, client);
    addIdentity(em, deps, {
      user,
      provider,
      profile: { ...key, email, emailVouched: true, name: profile.name },
      client,
    });
  }
  await joinOrganization(em, deps, connection, user);
  return signInThrough(em, deps, user, { client, providerId: provider.id, returnTo: input.returnTo });
}

/** Refused before anything is written: a disabled account gets no identity, membership or claim. */
function requireNotDisabled(user: User | null) {
  if (user?.disabledAt) throw new SsoFailure('the account is disabled', { redirect: '/login?error=ACCOUNT_DISABLED' });
}

function createAccount(
  em: EntityManager,
  deps: Deps,
  email: string,
  profile: SsoProfile,
  client: Client,
  providerId: string,
): User {
  const now = deps.now();
  const user = createUser(em, { email, passwordHash: null, name: profileName(profile.name), now });
  user.emailVerifiedAt = now;
  recordSecurityEvent(em, { user, type: 'account.created', client, at: now, provider: providerId });
  return user;
}

async function joinOrganization(em: EntityManager, deps: Deps, connection: SsoConnectionRecord, user: User) {
  const orgId = connection.org.id;
  if (await em.findOne(MembershipEntity, { org: orgId, user: user.id })) return;
  const now = deps.now();
  em.create(MembershipEntity, { org: orgId, user: user.id, role: connection.defaultRole, createdAt: now });
  recordOrgEvent(em, {
    orgId,
    type: 'member.joined',
    actorId: user.id,
    subjectId: user.id,
    role: connection.defaultRole,
    at: now,
  });
}
