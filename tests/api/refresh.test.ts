import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import {
  decodeJwt,
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const DAY = 24 * 60 * 60;
const EXTRA_ORIGIN = 'https://app.example.com';

let server: TestServer;
let member: SignedUp;

beforeAll(async () => {
  server = await startTestServer({ ALLOWED_ORIGINS: EXTRA_ORIGIN });
  member = await signUpAndVerify(server);
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

/** A new session of the member on a new client (a new device). */
async function newDevice(): Promise<TestClient> {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error('expected signed_in');
  client.useSession(result.session);
  return client;
}

async function refresh(client: TestClient) {
  const session = await client.trpc.auth.refresh.mutate();
  client.useSession(session);
  return session;
}

const refreshCookie = (client: TestClient) =>
  client.lastResponse?.setCookies.find((cookie) => cookie.name === 'refresh_token');

test('auth.refresh rotates the refresh cookie and returns a working access token for the same session', async () => {
  const client = await newDevice();
  const before = client.refreshToken();
  const firstAccess = client.bearer!;
  const session = await refresh(client);

  const cookie = refreshCookie(client);
  expect(cookie?.value).toBeTruthy();
  expect(cookie?.value).not.toBe(before);
  expect(Object.fromEntries(cookie!.attributes)).toEqual({
    'max-age': String(30 * DAY),
    path: '/trpc',
    httponly: true,
    samesite: 'Strict',
  });
  expect(JSON.stringify(session)).not.toContain(cookie!.value);
  expect(session.user.id).toBe(member.session.user.id);
  expect(decodeJwt(session.accessToken).payload.sid).toBe(decodeJwt(firstAccess).payload.sid);
  expect((await client.trpc.auth.me.query()).email).toBe(member.email);
  // The access token from before the rotation belongs to the same live session.
  client.setBearer(firstAccess);
  expect((await client.trpc.auth.me.query()).id).toBe(member.session.user.id);
});

test('auth.refresh accepts a just-retired token from a second tab inside the grace window, and both tabs keep a working session', async () => {
  const tabA = await newDevice();
  const tabB = tabA.fork();
  const sid = decodeJwt(tabA.bearer!).payload.sid;

  await refresh(tabA);
  server.shiftClock(5); // still inside the default 10-second window
  const late = await refresh(tabB);
  expect(decodeJwt(late.accessToken).payload.sid).toBe(sid);
  expect(tabB.refreshToken()).toBeTruthy();

  for (const tab of [tabA, tabB, tabA, tabB]) {
    await refresh(tab);
    expect((await tab.trpc.auth.me.query()).id).toBe(member.session.user.id);
  }
});

test('auth.refresh treats a retired token presented after the grace window as reuse and revokes the session at once', async () => {
  const tabA = await newDevice();
  const thief = tabA.fork();
  await refresh(tabA);
  expect((await tabA.trpc.auth.me.query()).id).toBe(member.session.user.id);

  server.shiftClock(60); // the default window is 10 seconds; the access token is still unexpired
  const reuse = await trpcError(thief.trpc.auth.refresh.mutate());
  expect(reuse.data?.code).toBe('UNAUTHORIZED');
  expect(reuse.data?.reason).toBe('UNAUTHENTICATED');
  expect(thief.refreshToken()).toBeUndefined();

  // The legitimate tab's access token is refused on its very next request...
  const me = await trpcError(tabA.trpc.auth.me.query());
  expect(me.data?.code).toBe('UNAUTHORIZED');
  expect(me.data?.reason).toBe('UNAUTHENTICATED');
  // ...and its newest refresh token no longer works either.
  const newest = await trpcError(tabA.trpc.auth.refresh.mutate());
  expect(newest.data?.reason).toBe('UNAUTHENTICATED');
});

test('auth.refresh without a cookie answers UNAUTHENTICATED and clears the cookie', async () => {
  const client = server.client();
  const error = await trpcError(client.trpc.auth.refresh.mutate());
  expect(error.data?.code).toBe('UNAUTHORIZED');
  expect(error.data?.reason).toBe('UNAUTHENTICATED');
  const cookie = refreshCookie(client);
  expect(cookie?.value).toBe('');
  expect(cookie?.attributes.get('max-age')).toBe('0');
  expect(cookie?.attributes.get('path')).toBe('/trpc');
});

test('auth.refresh answers a malformed or foreign cookie with UNAUTHENTICATED and clears it', async () => {
  const device = await newDevice();
  for (const value of ['not-a-jwt', device.bearer!]) {
    // The second one is an access token: never accepted as a refresh token.
    const client = server.client();
    client.cookies.set('refresh_token', value);
    const error = await trpcError(client.trpc.auth.refresh.mutate());
    expect(error.data?.reason).toBe('UNAUTHENTICATED');
    expect(client.refreshToken()).toBeUndefined();
    expect(refreshCookie(client)?.attributes.get('max-age')).toBe('0');
  }
});

test('auth.refresh refuses a foreign, null or missing Origin with FORBIDDEN, sets no cookie and leaves the token usable', async () => {
  const device = await newDevice();
  for (const origin of ['https://evil.example', 'null', server.url.replace('127.0.0.1', 'localhost'), null]) {
    const forged = device.fork({ origin });
    const error = await trpcError(forged.trpc.auth.refresh.mutate());
    expect(error.data?.code).toBe('FORBIDDEN');
    expect(error.data?.reason).toBe('FORBIDDEN');
    expect(forged.lastResponse?.headers.get('set-cookie')).toBeNull();
  }
  // Nothing was rotated or revoked: the real page still refreshes.
  await refresh(device);
  expect((await device.trpc.auth.me.query()).id).toBe(member.session.user.id);
});

test('auth.refresh accepts an Origin listed in ALLOWED_ORIGINS', async () => {
  const device = await newDevice();
  const other = device.fork({ origin: EXTRA_ORIGIN });
  const session = await refresh(other);
  expect(session.user.id).toBe(member.session.user.id);
});

test('auth.refresh extends the cookie by 30 days at each rotation but never past the 90-day session', async () => {
  const client = await newDevice();
  for (const day of [25, 50]) {
    server.shiftClock(day * DAY);
    await refresh(client);
    expect(refreshCookie(client)?.attributes.get('max-age')).toBe(String(30 * DAY));
  }
  server.shiftClock(75 * DAY);
  await refresh(client);
  const maxAge = Number(refreshCookie(client)?.attributes.get('max-age'));
  expect(maxAge).toBeLessThanOrEqual(15 * DAY);
  expect(maxAge).toBeGreaterThan(15 * DAY - 60);
  expect((await client.trpc.auth.me.query()).id).toBe(member.session.user.id);

  server.shiftClock(90 * DAY + 60);
  const error = await trpcError(client.trpc.auth.refresh.mutate());
  expect(error.data?.reason).toBe('UNAUTHENTICATED');
});

test('auth.refresh refuses a refresh token older than 30 days', async () => {
  const client = await newDevice();
  server.shiftClock(30 * DAY + 60);
  const error = await trpcError(client.trpc.auth.refresh.mutate());
  expect(error.data?.reason).toBe('UNAUTHENTICATED');
});
