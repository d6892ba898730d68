import type { Deps } from './deps.ts';
import { pruneEndedInvitations } from './modules/invitations/invitations.service.ts';
import { pruneRetiredSigningKeys } from './modules/keys/install-keys.ts';
import { MfaChallengeEntity } from './modules/mfa/mfa-challenge.entity.ts';
import { eraseExpiredDeactivatedAccounts } from './modules/privacy/account-data.service.ts';
import { pruneRateLimitHits } from './modules/rate-limit/rate-limit.ts';
import { LONGEST_RATE_LIMIT_WINDOW_SECONDS } from './modules/rate-limit/rules.ts';
import { OneTimeTokenEntity } from './modules/tokens/one-time-token.entity.ts';

const EVERY_MS = 10 * 60 * 1000; // 10 minutes
const KEEP_SPENT_TOKENS_MS = 24 * 60 * 60 * 1000; // a day, so "already used" can still be told apart for a while

/** One pass of every clean-up the product promises: no cron job for anyone to set up. */
export async function runHousekeeping(deps: Deps): Promise<void> {
  const em = deps.orm.em.fork();
  const now = deps.now();
  await pruneRateLimitHits(em, now, LONGEST_RATE_LIMIT_WINDOW_SECONDS);
  await em.nativeDelete(MfaChallengeEntity, { expiresAt: { $lte: now } });
  await em.nativeDelete(OneTimeTokenEntity, { expiresAt: { $lte: new Date(now.getTime() - KEEP_SPENT_TOKENS_MS) } });
  await pruneEndedInvitations(em, now);
  await eraseExpiredDeactivatedAccounts(em, deps);
  await pruneRetiredSigningKeys(em, now);
}

/** Runs housekeeping now and every 10 minutes inside the server. Returns a stop function. */
export function startHousekeeping(deps: Deps): () => void {
  const run = async () => {
    try {
      await runHousekeeping(deps);
    } catch (error) {
      deps.log.warn({ err: error }, 'housekeeping failed; it will run again');
    }
  };
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
