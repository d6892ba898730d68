import { raw, type EntityManager } from '@mikro-orm/core';
import type { VerifyMfaInput } from '#shared/schemas/mfa.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newSecret } from '#server/lib/ids.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { rateLimitedError } from '#server/modules/rate-limit/rate-limit.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { MfaChallengeEntity } from './mfa-challenge.entity.ts';
import { checkSecondFactor, invalidMfaCode } from './mfa.service.ts';

const CHALLENGE_TTL_SECONDS = 5 * 60; // 5 minutes
export const CHALLENGE_MAX_ATTEMPTS = 5;

/** After a correct password on an account with two-factor codes: the token that asks for the code. */
export async function startMfaChallenge(em: EntityManager, deps: Deps, user: User, client: Client): Promise<string> {
  const token = newSecret();
  em.create(MfaChallengeEntity, {
    tokenHash: sha256Hex(token),
    user,
    expiresAt: new Date(deps.now().getTime() + CHALLENGE_TTL_SECONDS * 1000),
    ip: client.ip,
    userAgent: client.userAgent,
  });
  await em.flush();
  return token;
}

/**
 * Checks the code for a challenge and returns its user, ending the challenge. Each try is counted
 * before the code is checked (an atomic increment), so five tries are all anyone gets; the sixth
 * is RATE_LIMITED and the token is dead.
 */
export async function passMfaChallenge(
  em: EntityManager,
  deps: Deps,
  input: VerifyMfaInput,
  client: Client,
): Promise<User> {
  const now = deps.now();
  const challenge = await em.findOne(
    MfaChallengeEntity,
    { tokenHash: sha256Hex(input.mfaToken) },
    { populate: ['user'] },
  );
  if (!challenge || challenge.expiresAt <= now) {
    throw new AppError('INVALID_TOKEN', 'This sign-in has expired. Please enter your email and password again.');
  }
  const counted = await em.nativeUpdate(
    MfaChallengeEntity,
    { id: challenge.id, attempts: { $lt: CHALLENGE_MAX_ATTEMPTS } },
    { attempts: raw('attempts + 1') },
  );
  if (counted === 0) {
    await em.nativeDelete(MfaChallengeEntity, { id: challenge.id });
    throw rateLimitedError(
      Math.ceil((challenge.expiresAt.getTime() - now.getTime()) / 1000),
      'Too many wrong codes. Please sign in again.',
    );
  }
  const user = challenge.user;
  if (!(await checkSecondFactor(em, deps, user, input.code, client))) {
    recordSecurityEvent(em, { user, type: 'mfa.failed', client, at: now });
    await em.flush();
    throw invalidMfaCode();
  }
  await em.nativeDelete(MfaChallengeEntity, { id: challenge.id });
  return user;
}
