import type { Deps } from './deps.ts';
import { pruneRateLimitHits } from './modules/rate-limit/rate-limit.ts';
import { LONGEST_RATE_LIMIT_WINDOW_SECONDS } from './modules/rate-limit/rules.ts';

const EVERY_MS = 10 * 60 * 1000; // 10 minutes

/** Periodic clean-up inside the server itself, so nobody has to set up a cron job. Returns a stop function. */
export function startHousekeeping(deps: Deps): () => void {
  const run = async () => {
    try {
      await pruneRateLimitHits(deps.orm.em.fork(), deps.now(), LONGEST_RATE_LIMIT_WINDOW_SECONDS);
    } catch (error) {
      deps.log.warn({ err: error }, 'housekeeping failed; it will run again');
    }
  };
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
