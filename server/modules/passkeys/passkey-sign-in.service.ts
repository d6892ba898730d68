import type { EntityManager } from '@mikro-orm/core';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { PasskeySignInInput } from '#shared/schemas/passkeys.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { admit, limitSignInsFrom } from '#server/modules/auth/auth.service.ts';
import { enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import type { SignedIn } from '#server/modules/sessions/sessions.service.ts';
import { PasskeyEntity } from './passkey.entity.ts';
import { challengeOf, takeChallenge } from './passkeys.service.ts';
import { CHALLENGE_TTL_SECONDS, relyingParty } from './relying-party.ts';
import { WebAuthnChallengeEntity } from './webauthn-challenge.entity.ts';
import { webauthn } from './webauthn.ts';

/** For the browser to offer the member's passkeys (empty allowCredentials: discoverable ones, also as autofill). */
export async function authenticationOptions(
  em: EntityManager,
  deps: Deps,
  client: Client,
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  // Each call keeps a row for 5 minutes: anonymous callers get a bounded number.
  await enforceRateLimit(
    em,
    RATE_LIMITS.passkeyOptionsPerIp,
    client.ip,
    deps.now(),
    'Too many sign-in attempts from your network. Try again in a few minutes.',
  );
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(deps.config).id,
    userVerification: 'required',
    allowCredentials: [],
    timeout: CHALLENGE_TTL_SECONDS * 1000,
  });
  const challenge = em.create(WebAuthnChallengeEntity, {
    challenge: options.challenge,
    purpose: 'authentication',
    sessionId: null,
    expiresAt: new Date(deps.now().getTime() + CHALLENGE_TTL_SECONDS * 1000),
  });
  await em.flush();
  return { challengeId: challenge.id, options };
}

const refused = () =>
  new AppError('INVALID_CREDENTIALS', 'That passkey did not work. Try again, or log in with your password.');

/**
 * A complete sign-in (API.md §13): a user-verified passkey is both factors, so no code is asked.
 * The per-IP limit of auth.login applies; a counter that goes backwards is refused and recorded.
 */
export async function signInWithPasskey(
  em: EntityManager,
  deps: Deps,
  input: PasskeySignInInput,
  client: Client,
): Promise<SignedIn> {
  const now = deps.now();
  await limitSignInsFrom(em, client, now);
  const expectedChallenge = await takeChallenge(em, deps, { id: input.challengeId, purpose: 'authentication' });
  if (!expectedChallenge) throw refused();
  const response = input.response as AuthenticationResponseJSON;
  const passkey = await em.findOne(PasskeyEntity, { credentialId: response.id }, { populate: ['user'] });
  if (!passkey) throw refused();
  if ((await challengeOf(response.response.clientDataJSON)) !== expectedChallenge) throw refused();
  const { isoBase64URL, parseAuthenticatorData, verifyAuthenticationResponse } = await webauthn();
  // A discoverable credential names its account: it must be the passkey's (WebAuthn §7.2, step 6).
  const userHandle = response.response.userHandle;
  if (userHandle && isoBase64URL.toUTF8String(userHandle) !== passkey.user.id) throw refused();
  const rp = relyingParty(deps.config);
  // The signature first, with the library's counter check out of the way (a stored 0): only a
  // response signed by the passkey's key may say anything about its counter.
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    credential: {
      id: passkey.credentialId,
      publicKey: isoBase64URL.toBuffer(passkey.publicKey),
      counter: 0,
      ...(passkey.transports ? { transports: passkey.transports.split(',') as never } : {}),
    },
    requireUserVerification: true,
  }).catch(() => ({ verified: false as const }));
  if (!verification.verified) throw refused();
  const counter = parseAuthenticatorData(isoBase64URL.toBuffer(response.response.authenticatorData)).counter ?? 0;
  // The counter must grow (WebAuthn §6.1.1), also between two answers checked at once: the update
  // takes it only from a smaller value. An authenticator that keeps no counter always answers 0.
  const counted =
    counter === 0 && passkey.counter === 0
      ? true
      : (await em.nativeUpdate(PasskeyEntity, { id: passkey.id, counter: { $lt: counter } }, { counter })) === 1;
  if (!counted) {
    // A copy of the key, or a replay: the owner should know.
    recordSecurityEvent(em, {
      user: passkey.user,
      type: 'passkey.counter_mismatch',
      client,
      at: now,
      provider: 'passkey',
    });
    await em.flush();
    throw refused();
  }
  passkey.counter = counter;
  passkey.lastUsedAt = now;
  passkey.backedUp = verification.authenticationInfo.credentialBackedUp;
  return admit(em, deps, passkey.user, client, 'passkey');
}
