import { createHmac, webcrypto } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createJWTSignatureMessage, encodeJWT } from '@oslojs/jwt';
import {
  decodeJwt,
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

type Json = Record<string, unknown>;

let server: TestServer;
let member: SignedUp;
let serverKey: { kid: string; privateKey: CryptoKey };
let otherKey: CryptoKey;

beforeAll(async () => {
  server = await startTestServer();
  member = await signUpAndVerify(server);
  // The server's own signing key: lets the tests change one claim at a time.
  const { kid, privateKey } = server.app.deps.keys.current;
  serverKey = { kid, privateKey };
  otherKey = (await webcrypto.subtle.generateKey(ES256, true, ['sign', 'verify'])).privateKey;
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

async function signEs256(header: Json, payload: Json, key: CryptoKey): Promise<string> {
  const headerJSON = JSON.stringify(header);
  const payloadJSON = JSON.stringify(payload);
  const signature = new Uint8Array(
    await webcrypto.subtle.sign(SIGN, key, createJWTSignatureMessage(headerJSON, payloadJSON)),
  );
  return encodeJWT(headerJSON, payloadJSON, signature);
}

const genuine = () => decodeJwt(member.session.accessToken);
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** The member's real claims with a fresh iat/exp, plus any changes. */
const claims = (changes: Json = {}): Json => ({
  ...genuine().payload,
  iat: nowSeconds(),
  exp: nowSeconds() + 900,
  ...changes,
});
const header = (changes: Json = {}): Json => ({ alg: 'ES256', typ: 'at+jwt', kid: serverKey.kid, ...changes });

async function meWith(token: string) {
  return server.client({ bearer: token }).trpc.auth.me.query();
}

async function expectRefused(token: string) {
  const error = await trpcError(meWith(token));
  expect(error.data?.code).toBe('UNAUTHORIZED');
  expect(error.data?.httpStatus).toBe(401);
  expect(error.data?.reason).toBe('UNAUTHENTICATED');
}

test('auth.me accepts a token built here with the server key and the genuine claims (the forgeries below differ only where named)', async () => {
  const me = await meWith(await signEs256(header(), claims(), serverKey.privateKey));
  expect(me.id).toBe(member.session.user.id);
});

test('auth.me refuses a token signed with another P-256 key under the server key id', async () => {
  await expectRefused(await signEs256(header(), claims(), otherKey));
});

test('auth.me refuses a token signed with another P-256 key under an unknown key id', async () => {
  await expectRefused(await signEs256(header({ kid: 'unknown-key' }), claims(), otherKey));
  await expectRefused(await signEs256(header({ kid: 'unknown-key' }), claims(), serverKey.privateKey));
});

test('auth.me refuses an unsigned token with alg none', async () => {
  const headerJSON = JSON.stringify(header({ alg: 'none' }));
  await expectRefused(encodeJWT(headerJSON, JSON.stringify(claims()), new Uint8Array(0)));
});

test('auth.me refuses an HS256 token keyed with the published JWKS', async () => {
  const jwks = await (await server.fetch('/.well-known/jwks.json')).text();
  const headerJSON = JSON.stringify(header({ alg: 'HS256' }));
  const payloadJSON = JSON.stringify(claims());
  const mac = createHmac('sha256', jwks).update(createJWTSignatureMessage(headerJSON, payloadJSON)).digest();
  await expectRefused(encodeJWT(headerJSON, payloadJSON, new Uint8Array(mac)));
});

test('auth.me refuses an expired token signed with the server key', async () => {
  await expectRefused(
    await signEs256(header(), claims({ iat: nowSeconds() - 1000, exp: nowSeconds() - 10 }), serverKey.privateKey),
  );
});

test('auth.me refuses a genuine access token 15 minutes after it was issued, and accepts it just before', async () => {
  const token = member.session.accessToken;
  const issuedAt = genuine().payload.iat as number;
  server.shiftClock(issuedAt + 14 * 60 - nowSeconds());
  expect((await meWith(token)).id).toBe(member.session.user.id);
  server.shiftClock(issuedAt + 15 * 60 + 1 - nowSeconds());
  await expectRefused(token);
});

test('auth.me refuses a token with another audience or issuer, signed with the server key', async () => {
  await expectRefused(await signEs256(header(), claims({ aud: 'https://other.example' }), serverKey.privateKey));
  await expectRefused(await signEs256(header(), claims({ iss: 'https://other.example' }), serverKey.privateKey));
});

test('auth.me refuses a token without the at+jwt type, signed with the server key', async () => {
  await expectRefused(await signEs256(header({ typ: 'JWT' }), claims(), serverKey.privateKey));
  await expectRefused(await signEs256(header({ typ: 'refresh+jwt' }), claims(), serverKey.privateKey));
});

test('auth.me refuses the refresh token used as a bearer token', async () => {
  const refreshToken = member.client.refreshToken()!;
  expect(decodeJwt(refreshToken).header.typ).toBe('refresh+jwt');
  await expectRefused(refreshToken);
});

test('auth.me refuses a genuine token whose payload was changed', async () => {
  const [headerPart, , signature] = member.session.accessToken.split('.');
  // A longer life is a change the other checks would let through: only the signature catches it.
  const payload = Buffer.from(
    JSON.stringify({ ...genuine().payload, exp: (genuine().payload.exp as number) + 86_400 }),
  ).toString('base64url');
  await expectRefused(`${headerPart}.${payload}.${signature}`);
  await expectRefused(`${member.session.accessToken.slice(0, -4)}AAAA`);
  await expectRefused('not.a.jwt');
});

test('/.well-known/jwks.json publishes the ES256 public key that verifies a genuine access token', async () => {
  const response = await server.fetch('/.well-known/jwks.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const jwks = (await response.json()) as { keys: Array<JsonWebKey & { kid: string }> };
  expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
  for (const key of jwks.keys) {
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: expect.any(String) });
    expect(key).not.toHaveProperty('d');
  }

  const { header: tokenHeader } = genuine();
  expect(tokenHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
  const jwk = jwks.keys.find((key) => key.kid === tokenHeader.kid);
  expect(jwk).toBeDefined();
  const publicKey = await webcrypto.subtle.importKey('jwk', jwk!, ES256, false, ['verify']);
  const [h, p, s] = member.session.accessToken.split('.') as [string, string, string];
  const message = new TextEncoder().encode(`${h}.${p}`);
  expect(await webcrypto.subtle.verify(SIGN, publicKey, Buffer.from(s, 'base64url'), message)).toBe(true);
  // The same key does not verify a changed payload.
  const changed = new TextEncoder().encode(`${h}.${Buffer.from('{"sub":"someone-else"}').toString('base64url')}`);
  expect(await webcrypto.subtle.verify(SIGN, publicKey, Buffer.from(s, 'base64url'), changed)).toBe(false);
});

test('access tokens carry iss and aud = PUBLIC_URL, sub, sid, role, iat and a 15-minute exp', async () => {
  const { payload } = genuine();
  expect(payload).toEqual({
    iss: server.url,
    aud: server.url,
    sub: member.session.user.id,
    sid: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
    role: 'user',
    iat: expect.any(Number),
    exp: expect.any(Number),
  });
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  expect(exp - iat).toBe(900);
  expect(Math.abs(iat - nowSeconds())).toBeLessThan(120);
  expect(member.session.accessTokenExpiresAt).toBe(new Date(exp * 1000).toISOString());
});

test('auth.me answers a burst of concurrent calls from several members each with their own account, and refuses in the same burst an ended session and a token naming another member’s session', async () => {
  const others = await Promise.all([signUpAndVerify(server), signUpAndVerify(server), signUpAndVerify(server)]);
  const [second, ended, third] = others as [SignedUp, SignedUp, SignedUp];
  await ended.client.trpc.auth.logout.mutate();
  // A genuine signature on the first member's session id, but naming the second member.
  const crossed = await signEs256(header(), claims({ sub: second.session.user.id }), serverKey.privateKey);

  const calls = Array.from({ length: 12 }, () => [
    { expected: member.session.user.id, call: meWith(member.session.accessToken) },
    { expected: second.session.user.id, call: meWith(second.session.accessToken) },
    { expected: null, call: meWith(ended.session.accessToken) },
    { expected: third.session.user.id, call: meWith(third.session.accessToken) },
    { expected: null, call: meWith(crossed) },
  ]).flat();
  const answers = await Promise.allSettled(calls.map(({ call }) => call));
  answers.forEach((answer, i) => {
    const { expected } = calls[i]!;
    if (expected === null) {
      expect(answer.status).toBe('rejected');
      if (answer.status === 'rejected')
        expect((answer.reason as { data?: { reason?: string } }).data?.reason).toBe('UNAUTHENTICATED');
    } else {
      expect(answer.status === 'fulfilled' ? answer.value.id : answer.reason).toBe(expected);
    }
  });
});
