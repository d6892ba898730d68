import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DAY, MINUTE, deliveredMails, expectRateLimited, forwardClock } from '#tests/helpers/rate-limits.ts';
import {
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type AppClientError,
  type ClientOptions,
  type ParsedSetCookie,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §6, auth.login failures per account: 10 failures in 15 minutes from clients the account
// does not know throttle sign-in from such clients for 15 minutes; 40 a day at most; known
// devices (the signed `device` cookie) are exempt and their failures do not count.

const THROTTLE = 15 * MINUTE;
const TEST_TIME = 2 * MINUTE;
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;
const THROTTLE_NOTICE_SUBJECT = 'Many failed sign-ins';

let server: TestServer;
let clock: ReturnType<typeof forwardClock>;

beforeAll(async () => {
  server = await startTestServer();
  clock = forwardClock(server);
});
afterAll(async () => {
  await server?.close();
});

type Attempt = { error: AppClientError | null; client: TestClient };

/** One sign-in attempt; the error when it was refused. */
async function attempt(client: TestClient, email: string, password: string): Promise<Attempt> {
  try {
    const result = await client.trpc.auth.login.mutate({ email, password });
    if (result.status === 'signed_in') client.useSession(result.session);
    return { error: null, client };
  } catch (error) {
    if (error instanceof TRPCClientError) return { error: error as AppClientError, client };
    throw error;
  }
}

/** `count` wrong passwords, each from a new client on its own network (no device cookie). */
async function failFromStrangers(email: string, count: number): Promise<void> {
  for (let failure = 1; failure <= count; failure++) {
    const { error } = await attempt(server.client(), email, strongPassword());
    expect({ failure, reason: error?.data?.reason }).toEqual({ failure, reason: 'INVALID_CREDENTIALS' });
  }
}

async function expectSignsIn(client: TestClient, email: string, password: string): Promise<void> {
  const { error } = await attempt(client, email, password);
  expect(error?.data?.reason ?? 'signed_in').toBe('signed_in');
}

/** The right password from the client is refused as throttled; returns retryAfterSeconds. */
async function expectThrottled(
  client: TestClient,
  email: string,
  password: string,
  window = { atMost: THROTTLE, atLeast: THROTTLE - TEST_TIME },
): Promise<number> {
  const { error } = await attempt(client, email, password);
  if (!error) throw new Error('expected the sign-in to be refused, but it signed in');
  return expectRateLimited(error, client.lastResponse, window);
}

function deviceCookieOf(client: TestClient, name = 'device'): string {
  const value = client.cookies.get(name);
  if (!value) throw new Error(`the client holds no ${name} cookie: ${[...client.cookies.keys()].join(', ')}`);
  return value;
}

/** A client on a new network holding only the given cookies: a stranger's browser. */
function browserWith(cookies: Record<string, string>, options: ClientOptions = {}): TestClient {
  const client = server.client(options);
  for (const [name, value] of Object.entries(cookies)) client.cookies.set(name, value);
  return client;
}

const throttleNotices = (email: string, since: number) => deliveredMails(server, email, since, THROTTLE_NOTICE_SUBJECT);

describe('throttle', () => {
  test('auth.login refuses even the right password from a new client with RATE_LIMITED for 15 minutes after 10 failures from clients the account does not know', async () => {
    const owner = await signUpAndVerify(server);
    // Under the threshold nothing changes.
    await failFromStrangers(owner.email, 9);
    await expectSignsIn(server.client(), owner.email, owner.password);

    await failFromStrangers(owner.email, 1);
    await expectThrottled(server.client(), owner.email, owner.password);
    // A wrong password gets the same answer: the throttle does not check passwords.
    const wrong = await attempt(server.client(), owner.email, strongPassword());
    expectRateLimited(wrong.error!, wrong.client.lastResponse, { atMost: THROTTLE, atLeast: THROTTLE - TEST_TIME });

    clock.advance(THROTTLE - MINUTE);
    const waitLeft = await expectThrottled(server.client(), owner.email, owner.password, {
      atMost: MINUTE,
      atLeast: 1,
    });
    clock.advance(waitLeft);
    await expectSignsIn(server.client(), owner.email, owner.password);
  });

  test("auth.login lets the owner's known device sign in during the throttle, after a logout too, and answers its wrong passwords INVALID_CREDENTIALS", async () => {
    const owner = await signUpAndVerify(server);
    const device = owner.client;
    await expectSignsIn(device, owner.email, owner.password);
    await device.trpc.auth.logout.mutate();
    // Logging out drops the refresh cookie; the device cookie stays.
    expect(device.cookies.has('refresh_token')).toBe(false);
    expect(device.cookies.has('device')).toBe(true);

    await failFromStrangers(owner.email, 10);
    await expectThrottled(server.client(), owner.email, owner.password);

    for (let failure = 1; failure <= 3; failure++) {
      const { error } = await attempt(device, owner.email, strongPassword());
      expect({ failure, reason: error?.data?.reason }).toEqual({ failure, reason: 'INVALID_CREDENTIALS' });
    }
    await expectSignsIn(device, owner.email, owner.password);
    expect((await device.trpc.auth.me.query()).id).toBe(owner.session.user.id);
    // The device's other browser tab (same cookies) too; a stranger still not.
    await expectSignsIn(device.fork(), owner.email, owner.password);
    await expectThrottled(server.client(), owner.email, owner.password);
  });

  test('auth.login does not count failures from a device the account signed in from: 12 of them throttle nothing and mail no notice', async () => {
    const owner = await signUpAndVerify(server);
    const since = server.mail.mark();
    for (let failure = 1; failure <= 12; failure++) {
      const { error } = await attempt(owner.client, owner.email, strongPassword());
      expect({ failure, reason: error?.data?.reason }).toEqual({ failure, reason: 'INVALID_CREDENTIALS' });
    }
    await expectSignsIn(server.client(), owner.email, owner.password);
    expect(await throttleNotices(owner.email, since)).toEqual([]);
  });

  test('auth.login gives no exemption for a forged, tampered, unsigned or foreign device cookie, only for the one the server gave the owner', async () => {
    const [owner, other] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
    const ownerCookie = deviceCookieOf(owner.client);
    const otherCookie = deviceCookieOf(other.client);
    const [ownerPayload = '', ownerSignature = ''] = ownerCookie.split('.');
    const [otherPayload = '', otherSignature = ''] = otherCookie.split('.');
    const listing = (ids: string[]) => Buffer.from(JSON.stringify(ids)).toString('base64url');
    // The cookie is readable by design (it only lists account ids); its signature is what counts.
    expect(JSON.parse(Buffer.from(ownerPayload, 'base64url').toString('utf8'))).toEqual([owner.session.user.id]);

    await failFromStrangers(owner.email, 10);
    const forgeries: Record<string, Record<string, string>> = {
      "the owner's id with a made-up signature": {
        device: `${listing([owner.session.user.id])}.${'A'.repeat(ownerSignature.length)}`,
      },
      "the owner's id with another account's valid signature": { device: `${ownerPayload}.${otherSignature}` },
      "another account's payload with the owner's signature": { device: `${otherPayload}.${ownerSignature}` },
      "both accounts listed under the other account's signature": {
        device: `${listing([other.session.user.id, owner.session.user.id])}.${otherSignature}`,
      },
      "the owner's payload without a signature": { device: ownerPayload },
      "the owner's id as plain text": { device: owner.session.user.id },
      "another account's valid cookie": { device: otherCookie },
      "the owner's valid cookie under another name": { '__Secure-device': ownerCookie, devices: ownerCookie },
    };
    for (const [what, cookies] of Object.entries(forgeries)) {
      const client = browserWith(cookies);
      const { error } = await attempt(client, owner.email, owner.password);
      expect({ what, reason: error?.data?.reason }).toEqual({ what, reason: 'RATE_LIMITED' });
    }
    // The real cookie, copied into another browser on another network, is the exemption.
    await expectSignsIn(browserWith({ device: ownerCookie }), owner.email, owner.password);
  });

  test('auth.login exempts every account a device lists: one browser used by two members keeps both in', async () => {
    const [first, second] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
    const shared = first.client;
    await expectSignsIn(shared, second.email, second.password);
    const ids = JSON.parse(
      Buffer.from(deviceCookieOf(shared).split('.')[0]!, 'base64url').toString('utf8'),
    ) as string[];
    expect([...ids].sort()).toEqual([first.session.user.id, second.session.user.id].sort());

    await failFromStrangers(first.email, 10);
    await failFromStrangers(second.email, 10);
    await expectThrottled(server.client(), first.email, first.password);
    await expectThrottled(server.client(), second.email, second.password);
    await expectSignsIn(shared, first.email, first.password);
    await expectSignsIn(shared, second.email, second.password);
  });

  test('auth.login throttles an unknown email after 10 failures with the same answer as a real account, so the throttle reveals nothing', async () => {
    const owner = await signUpAndVerify(server);
    const ghost = uniqueEmail('ghost');
    const since = server.mail.mark();
    await failFromStrangers(owner.email, 10);
    await failFromStrangers(ghost, 9);
    // The 10th failure against the ghost still answers INVALID_CREDENTIALS, like a real account's.
    await failFromStrangers(ghost, 1);

    const real = await attempt(server.client(), owner.email, strongPassword());
    const unknown = await attempt(server.client(), ghost, strongPassword());
    const realSeconds = expectRateLimited(real.error!, real.client.lastResponse, {
      atMost: THROTTLE,
      atLeast: THROTTLE - TEST_TIME,
    });
    const unknownSeconds = expectRateLimited(unknown.error!, unknown.client.lastResponse, {
      atMost: THROTTLE,
      atLeast: THROTTLE - TEST_TIME,
    });
    expect(unknown.error!.message).toBe(real.error!.message);
    expect(Object.keys(unknown.error!.data!).sort()).toEqual(Object.keys(real.error!.data!).sort());
    expect(Math.abs(unknownSeconds - realSeconds)).toBeLessThanOrEqual(TEST_TIME);
    // Nobody is mailed at an address without an account.
    expect(await deliveredMails(server, ghost, since)).toEqual([]);
  });
});

describe('throttle notice', () => {
  test('auth.login mails the owner exactly one "Many failed sign-ins" notice for a throttle period, however many attempts follow', async () => {
    const owner = await signUpAndVerify(server);
    const since = server.mail.mark();
    await failFromStrangers(owner.email, 10);
    const notices = await throttleNotices(owner.email, since);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(`${server.url}/forgot-password`);

    for (let more = 1; more <= 10; more++) {
      const { error } = await attempt(server.client(), owner.email, strongPassword());
      expect({ more, reason: error?.data?.reason }).toEqual({ more, reason: 'RATE_LIMITED' });
    }
    expect(await throttleNotices(owner.email, since)).toHaveLength(1);
  });

  test('auth.login mails exactly one notice when the 10 failures arrive at once, and none for more that follow at once', async () => {
    const owner = await signUpAndVerify(server);
    const since = server.mail.mark();
    const together = (count: number) =>
      Promise.all(Array.from({ length: count }, () => attempt(server.client(), owner.email, strongPassword()))).then(
        (results) => results.map((result) => result.error?.data?.reason),
      );
    // None of the ten can be refused: the throttle opens only once the tenth failure is counted.
    expect(await together(10)).toEqual(Array.from({ length: 10 }, () => 'INVALID_CREDENTIALS'));
    expect(await throttleNotices(owner.email, since)).toHaveLength(1);

    expect(await together(6)).toEqual(Array.from({ length: 6 }, () => 'RATE_LIMITED'));
    expect(await throttleNotices(owner.email, since)).toHaveLength(1);
    await expectThrottled(server.client(), owner.email, owner.password);
  });
});

describe('daily limit', () => {
  test('auth.login keeps refusing unknown clients after 40 failures in a day, even once the 15-minute throttle is over, until the day has passed', async () => {
    const owner = await signUpAndVerify(server);
    const since = server.mail.mark();
    for (let period = 1; period <= 4; period++) {
      await failFromStrangers(owner.email, 10);
      await expectThrottled(server.client(), owner.email, owner.password);
      clock.advance(THROTTLE + 5);
    }
    // 40 failures within the day: the throttle period is over, the daily limit is not.
    const seconds = await expectThrottled(server.client(), owner.email, owner.password, {
      atMost: DAY,
      atLeast: DAY - 4 * (THROTTLE + 5) - TEST_TIME,
    });
    expect(seconds).toBeGreaterThan(THROTTLE);
    // One notice per throttle period.
    expect(await throttleNotices(owner.email, since)).toHaveLength(4);
    // The owner's own device still gets in.
    await expectSignsIn(owner.client, owner.email, owner.password);

    clock.advance(seconds);
    await expectSignsIn(server.client(), owner.email, owner.password);
  });
});

describe('device cookie', () => {
  function deviceSetCookies(client: TestClient, name: string): ParsedSetCookie[] {
    return client.responses.flatMap((response) => response.setCookies).filter((cookie) => cookie.name === name);
  }

  test('auth.verifyEmail, auth.login, auth.refresh and auth.password.change set the device cookie: HttpOnly, SameSite=Strict, Path=/trpc, one year', async () => {
    const owner = await signUpAndVerify(server);
    const client = owner.client;
    const count = () => deviceSetCookies(client, 'device').length;
    expect(count()).toBe(1); // verifyEmail
    await expectSignsIn(client, owner.email, owner.password);
    expect(count()).toBe(2);
    client.useSession(await client.trpc.auth.refresh.mutate());
    expect(count()).toBe(3);
    await client.trpc.auth.password.change.mutate({ currentPassword: owner.password, newPassword: strongPassword() });
    expect(count()).toBe(4);

    for (const cookie of deviceSetCookies(client, 'device')) {
      expect(Object.fromEntries(cookie.attributes)).toEqual({
        'max-age': String(ONE_YEAR_SECONDS),
        path: '/trpc',
        httponly: true,
        samesite: 'Strict',
      });
    }
    // With an http PUBLIC_URL the cookie never takes the __Secure- name.
    expect(deviceSetCookies(client, '__Secure-device')).toEqual([]);
  });
});

describe('with an https PUBLIC_URL', () => {
  const PUBLIC_URL = 'https://accounts.example.com';
  let secure: TestServer;
  let owner: SignedUp;

  beforeAll(async () => {
    secure = await startTestServer({ PUBLIC_URL });
    owner = await signUpAndVerify(secure, {}, { origin: PUBLIC_URL });
  });
  afterAll(async () => {
    await secure?.close();
  });

  test("the device cookie is __Secure-device and marked Secure, and it exempts the owner's device from the throttle", async () => {
    const cookies = owner.client.responses
      .flatMap((response) => response.setCookies)
      .filter((cookie) => cookie.name.endsWith('device'));
    expect(cookies).toHaveLength(1);
    expect(cookies[0]!.name).toBe('__Secure-device');
    expect(Object.fromEntries(cookies[0]!.attributes)).toEqual({
      'max-age': String(ONE_YEAR_SECONDS),
      path: '/trpc',
      httponly: true,
      samesite: 'Strict',
      secure: true,
    });

    for (let failure = 1; failure <= 10; failure++) {
      await trpcError(
        secure
          .client({ origin: PUBLIC_URL })
          .trpc.auth.login.mutate({ email: owner.email, password: strongPassword() }),
      );
    }
    const stranger = secure.client({ origin: PUBLIC_URL });
    expect(
      (await trpcError(stranger.trpc.auth.login.mutate({ email: owner.email, password: owner.password }))).data?.reason,
    ).toBe('RATE_LIMITED');

    // The same value without the prefix is not the device cookie on https.
    const unprefixed = secure.client({ origin: PUBLIC_URL });
    unprefixed.cookies.set('device', owner.client.cookies.get('__Secure-device')!);
    expect(
      (await trpcError(unprefixed.trpc.auth.login.mutate({ email: owner.email, password: owner.password }))).data
        ?.reason,
    ).toBe('RATE_LIMITED');

    const result = await owner.client.trpc.auth.login.mutate({ email: owner.email, password: owner.password });
    expect(result.status).toBe('signed_in');
  });
});
