import type { EntityManager } from '@mikro-orm/core';
import type { Deps } from '#server/deps.ts';
import { loginThrottledMail } from '#server/mail/templates/security-mails.ts';
import {
  checkRateLimits,
  consumeRateLimit,
  rateLimitedError,
  recordHit,
} from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import type { User } from '#server/modules/users/user.entity.ts';

// API.md §6: failed sign-ins from clients an account does not know are throttled per address
// (whether or not it has an account, so the throttle reveals nothing). Known devices are exempt:
// the caller decides that from the signed device cookie and skips these functions.

const throttled = (retryAfterSeconds: number) =>
  rateLimitedError(
    retryAfterSeconds,
    'Too many failed sign-ins for this account. Sign in from a device you have used before, or try again later.',
  );

/** Refuses a sign-in from an unknown client while the address is throttled or over its daily failures. */
export async function requireNotThrottled(em: EntityManager, address: string, now: Date): Promise<void> {
  const verdict = await checkRateLimits(
    em,
    [RATE_LIMITS.loginThrottle, RATE_LIMITS.loginFailuresPerAccountDaily],
    address,
    now,
  );
  if (!verdict.allowed) throw throttled(verdict.retryAfterSeconds);
}

/**
 * Counts a failure. The 10th within 15 minutes opens a 15-minute throttle; opening it is one
 * conditional insert, so however many failures race, one period starts and its owner gets one notice.
 */
export async function recordLoginFailure(
  em: EntityManager,
  deps: Deps,
  address: string,
  owner: User | null,
  now: Date,
): Promise<void> {
  await recordHit(em, RATE_LIMITS.loginFailuresPerAccount, address, now);
  await recordHit(em, RATE_LIMITS.loginFailuresPerAccountDaily, address, now);
  const recent = await checkRateLimits(em, [RATE_LIMITS.loginFailuresPerAccount], address, now);
  if (recent.allowed) return;
  const opened = await consumeRateLimit(em, RATE_LIMITS.loginThrottle, address, now);
  if (opened.allowed && owner) {
    deps.mailer.sendInBackground({
      to: owner.email,
      ...loginThrottledMail(`${deps.config.publicUrl}/forgot-password`),
    });
  }
}
