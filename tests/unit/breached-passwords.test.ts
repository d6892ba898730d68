import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '#server/config.ts';
import {
  CACHE_MAX_PREFIXES,
  CACHE_TTL_MS,
  createBreachCheck,
  type BreachCheckLog,
} from '#server/modules/passwords/breached-passwords.ts';
import { startPwnedStandIn, type PwnedStandIn } from '#tests/helpers/pwned-stand-in.ts';

const prefixOf = (password: string) => createHash('sha1').update(password, 'utf8').digest('hex').slice(0, 5);

let pwned: PwnedStandIn;

beforeAll(async () => {
  pwned = await startPwnedStandIn();
});
afterAll(async () => {
  await pwned?.close();
});
afterEach(() => {
  pwned.answerWith = null;
});

function recordingLog(): BreachCheckLog & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_details, message) => messages.push(message) };
}

/** `count` random passwords, no two with the same SHA-1 prefix. */
function passwordsInDistinctBuckets(count: number): string[] {
  const byPrefix = new Map<string, string>();
  while (byPrefix.size < count) {
    const password = randomBytes(12).toString('base64url');
    byPrefix.set(prefixOf(password), password);
  }
  return [...byPrefix.values()];
}

const requestsFor = (password: string) =>
  pwned.requests.filter((request) => request.path.toLowerCase() === `/range/${prefixOf(password)}`).length;

describe('createBreachCheck', () => {
  test('createBreachCheck finds a breached password and sends the prefix in uppercase', async () => {
    const check = createBreachCheck({ url: pwned.url, log: recordingLog() });
    const password = randomBytes(12).toString('base64url');
    pwned.breach(password);
    expect(await check.isBreached(password)).toBe(true);
    expect(pwned.requests.at(-1)?.path).toBe(`/range/${prefixOf(password).toUpperCase()}`);
  });

  test('createBreachCheck skips the check with a warning when the answer is not SUFFIX:COUNT lines, and does not cache it', async () => {
    const log = recordingLog();
    const check = createBreachCheck({ url: pwned.url, log });
    const password = randomBytes(12).toString('base64url');
    pwned.answerWith = '<html>Service temporarily unavailable</html>';
    expect(await check.isBreached(password)).toBeUndefined();
    expect(log.messages).toEqual([expect.stringMatching(/^Breached-password check skipped: /)]);
    pwned.answerWith = null;
    pwned.breach(password);
    expect(await check.isBreached(password)).toBe(true);
    expect(requestsFor(password)).toBe(2);
  });

  test('createBreachCheck asks again once a cached bucket is older than the TTL', async () => {
    let now = Date.now();
    const check = createBreachCheck({ url: pwned.url, log: recordingLog(), now: () => now });
    const password = randomBytes(12).toString('base64url');
    await check.isBreached(password);
    now += CACHE_TTL_MS - 1;
    await check.isBreached(password);
    expect(requestsFor(password)).toBe(1);
    now += 1;
    await check.isBreached(password);
    expect(requestsFor(password)).toBe(2);
  });

  test('createBreachCheck shares one request between concurrent checks of one bucket', async () => {
    const check = createBreachCheck({ url: pwned.url, log: recordingLog() });
    const password = randomBytes(12).toString('base64url');
    expect(await Promise.all([check.isBreached(password), check.isBreached(password)])).toEqual([false, false]);
    expect(requestsFor(password)).toBe(1);
  });

  test('createBreachCheck keeps at most CACHE_MAX_PREFIXES buckets, forgetting the least recently used', async () => {
    const check = createBreachCheck({ url: pwned.url, log: recordingLog() });
    const passwords = passwordsInDistinctBuckets(CACHE_MAX_PREFIXES + 1);
    const [first = '', second = ''] = passwords;
    const filling = passwords.slice(2, -1);
    const last = passwords.at(-1) ?? '';
    await check.isBreached(first);
    await check.isBreached(second);
    for (let i = 0; i < filling.length; i += 50)
      await Promise.all(filling.slice(i, i + 50).map((password) => check.isBreached(password)));
    await check.isBreached(first); // a hit: `first` is now the most recently used
    await check.isBreached(last); // one bucket too many: `second`, the least recently used, goes
    expect(requestsFor(first)).toBe(1);
    await check.isBreached(second);
    expect(requestsFor(second)).toBe(2);
  });
});

describe('loadConfig PWNED_PASSWORDS', () => {
  test('loadConfig turns the breached-password check on by default in production only', () => {
    expect(loadConfig({ NODE_ENV: 'production', RESEND_API_KEY: 're_1' }).pwnedPasswords).toEqual({
      enabled: true,
      url: 'https://api.pwnedpasswords.com',
    });
    expect(loadConfig({ NODE_ENV: 'test' }).pwnedPasswords.enabled).toBe(false);
    expect(loadConfig({}).pwnedPasswords.enabled).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', RESEND_API_KEY: 're_1', PWNED_PASSWORDS: 'off' }).pwnedPasswords.enabled,
    ).toBe(false);
    expect(loadConfig({ PWNED_PASSWORDS: 'on', PWNED_PASSWORDS_URL: 'http://127.0.0.1:9/' }).pwnedPasswords).toEqual({
      enabled: true,
      url: 'http://127.0.0.1:9',
    });
  });

  test('loadConfig refuses a PWNED_PASSWORDS other than on or off, and a PWNED_PASSWORDS_URL that is no http URL', () => {
    let problems: string[] = [];
    try {
      loadConfig({ PWNED_PASSWORDS: 'yes', PWNED_PASSWORDS_URL: 'ftp://example.com' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      'PWNED_PASSWORDS="yes": must be on or off',
      'PWNED_PASSWORDS_URL="ftp://example.com": must be an absolute http or https URL',
    ]);
  });
});
