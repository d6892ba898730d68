import { generateHOTP } from '@oslojs/otp';
import { constantTimeEqual } from '#server/lib/hash.ts';

// RFC 6238 as API.md §5 fixes it: SHA-1, 6 digits, 30-second steps, one step of drift either way.
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

export function totpCode(key: Uint8Array, step: number, digits = TOTP_DIGITS): string {
  return generateHOTP(key, BigInt(step), digits);
}

/**
 * The time step the code belongs to, within one step of now and later than `lastUsedStep`
 * (a code already accepted is never accepted again), or null.
 */
export function matchTotp(
  key: Uint8Array,
  code: string,
  now: Date,
  lastUsedStep: number | null | undefined,
): number | null {
  const current = totpStep(now);
  for (const step of [current - 1, current, current + 1]) {
    if (lastUsedStep != null && step <= lastUsedStep) continue;
    if (constantTimeEqual(totpCode(key, step), code)) return step;
  }
  return null;
}
