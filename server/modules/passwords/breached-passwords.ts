// API.md §16 "Breached passwords": the Pwned Passwords range API, k-anonymity model
// (https://haveibeenpwned.com/API/v3#SearchingPwnedPasswordsByRange). Only the first 5 hex characters
// of the SHA-1 leave the server, so the service learns one of about a million buckets, never the password.
import { createHash } from 'node:crypto';
import { normalizePassword } from '#shared/normalize-password.ts';

export const BREACHED_PASSWORD_REASON = 'This password has appeared in a data breach';

// API.md §16: a slower answer is no answer; the member is not kept waiting on a third party.
const TIMEOUT_MS = 1000; // 1 second
// The corpus changes a few times a year: hours-old answers are as good as fresh ones.
export const CACHE_TTL_MS = 6 * 60 * 60 * 1000; // 6 hours
// A bucket holds about a thousand suffixes, kept as one string of some 36 KB: 1000 buckets stay near 36 MB.
export const CACHE_MAX_PREFIXES = 1000;

const PREFIX_LENGTH = 5;
const RANGE_LINE = /^([0-9A-F]{35}):(\d+)$/i;

export type BreachCheckLog = { warn(details: object, message: string): void };

export type BreachCheckOptions = {
  /** PWNED_PASSWORDS_URL, without a trailing slash. */
  url: string;
  log: BreachCheckLog;
  /** Milliseconds since the epoch; tests move it to expire the cache. */
  now?: () => number;
};

/** Why a check could not be made; logged, never shown to the member. */
class Unavailable extends Error {}

/** Whether a password is in the Pwned Passwords corpus; `undefined` when the service could not say in time. */
export type BreachCheck = { isBreached(password: string): Promise<boolean | undefined> };

/** The suffixes seen at least once, each between newlines: a Set of them would take twice the memory. */
type Found = string;

type Bucket = { found: Found; expiresAt: number };

export function createBreachCheck(options: BreachCheckOptions): BreachCheck {
  const now = options.now ?? Date.now;
  // Map keeps insertion order: re-inserting on a hit makes the first key the least recently used.
  const cache = new Map<string, Bucket>();
  // Concurrent sign-ups with passwords in one bucket share one request.
  const inFlight = new Map<string, Promise<Found>>();

  function cached(prefix: string): Found | undefined {
    const bucket = cache.get(prefix);
    if (!bucket) return undefined;
    cache.delete(prefix);
    if (bucket.expiresAt <= now()) return undefined;
    cache.set(prefix, bucket);
    return bucket.found;
  }

  function remember(prefix: string, found: Found): void {
    cache.delete(prefix);
    while (cache.size >= CACHE_MAX_PREFIXES) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    cache.set(prefix, { found, expiresAt: now() + CACHE_TTL_MS });
  }

  async function fetchBucket(prefix: string): Promise<Found> {
    let text: string;
    try {
      // The signal also bounds reading the body: the whole exchange gets one second.
      const response = await fetch(`${options.url}/range/${prefix}`, {
        headers: { 'Add-Padding': 'true' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Unavailable(`the service answered HTTP ${response.status}`);
      }
      text = await response.text();
    } catch (error) {
      if (error instanceof Unavailable) throw error;
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new Unavailable(`no answer within ${TIMEOUT_MS} ms`);
      const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      throw new Unavailable(`the service could not be reached${code ? ` (${code})` : ''}`);
    }
    const found: string[] = [];
    for (const line of text.split('\n').map((each) => each.trim())) {
      if (line === '') continue;
      const match = RANGE_LINE.exec(line);
      if (!match) throw new Unavailable('the answer is not a list of SUFFIX:COUNT lines');
      // Padding lines (Add-Padding) carry a count of 0: decoys, not breached passwords.
      if (Number(match[2]) > 0) found.push(match[1]!.toUpperCase());
    }
    return `\n${found.join('\n')}\n`;
  }

  async function bucketFor(prefix: string): Promise<Found> {
    const hit = cached(prefix);
    if (hit !== undefined) return hit;
    const pending = inFlight.get(prefix);
    if (pending) return pending;
    const request = fetchBucket(prefix).finally(() => inFlight.delete(prefix));
    inFlight.set(prefix, request);
    const found = await request;
    remember(prefix, found);
    return found;
  }

  return {
    async isBreached(password) {
      // The NFKC form is the password that gets stored and later compared (API.md §4).
      const hash = createHash('sha1').update(normalizePassword(password), 'utf8').digest('hex').toUpperCase();
      try {
        const found = await bucketFor(hash.slice(0, PREFIX_LENGTH));
        return found.includes(`\n${hash.slice(PREFIX_LENGTH)}\n`);
      } catch (error) {
        // Never an error for the member (API.md §16): whatever went wrong, the check is skipped.
        const why = error instanceof Unavailable ? error.message : 'an unexpected failure';
        // No prefix or hash in the line: with the time of a sign-up it would narrow the password down.
        options.log.warn({ check: 'pwned-passwords' }, `Breached-password check skipped: ${why}`);
        return undefined;
      }
    },
  };
}
