import type { Deps } from '#server/deps.ts';

const EVERY_MS = 60 * 1000; // API.md §11: at least once a minute

/** Reads the kept signing keys again every minute: a rotation reaches every instance. */
export function reloadKeysEveryMinute(deps: Pick<Deps, 'keys' | 'log'>): () => void {
  const timer = setInterval(() => {
    deps.keys.reload().catch((error: unknown) => deps.log.warn({ err: error }, 'reloading the signing keys failed'));
  }, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
