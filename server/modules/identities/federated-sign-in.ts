import type { EntityManager } from '@mikro-orm/core';
import { againAfterUniqueViolation } from '#server/db/again-after-unique-violation.ts';
import { EMAIL_VERIFICATION_TTL_SECONDS } from '#shared/constants.ts';
import { normalizeEmail } from '#shared/text.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { appLink } from '#server/lib/links.ts';
import { verificationMail } from '#server/mail/templates/auth-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { admit, requireUsableAccount } from '#server/modules/auth/auth.service.ts';
import { InvitationEntity } from '#server/modules/invitations/invitation.entity.ts';
import { startMfaChallenge } from '#server/modules/mfa/mfa-challenge.service.ts';
import { enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import type { SignedIn } from '#server/modules/sessions/sessions.service.ts';
import { createOneTimeToken } from '#server/modules/tokens/one-time-tokens.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { createUser, findUserByEmail } from '#server/modules/users/users.service.ts';
import { OneTimeTokenEntity } from '#server/modules/tokens/one-time-token.entity.ts';
import { addIdentity, createPendingLink, findIdentity } from './identities.service.ts';
import { IdentityEntity } from './identity.entity.ts';
import { PendingLinkEntity } from './pending-link.entity.ts';
import type { OAuthFlow } from './oauth-flow.entity.ts';
import type { ProviderProfile } from './provider-clients.ts';

/** Where the browser goes next, and the session to set with it when someone signed in. */
export type FederatedOutcome = { redirect: string; signedIn?: SignedIn };

type Provider = { id: string; name: string };
type Input = { flow: OAuthFlow; provider: Provider; profile: ProviderProfile; client: Client };

const loginError = (error: string) => ({ redirect: `/login?error=${encodeURIComponent(error)}` });

// A name from the provider, made to fit profile.update's rules (API.md §5): NFC, no control characters, 60 code points.
export function profileName(name: string | null): string {
  if (!name) return '';
  // The same characters profile.update refuses (shared/schemas/profile.ts): controls and bidi overrides.
  const clean = name
    .normalize('NFC')
    .replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, '')
    .trim();
  return [...clean].slice(0, 60).join('').trim();
}

/**
 * What a provider's answer does (API.md §12): a link, a sign-in through a linked identity, a link
 * by a vouched address, a link waiting for the password, or a new account. Federation never skips
 * the member's own second factor.
 */
export async function completeFederatedSignIn(em: EntityManager, deps: Deps, input: Input): Promise<FederatedOutcome> {
  return againAfterUniqueViolation(em, () => decide(em, deps, input));
}

async function decide(em: EntityManager, deps: Deps, input: Input): Promise<FederatedOutcome> {
  const { flow, provider, profile, client } = input;
  const identity = await findIdentity(em, profile);

  if (flow.intent === 'link') {
    const member = flow.user!;
    if (identity && identity.user.id !== member.id) return { redirect: '/settings/security?error=identity_in_use' };
    if (identity) {
      identity.lastUsedAt = deps.now();
    } else {
      addIdentity(em, deps, { user: member, provider, profile, client });
    }
    await em.flush();
    return { redirect: `/settings/security?linked=${encodeURIComponent(provider.id)}` };
  }

  if (identity) {
    identity.lastUsedAt = deps.now();
    identity.email = profile.email;
    return signIn(em, deps, identity.user, input);
  }

  if (!profile.email) return loginError('email_not_verified');
  const owner = await findUserByEmail(em, profile.email);
  if (owner && profile.emailVouched) {
    if (!owner.emailVerifiedAt) await claimUnconfirmedAccount(em, deps, owner, client);
    addIdentity(em, deps, { user: owner, provider, profile, client });
    return signIn(em, deps, owner, input);
  }
  if (owner) {
    const token = createPendingLink(em, deps, { user: owner, providerId: provider.id, profile });
    await em.flush();
    return { redirect: `/login?link=${token}` };
  }
  return signUp(em, deps, input);
}

/**
 * A provider (or an organization's verified domain) vouching for the address of an account nobody
 * confirmed: whoever made it never proved the address, so everything they could sign in with goes
 * (password, linked identities, waiting links and mailed tokens; the owner can set a password) and
 * the address is confirmed. Otherwise a sign-up through a provider that does not vouch would keep a
 * way into the account its real owner then takes over.
 */
export async function claimUnconfirmedAccount(em: EntityManager, deps: Deps, user: User, client: Client) {
  const now = deps.now();
  await Promise.all([
    em.nativeDelete(IdentityEntity, { user: user.id }),
    em.nativeDelete(PendingLinkEntity, { user: user.id }),
    em.nativeDelete(OneTimeTokenEntity, { user: user.id }),
  ]);
  user.passwordHash = null;
  user.emailVerifiedAt = now;
  recordSecurityEvent(em, { user, type: 'email.verified', client, at: now });
}

function signIn(em: EntityManager, deps: Deps, user: User, input: Input): Promise<FederatedOutcome> {
  return signInThrough(em, deps, user, {
    client: input.client,
    providerId: input.provider.id,
    returnTo: input.flow.returnTo,
  });
}

/**
 * The end of every sign-in through another party (§12, §15): the account's state in words, the
 * member's own second factor, or the session and the page to return to.
 */
export async function signInThrough(
  em: EntityManager,
  deps: Deps,
  user: User,
  input: { client: Client; providerId: string; returnTo: string },
): Promise<FederatedOutcome> {
  try {
    requireUsableAccount(user);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await em.flush();
    return loginError(error.reason === 'EMAIL_NOT_VERIFIED' ? 'email_not_verified' : error.reason);
  }
  if (user.mfaEnabledAt) {
    // startMfaChallenge flushes the identity's changes with it.
    return { redirect: `/login?mfa=${await startMfaChallenge(em, deps, user, input.client)}` };
  }
  const signedIn = await admit(em, deps, user, input.client, input.providerId);
  return { redirect: input.returnTo, signedIn };
}

/** The pending invitation for this address, in invite-only mode the only way to a new account. */
async function pendingInvitation(em: EntityManager, deps: Deps, email: string) {
  return em.findOne(InvitationEntity, {
    emailNormalized: normalizeEmail(email),
    acceptedAt: null,
    revokedAt: null,
    expiresAt: { $gt: deps.now() },
  });
}

async function signUp(em: EntityManager, deps: Deps, input: Input): Promise<FederatedOutcome> {
  const { provider, profile, client } = input;
  const email = profile.email!;
  const now = deps.now();
  let invitation = null;
  if (deps.config.registrationMode === 'invite_only') {
    // An invitation goes to an address: only a provider that vouches for it can take it up.
    invitation = profile.emailVouched ? await pendingInvitation(em, deps, email) : null;
    if (!invitation) return loginError('REGISTRATION_CLOSED');
  }
  try {
    await enforceRateLimit(em, RATE_LIMITS.registerPerIp, client.ip, now, 'Too many sign-ups from your network.');
  } catch (error) {
    if (error instanceof AppError && error.reason === 'RATE_LIMITED') return loginError('RATE_LIMITED');
    throw error;
  }
  const user = createUser(em, { email, passwordHash: null, name: profileName(profile.name), now });
  if (invitation) {
    invitation.acceptedAt = now;
    user.role = invitation.role;
  }
  recordSecurityEvent(em, {
    user,
    type: invitation ? 'account.created_by_invitation' : 'account.created',
    client,
    at: now,
    provider: provider.id,
  });
  addIdentity(em, deps, { user, provider, profile, client });
  if (profile.emailVouched) {
    user.emailVerifiedAt = now;
    return signIn(em, deps, user, input);
  }
  // As for auth.register: the address is confirmed by the mailed link, which also signs in.
  const token = createOneTimeToken(em, {
    purpose: 'verify_email',
    user,
    email: user.email,
    ttlSeconds: EMAIL_VERIFICATION_TTL_SECONDS,
    now,
  });
  await em.flush();
  deps.mailer.sendInBackground({ to: user.email, ...verificationMail(appLink(deps, `/verify-email?token=${token}`)) });
  return { redirect: '/check-email' };
}
