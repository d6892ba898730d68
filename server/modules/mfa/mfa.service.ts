import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { createTOTPKeyURI } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { PRODUCT_NAME } from '#shared/constants.ts';
import type { MfaSetup, RecoveryCodes } from '#shared/schemas/mfa.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { mfaChangedMail } from '#server/mail/templates/security-mails.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { requireCurrentPassword } from '#server/modules/passwords/passwords.service.ts';
import { checkRateLimits, rateLimitedError, recordHit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import { UserEntity, type User } from '#server/modules/users/user.entity.ts';
import { RecoveryCodeEntity } from './recovery-code.entity.ts';
import { looksLikeRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT, recoveryCodeHash } from './recovery-codes.ts';
import { matchTotp, TOTP_DIGITS, TOTP_PERIOD_SECONDS } from './totp.ts';

const SECRET_BYTES = 20; // 160 bits (RFC 4226 recommends at least 128)

const alreadyEnabled = () => new AppError('MFA_ALREADY_ENABLED', 'Two-factor codes are already on.');
const notEnabled = () => new AppError('MFA_NOT_ENABLED', 'Two-factor codes are not on.');
export const invalidMfaCode = (field = 'code') =>
  new AppError('INVALID_MFA_CODE', 'This code is not right, or it was already used.', {
    fieldErrors: { [field]: ['This code is not right, or it was already used.'] },
  });

/** A new secret, not active until a code from it is entered (auth.mfa.enable). */
export async function setupMfa(em: EntityManager, deps: Deps, user: User): Promise<MfaSetup> {
  if (user.mfaEnabledAt) throw alreadyEnabled();
  const secret = new Uint8Array(randomBytes(SECRET_BYTES));
  user.mfaPendingSecret = deps.secretBox.seal(secret);
  await em.flush();
  return {
    secret: encodeBase32UpperCaseNoPadding(secret),
    otpauthUri: createTOTPKeyURI(PRODUCT_NAME, user.email, secret, TOTP_PERIOD_SECONDS, TOTP_DIGITS),
  };
}

/** Replaces the account's recovery codes; the plain codes exist only in this answer. */
async function replaceRecoveryCodes(em: EntityManager, user: User): Promise<string[]> {
  await em.nativeDelete(RecoveryCodeEntity, { user: user.id });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  for (const code of codes) em.create(RecoveryCodeEntity, { user, codeHash: recoveryCodeHash(code) });
  return codes;
}

export async function enableMfa(
  em: EntityManager,
  deps: Deps,
  user: User,
  code: string,
  client: Client,
): Promise<RecoveryCodes> {
  if (user.mfaEnabledAt) throw alreadyEnabled();
  if (!user.mfaPendingSecret)
    throw new AppError('INVALID_MFA_CODE', 'Start the set-up first: it shows the code to scan.');
  const now = deps.now();
  const step = matchTotp(deps.secretBox.open(user.mfaPendingSecret), code, now, null);
  if (step === null) throw invalidMfaCode();
  user.mfaSecret = user.mfaPendingSecret;
  user.mfaPendingSecret = null;
  user.mfaEnabledAt = now;
  user.mfaLastStep = step;
  const recoveryCodes = await replaceRecoveryCodes(em, user);
  recordSecurityEvent(em, { user, type: 'mfa.enabled', client, at: now });
  await em.flush();
  deps.mailer.sendInBackground({ to: user.email, ...mfaChangedMail({ ...client, at: now }, true) });
  return { recoveryCodes };
}

export async function disableMfa(
  em: EntityManager,
  deps: Deps,
  user: User,
  password: string,
  client: Client,
): Promise<void> {
  await requireCurrentPassword(user, password);
  if (!user.mfaEnabledAt) throw notEnabled();
  const now = deps.now();
  user.mfaSecret = null;
  user.mfaPendingSecret = null;
  user.mfaEnabledAt = null;
  user.mfaLastStep = null;
  await em.nativeDelete(RecoveryCodeEntity, { user: user.id });
  recordSecurityEvent(em, { user, type: 'mfa.disabled', client, at: now });
  await em.flush();
  deps.mailer.sendInBackground({ to: user.email, ...mfaChangedMail({ ...client, at: now }, false) });
}

export async function regenerateRecoveryCodes(
  em: EntityManager,
  deps: Deps,
  user: User,
  password: string,
  client: Client,
): Promise<RecoveryCodes> {
  await requireCurrentPassword(user, password);
  if (!user.mfaEnabledAt) throw notEnabled();
  const recoveryCodes = await replaceRecoveryCodes(em, user);
  recordSecurityEvent(em, { user, type: 'mfa.recovery_codes_regenerated', client, at: deps.now() });
  await em.flush();
  return { recoveryCodes };
}

/**
 * A second-factor check that counts: after 10 wrong codes in 15 minutes on one account, every
 * further try is RATE_LIMITED, whichever sign-in or confirmation it comes from (API.md §6).
 */
export async function checkSecondFactor(
  em: EntityManager,
  deps: Deps,
  user: User,
  code: string,
  client: Client,
): Promise<boolean> {
  const now = deps.now();
  const limit = await checkRateLimits(em, [RATE_LIMITS.mfaFailuresPerAccount], user.id, now);
  if (!limit.allowed)
    throw rateLimitedError(limit.retryAfterSeconds, 'Too many wrong codes. Wait a few minutes and try again.');
  if (await spendSecondFactor(em, deps, user, code, client)) return true;
  await recordHit(em, RATE_LIMITS.mfaFailuresPerAccount, user.id, now);
  return false;
}

/**
 * Accepts a TOTP code or an unused recovery code for the user, spending it: the TOTP step and the
 * recovery code are claimed by conditional updates, so the same code never works twice, even
 * for two requests at once.
 */
async function spendSecondFactor(
  em: EntityManager,
  deps: Deps,
  user: User,
  code: string,
  client: Client,
): Promise<boolean> {
  if (!user.mfaSecret) return false;
  const now = deps.now();
  if (looksLikeRecoveryCode(code)) {
    const claimed = await em.nativeUpdate(
      RecoveryCodeEntity,
      { user: user.id, codeHash: recoveryCodeHash(code), usedAt: null },
      { usedAt: now },
    );
    if (claimed === 0) return false;
    recordSecurityEvent(em, { user, type: 'mfa.recovery_code_used', client, at: now });
    return true;
  }
  const step = matchTotp(deps.secretBox.open(user.mfaSecret), code.replace(/\s/g, ''), now, user.mfaLastStep);
  if (step === null) return false;
  const claimed = await em.nativeUpdate(
    UserEntity,
    { id: user.id, $or: [{ mfaLastStep: null }, { mfaLastStep: { $lt: step } }] },
    { mfaLastStep: step },
  );
  if (claimed === 0) return false;
  user.mfaLastStep = step;
  return true;
}
