import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { describeDevice } from '#shared/user-agent.ts';
import type {
  Passkey,
  RegisterPasskeyInput,
  RegistrationOptionsInput,
  RenamePasskeyInput,
} from '#shared/schemas/passkeys.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { appLink } from '#server/lib/links.ts';
import { passkeyChangedMail } from '#server/mail/templates/security-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { requireCurrentPassword } from '#server/modules/passwords/passwords.service.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { requireFreshSignIn } from '#server/modules/sessions/fresh-sign-in.ts';
import type { Auth } from '#server/modules/sessions/session-auth.ts';
import { requireAnotherSignInMethod } from '#server/modules/users/sign-in-methods.ts';
import { PasskeyEntity, type PasskeyRecord } from './passkey.entity.ts';
import { CHALLENGE_TTL_SECONDS, relyingParty } from './relying-party.ts';
import { WebAuthnChallengeEntity } from './webauthn-challenge.entity.ts';
import { webauthn } from './webauthn.ts';

export function toPasskey(record: PasskeyRecord): Passkey {
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    backedUp: record.backedUp,
  };
}

/**
 * The challenge in a ceremony's client data: how a response names the challenge it answers. Null
 * also for a ceremony run inside another site's frame (crossOrigin), which this site never asks for.
 */
export async function challengeOf(clientDataJSON: string): Promise<string | null> {
  const { isoBase64URL } = await webauthn();
  try {
    const data = JSON.parse(isoBase64URL.toUTF8String(clientDataJSON)) as {
      challenge?: unknown;
      crossOrigin?: unknown;
    };
    return typeof data.challenge === 'string' && data.crossOrigin !== true ? data.challenge : null;
  } catch {
    return null;
  }
}

/**
 * Options for adding a passkey, after the member proved it is them: the password, or for an
 * account without one a sign-in within 10 minutes (API.md §13).
 */
export async function registrationOptions(
  em: EntityManager,
  deps: Deps,
  auth: Auth,
  input: RegistrationOptionsInput,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const [user, session] = await Promise.all([auth.loadUser(), auth.loadSession()]);
  const now = deps.now();
  if (user.passwordHash) await requireCurrentPassword(user, input.password ?? '');
  else requireFreshSignIn(session, now);
  const [existing, profile] = await Promise.all([
    em.find(PasskeyEntity, { user: user.id }, { fields: ['credentialId', 'transports'] }),
    em.findOne(ProfileEntity, { user: user.id }),
  ]);
  const rp = relyingParty(deps.config);
  const { generateRegistrationOptions, isoBase64URL } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: isoBase64URL.toBuffer(isoBase64URL.fromUTF8String(user.id)),
    userDisplayName: profile?.name || user.email,
    attestationType: 'none',
    timeout: CHALLENGE_TTL_SECONDS * 1000,
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.credentialId,
      ...(passkey.transports ? { transports: passkey.transports.split(',') } : {}),
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  em.create(WebAuthnChallengeEntity, {
    challenge: options.challenge,
    purpose: 'registration',
    sessionId: session.id,
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
  });
  await em.flush();
  return options;
}

/** Takes the challenge a response answers, once; null when it is unknown, used, expired or not this caller's. */
export async function takeChallenge(
  em: EntityManager,
  deps: Deps,
  where:
    | { challenge: string | null; purpose: 'registration'; sessionId: string }
    | { id: string; purpose: 'authentication' },
): Promise<string | null> {
  const filter =
    'id' in where
      ? { id: where.id, purpose: where.purpose }
      : where.challenge
        ? { challenge: where.challenge, purpose: where.purpose, sessionId: where.sessionId }
        : null;
  if (!filter) return null;
  const row = await em.findOne(WebAuthnChallengeEntity, filter);
  if (!row) return null;
  const taken = (await em.nativeDelete(WebAuthnChallengeEntity, { id: row.id })) === 1;
  return taken && row.expiresAt > deps.now() ? row.challenge : null;
}

export async function registerPasskey(
  em: EntityManager,
  deps: Deps,
  auth: Auth,
  input: RegisterPasskeyInput,
  client: Client,
): Promise<Passkey> {
  const response = input.response as RegistrationResponseJSON;
  const expectedChallenge = await takeChallenge(em, deps, {
    challenge: await challengeOf(response.response.clientDataJSON),
    purpose: 'registration',
    sessionId: auth.sessionId,
  });
  if (!expectedChallenge) {
    throw new AppError('INVALID_TOKEN', 'This passkey request expired or was already used. Please try again.');
  }
  const rp = relyingParty(deps.config);
  const { verifyRegistrationResponse, isoBase64URL } = await webauthn();
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
  }).catch(() => ({ verified: false as const }));
  if (!verification.verified) {
    throw new AppError('INVALID_INPUT', 'This passkey could not be added: the browser’s answer did not check out.');
  }
  const info = verification.registrationInfo;
  const user = await auth.loadUser();
  const now = deps.now();
  const passkey = em.create(PasskeyEntity, {
    user,
    credentialId: info.credential.id,
    publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
    counter: info.credential.counter,
    transports: info.credential.transports?.length ? info.credential.transports.join(',').slice(0, 200) : null,
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name: input.name ?? `Passkey on ${describeDevice(client.userAgent)}`.slice(0, 60),
    createdAt: now,
  });
  recordSecurityEvent(em, { user, type: 'passkey.added', client, at: now, provider: 'passkey' });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new AppError('INVALID_INPUT', 'This passkey is already on an account.');
    }
    throw error;
  }
  deps.mailer.sendInBackground({
    to: user.email,
    ...passkeyChangedMail({ ...client, at: now }, passkey.name, 'added', appLink(deps, '/settings/security')),
  });
  return toPasskey(passkey);
}

export async function listPasskeys(em: EntityManager, userId: string): Promise<Passkey[]> {
  const passkeys = await em.find(PasskeyEntity, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return passkeys.map(toPasskey);
}

const notFound = () => new AppError('NOT_FOUND', 'This passkey is not on your account.');

export async function renamePasskey(em: EntityManager, userId: string, input: RenamePasskeyInput): Promise<Passkey> {
  const passkey = await em.findOne(PasskeyEntity, { id: input.id, user: userId });
  if (!passkey) throw notFound();
  passkey.name = input.name;
  await em.flush();
  return toPasskey(passkey);
}

export async function deletePasskey(
  em: EntityManager,
  deps: Deps,
  input: { userId: string; passkeyId: string; client: Client },
): Promise<void> {
  const removed = await em.transactional(async (tx) => {
    const passkey = await tx.findOne(
      PasskeyEntity,
      { id: input.passkeyId, user: input.userId },
      { populate: ['user'] },
    );
    if (!passkey) throw notFound();
    await requireAnotherSignInMethod(tx, input.userId, { passkeyId: passkey.id });
    tx.remove(passkey);
    recordSecurityEvent(tx, {
      user: passkey.user,
      type: 'passkey.removed',
      client: input.client,
      at: deps.now(),
      provider: 'passkey',
    });
    return passkey;
  });
  deps.mailer.sendInBackground({
    to: removed.user.email,
    ...passkeyChangedMail(
      { ...input.client, at: deps.now() },
      removed.name,
      'removed',
      appLink(deps, '/settings/security'),
    ),
  });
}
