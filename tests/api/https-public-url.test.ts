import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  decodeJwt,
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// The server sits behind a TLS-terminating proxy: it listens on plain http, PUBLIC_URL is https.
const PUBLIC_URL = 'https://accounts.example.com';

let server: TestServer;
let member: SignedUp;

beforeAll(async () => {
  server = await startTestServer({ PUBLIC_URL });
  member = await signUpAndVerify(server, {}, { origin: PUBLIC_URL });
});
afterAll(async () => {
  await server?.close();
});

test('with an https PUBLIC_URL every response has Strict-Transport-Security for one year', async () => {
  for (const path of ['/healthz', '/login', '/trpc/auth.me', '/.well-known/jwks.json']) {
    const response = await server.fetch(path);
    await response.arrayBuffer();
    expect({ path, hsts: response.headers.get('strict-transport-security') }).toEqual({
      path,
      hsts: expect.stringMatching(/^max-age=31536000\b/),
    });
  }
});

test('with an https PUBLIC_URL the refresh cookie is __Secure-refresh_token and marked Secure', async () => {
  const cookies = member.client.responses.flatMap((response) => response.setCookies);
  const refresh = cookies.filter((cookie) => cookie.name.includes('refresh_token'));
  expect(refresh).toHaveLength(1);
  expect(refresh[0]!.name).toBe('__Secure-refresh_token');
  expect(Object.fromEntries(refresh[0]!.attributes)).toEqual({
    'max-age': String(30 * 24 * 60 * 60),
    path: '/trpc',
    httponly: true,
    samesite: 'Strict',
    secure: true,
  });
});

test('with an https PUBLIC_URL links in mail and token claims use it', async () => {
  expect(member.verificationMail.text).toContain(`${PUBLIC_URL}/verify-email?token=`);
  const { payload } = decodeJwt(member.session.accessToken);
  expect(payload.iss).toBe(PUBLIC_URL);
  expect(payload.aud).toBe(PUBLIC_URL);
});

test('with an https PUBLIC_URL auth.refresh reads the __Secure- cookie and wants the https Origin', async () => {
  const wrongScheme = member.client.fork({ origin: server.url });
  expect((await trpcError(wrongScheme.trpc.auth.refresh.mutate())).data?.reason).toBe('FORBIDDEN');

  const session = await member.client.trpc.auth.refresh.mutate();
  expect(session.user.id).toBe(member.session.user.id);
  const rotated = member.client.lastResponse?.setCookies.find((cookie) => cookie.name === '__Secure-refresh_token');
  expect(rotated?.attributes.get('secure')).toBe(true);

  // A cookie without the prefix is not the refresh cookie here.
  const unprefixed = server.client({ origin: PUBLIC_URL });
  unprefixed.cookies.set('refresh_token', member.client.refreshToken('__Secure-refresh_token')!);
  expect((await trpcError(unprefixed.trpc.auth.refresh.mutate())).data?.reason).toBe('UNAUTHENTICATED');
});

test('with an https PUBLIC_URL auth.logout clears the __Secure- cookie with the Secure attribute', async () => {
  await member.client.trpc.auth.logout.mutate();
  const cleared = member.client.lastResponse?.setCookies.find((cookie) => cookie.name === '__Secure-refresh_token');
  expect(cleared?.attributes.get('max-age')).toBe('0');
  expect(cleared?.attributes.get('secure')).toBe(true);
});
