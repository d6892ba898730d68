import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;
let member: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  member = await signUpAndVerify(server);
});
afterAll(async () => {
  await server?.close();
});

async function newDevice(): Promise<TestClient> {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error('expected signed_in');
  client.useSession(result.session);
  return client;
}

test('auth.logout ends the session: the access token is refused on the very next request and the cookie is cleared', async () => {
  const client = await newDevice();
  const refreshToken = client.refreshToken()!;
  expect((await client.trpc.auth.me.query()).id).toBe(member.session.user.id);

  expect(await client.trpc.auth.logout.mutate()).toEqual({ status: 'ok' });
  const cleared = client.lastResponse?.setCookies.find((cookie) => cookie.name === 'refresh_token');
  expect(cleared?.value).toBe('');
  expect(cleared?.attributes.get('max-age')).toBe('0');
  expect(cleared?.attributes.get('path')).toBe('/trpc');
  expect(client.refreshToken()).toBeUndefined();

  const me = await trpcError(client.trpc.auth.me.query());
  expect(me.data?.code).toBe('UNAUTHORIZED');
  expect(me.data?.reason).toBe('UNAUTHENTICATED');
  // The refresh token of the ended session is dead too, even if a copy survived.
  const copy = server.client();
  copy.cookies.set('refresh_token', refreshToken);
  expect((await trpcError(copy.trpc.auth.refresh.mutate())).data?.reason).toBe('UNAUTHENTICATED');
});

test('auth.logout ends only its own session: the member stays signed in on other devices', async () => {
  const phone = await newDevice();
  const laptop = await newDevice();
  await phone.trpc.auth.logout.mutate();
  expect((await laptop.trpc.auth.me.query()).id).toBe(member.session.user.id);
  await laptop.trpc.auth.refresh.mutate();
});

test('auth.logout is idempotent: a second call and a call with no credentials both answer Ok', async () => {
  const client = await newDevice();
  const accessToken = client.bearer!;
  expect(await client.trpc.auth.logout.mutate()).toEqual({ status: 'ok' });
  client.setBearer(accessToken);
  expect(await client.trpc.auth.logout.mutate()).toEqual({ status: 'ok' });
  expect(await server.client().trpc.auth.logout.mutate()).toEqual({ status: 'ok' });
});

test('auth.logout with a bearer token only needs no Origin and ends that session', async () => {
  const device = await newDevice();
  const apiClient = server.client({ origin: null, bearer: device.bearer });
  expect(await apiClient.trpc.auth.logout.mutate()).toEqual({ status: 'ok' });
  expect((await trpcError(device.trpc.auth.me.query())).data?.reason).toBe('UNAUTHENTICATED');
  expect((await trpcError(device.trpc.auth.refresh.mutate())).data?.reason).toBe('UNAUTHENTICATED');
});

test('auth.logout carrying the refresh cookie from a foreign Origin is FORBIDDEN and ends nothing', async () => {
  const device = await newDevice();
  for (const origin of ['https://evil.example', null]) {
    const forged = device.fork({ origin, bearer: null });
    const error = await trpcError(forged.trpc.auth.logout.mutate());
    expect(error.data?.code).toBe('FORBIDDEN');
    expect(forged.lastResponse?.headers.get('set-cookie')).toBeNull();
  }
  expect((await device.trpc.auth.me.query()).id).toBe(member.session.user.id);
});
