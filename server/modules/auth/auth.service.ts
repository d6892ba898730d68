import type { EntityManager } from '@mikro-orm/core';
import { isUniqueViolation } from '#server/db/again-after-unique-violation.ts';
import { inWriteTransaction } from '#server/db/prepared.ts';
import { EMAIL_VERIFICATION_TTL_SECONDS } from '#shared/constants.ts';
import { normalizeEmail } from '#shared/text.ts';
import type { LoginInput, RegisterInput } from '#shared/schemas/auth.ts';
import type { VerifyMfaInput } from '#shared/schemas/mfa.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { appLink } from '#server/lib/links.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '#server/lib/passwords.ts';
import { accountExistsMail, verificationMail } from '#server/mail/templates/auth-mails.ts';
import { newSignInMail } from '#server/mail/templates/security-mails.ts';
import { logOwnSecurityEvent } from '#server/modules/audit/security-event-log.ts';
import { insertSecurityEvent, recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { passMfaChallenge, startMfaChallenge } from '#server/modules/mfa/mfa-challenge.service.ts';
import { requireStrongPassword } from '#server/modules/passwords/passwords.service.ts';
import { wantsSecurityAlerts } from '#server/modules/preferences/preferences.service.ts';
import { consumeRateLimit, enforceRateLimit, type RateLimitRule } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import { recordLoginFailure, requireNotThrottled } from './login-throttle.ts';
import { checkPendingLink, completePendingLink } from '#server/modules/identities/identities.service.ts';
import { providerNameOf } from '#server/modules/identities/provider-config.ts';
import { startSession, type SignedIn } from '#server/modules/sessions/sessions.service.ts';
import { requireSsoUnlessOwner } from '#server/modules/sso/discovery.ts';
import { consumeOneTimeToken, createOneTimeToken, insertOneTimeToken } from '#server/modules/tokens/one-time-tokens.ts';
import { UserEntity, type User } from '#server/modules/users/user.entity.ts';
import { findUserByEmail, insertAccount, type NewAccount } from '#server/modules/users/users.service.ts';

const verificationMailOf = (deps: Deps, secret: string) =>
  verificationMail(appLink(deps, `/verify-email?token=${secret}`));

/** Adds a verification token to the unit of work and returns the mail that carries it. */
function verificationFor(em: EntityManager, deps: Deps, user: User) {
  const secret = createOneTimeToken(em, {
    purpose: 'verify_email',
    user,
    email: user.email,
    ttlSeconds: EMAIL_VERIFICATION_TTL_SECONDS,
    now: deps.now(),
  });
  return verificationMailOf(deps, secret);
}

/**
 * Same answer whether or not the email is taken (API.md §5). The hash is computed first, outside
 * any transaction, so both branches cost the same and no database lock is held while it runs.
 */
export async function register(em: EntityManager, deps: Deps, input: RegisterInput, client: Client): Promise<void> {
  if (deps.config.registrationMode === 'invite_only') {
    throw new AppError('REGISTRATION_CLOSED', 'Sign-up is by invitation only.');
  }
  await enforceRateLimit(
    em,
    RATE_LIMITS.registerPerIp,
    client.ip,
    deps.now(),
    'Too many sign-ups from your network. Try again later.',
  );
  await requireStrongPassword(deps, input.password, input.email);
  const passwordHash = await hashPassword(input.password);
  const existing = await findUserByEmail(em, input.email);
  if (existing) return notifyExistingOwner(em, deps, existing);

  const written = await writeSignUp(em, deps, { email: input.email, name: input.name, passwordHash }, client);
  if (!written) {
    // Another request registered the same address between our lookup and our insert.
    const winner = await findUserByEmail(em, input.email);
    if (winner) await notifyExistingOwner(em, deps, winner);
    return;
  }
  const { account, secret } = written;
  logOwnSecurityEvent(deps.log, { type: 'account.created', userId: account.id, client });
  // The sign-up mail counts as a verification mail towards the address's hourly three.
  if (await mayMail(em, deps, RATE_LIMITS.verificationMailPerAddress, account.emailNormalized))
    await deps.mailer.send({ to: account.email, ...verificationMailOf(deps, secret) });
}

/**
 * The account, its event and its verification link, as statements in one transaction (decision
 * 0029); null when the address was taken meanwhile. Returns the link's secret.
 */
async function writeSignUp(
  em: EntityManager,
  deps: Deps,
  input: { email: string; passwordHash: string; name?: string },
  client: Client,
): Promise<{ account: NewAccount; secret: string } | null> {
  const now = deps.now();
  try {
    return await inWriteTransaction(em, async (query) => {
      const account = await insertAccount(query, { ...input, now });
      await insertSecurityEvent(query, { userId: account.id, type: 'account.created', client, at: now });
      const secret = await insertOneTimeToken(query, {
        purpose: 'verify_email',
        userId: account.id,
        email: account.email,
        ttlSeconds: EMAIL_VERIFICATION_TTL_SECONDS,
        now,
      });
      return { account, secret };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** API.md §6: at most three mails of one kind an hour to one address; the answer stays the same. */
async function mayMail(em: EntityManager, deps: Deps, rule: RateLimitRule, address: string): Promise<boolean> {
  return (await consumeRateLimit(em, rule, address, deps.now())).allowed;
}

async function notifyExistingOwner(em: EntityManager, deps: Deps, owner: User): Promise<void> {
  if (!(await mayMail(em, deps, RATE_LIMITS.accountExistsMailPerAddress, owner.emailNormalized))) return;
  await deps.mailer.send({ to: owner.email, ...accountExistsMail(appLink(deps, '/login')) });
}

/** Always answers Ok; mails only an existing, unverified account. */
export async function resendVerification(em: EntityManager, deps: Deps, email: string, client: Client): Promise<void> {
  await enforceRateLimit(
    em,
    RATE_LIMITS.resendVerificationPerIp,
    client.ip,
    deps.now(),
    'Too many requests from your network. Try again later.',
  );
  const user = await findUserByEmail(em, email);
  if (!user || user.emailVerifiedAt || user.disabledAt) return;
  if (!(await mayMail(em, deps, RATE_LIMITS.verificationMailPerAddress, user.emailNormalized))) return;
  const mail = verificationFor(em, deps, user);
  await em.flush();
  // In the background: the answer takes as long whether or not a mail goes out.
  deps.mailer.sendInBackground({ to: user.email, ...mail });
}

const invalidLink = () =>
  new AppError('INVALID_TOKEN', 'This link is invalid, expired or already used. Request a new one.');

/** Single use, 24 hours; signs the user in on this device. */
export async function verifyEmail(em: EntityManager, deps: Deps, secret: string, client: Client): Promise<SignedIn> {
  return em.transactional(async (tx) => {
    const now = deps.now();
    const token = await consumeOneTimeToken(tx, 'verify_email', secret, now);
    if (!token?.user) throw invalidLink();
    const user = await tx.findOneOrFail(UserEntity, token.user.id);
    // A link sent to an address the account no longer has proves nothing.
    if (user.email !== token.email) throw invalidLink();
    if (user.disabledAt) throw new AppError('ACCOUNT_DISABLED', 'This account has been disabled.');
    if (!user.emailVerifiedAt) {
      user.emailVerifiedAt = now;
      recordSecurityEvent(tx, { user, type: 'email.verified', client, at: now });
    }
    return startSession(tx, deps, user, client);
  });
}

const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'The email or password is not right.');

export type SignInOutcome = { status: 'signed_in'; signedIn: SignedIn } | { status: 'mfa_required'; mfaToken: string };

/** Only someone who has proved who they are learns the account's state. */
export function requireUsableAccount(user: User): void {
  if (!user.emailVerifiedAt)
    throw new AppError('EMAIL_NOT_VERIFIED', 'Confirm your email address first: we sent you a link.');
  if (user.disabledAt) throw new AppError('ACCOUNT_DISABLED', 'This account has been disabled.');
}

/**
 * Opens the session once the person has proved who they are (password or provider, and code when
 * asked). `provider` names the provider a sign-in went through, for the security log.
 */
export async function admit(
  em: EntityManager,
  deps: Deps,
  user: User,
  client: Client,
  provider?: string,
): Promise<SignedIn> {
  requireUsableAccount(user);
  if (user.deactivatedAt) {
    user.deactivatedAt = null;
    recordSecurityEvent(em, { user, type: 'account.reactivated', client, at: deps.now() });
  }
  const signedIn = await startSession(em, deps, user, client, provider);
  await notifyNewSignIn(em, deps, user, client);
  return signedIn;
}

/** "New sign-in" mail, when the member keeps security alerts on (the default). */
async function notifyNewSignIn(em: EntityManager, deps: Deps, user: User, client: Client): Promise<void> {
  if (!(await wantsSecurityAlerts(em, user.id))) return;
  deps.mailer.sendInBackground({
    to: user.email,
    ...newSignInMail({ ...client, at: deps.now() }, appLink(deps, '/settings/security')),
  });
}

/** API.md §6: every sign-in attempt from one client IP counts, password or passkey. */
export function limitSignInsFrom(em: EntityManager, client: Client, now: Date): Promise<void> {
  return enforceRateLimit(
    em,
    RATE_LIMITS.loginPerIp,
    client.ip,
    now,
    'Too many sign-in attempts from your network. Try again in a few minutes.',
  );
}

/**
 * Unknown email and wrong password cost the same hash verification and get the same answer, and
 * both count towards the address's throttle unless this browser is one the account signed in
 * from before (`knownAccounts`, from the signed device cookie).
 */
export async function login(
  em: EntityManager,
  deps: Deps,
  input: LoginInput,
  client: Client,
  knownAccounts: string[],
): Promise<SignInOutcome> {
  const now = deps.now();
  await limitSignInsFrom(em, client, now);
  const user = await findUserByEmail(em, input.email);
  const address = normalizeEmail(input.email);
  const knownDevice = user !== null && knownAccounts.includes(user.id);
  if (!knownDevice) await requireNotThrottled(em, address, now);
  // An account made through a provider has no password yet: the same answer, in the same time (API.md §12).
  const valid = user?.passwordHash
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyAgainstDummy(input.password);
  if (!user || !valid) {
    if (!knownDevice) await recordLoginFailure(em, deps, address, user, now);
    if (user) {
      // The owner sees failed attempts in the security log.
      recordSecurityEvent(em, { user, type: 'login.failed', client, at: now });
      await em.flush();
    }
    // Where SSO is required, a wrong password says so too: the answer depends on the domain alone.
    await requireSsoUnlessOwner(em, input.email, null);
    throw invalidCredentials();
  }
  try {
    await requireSsoUnlessOwner(em, input.email, user.id);
  } catch (error) {
    // Counted as a failure too, so the throttle cannot tell a right password from a wrong one here.
    if (!knownDevice) await recordLoginFailure(em, deps, address, user, now);
    throw error;
  }
  requireUsableAccount(user);
  if (user.mfaEnabledAt) {
    // The link waits for the code (auth.verifyMfa); a stale one is said now, not after it.
    if (input.linkToken) await checkPendingLink(em, deps, input.linkToken, user);
    return { status: 'mfa_required', mfaToken: await startMfaChallenge(em, deps, user, client) };
  }
  if (input.linkToken) await linkOnSignIn(em, deps, input.linkToken, user, client);
  return { status: 'signed_in', signedIn: await admit(em, deps, user, client) };
}

/** The second step of a sign-in with two-factor codes. */
export async function verifyMfa(
  em: EntityManager,
  deps: Deps,
  input: VerifyMfaInput,
  client: Client,
): Promise<SignedIn> {
  const user = await passMfaChallenge(em, deps, input, client);
  if (input.linkToken) await linkOnSignIn(em, deps, input.linkToken, user, client);
  return admit(em, deps, user, client);
}

/** `/login?link=`: the member proved the account, so the provider's identity waiting for it is linked (API.md §12). */
function linkOnSignIn(em: EntityManager, deps: Deps, token: string, user: User, client: Client): Promise<void> {
  return completePendingLink(em, deps, {
    token,
    user,
    providerName: (id) => providerNameOf(deps.config.providers, id),
    client,
  });
}
