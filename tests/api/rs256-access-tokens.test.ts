import { createHmac, createPublicKey, randomBytes, verify, webcrypto, type JsonWebKey as NodeJwk } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJWTSignatureMessage, encodeJWT } from '@oslojs/jwt';
import type { SigningKey } from '#server/modules/keys/signing-keys.ts';
import { runAdminCommand } from '#tests/helpers/admin-command.ts';
import { sharedDataDir, type SharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import {
  decodeJwt,
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §16: ACCESS_TOKEN_ALG=RS256 signs with RSA 3072 keys for verifiers that accept only RSA;
// switching keeps earlier tokens valid (both keys in the JWKS); a token's alg must be its key's.

type Json = Record<string, unknown>;
type PublishedKey = NodeJwk & { kid: string; alg: string; use: string; kty: string };

const PUBLIC_URL = 'http://latchkey.test';
const origin = PUBLIC_URL;

async function jwksOf(server: TestServer): Promise<PublishedKey[]> {
  const response = await server.fetch('/.well-known/jwks.json');
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: PublishedKey[] }).keys;
}

async function expectRefused(server: TestServer, token: string) {
  const error = await trpcError(server.client({ bearer: token, origin }).trpc.auth.me.query());
  expect({ status: error.data?.httpStatus, reason: error.data?.reason }).toEqual({
    status: 401,
    reason: 'UNAUTHENTICATED',
  });
}

const meWith = (server: TestServer, token: string) => server.client({ bearer: token, origin }).trpc.auth.me.query();

/** What Node's own JOSE-free verifier says of an RS256 token against a published JWK. */
function nodeVerifiesRs256(token: string, jwk: NodeJwk): boolean {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
}

async function signWith(key: SigningKey, header: Json, payload: Json): Promise<string> {
  const headerJSON = JSON.stringify(header);
  const payloadJSON = JSON.stringify(payload);
  const message = createJWTSignatureMessage(headerJSON, payloadJSON);
  const signature = new Uint8Array(await webcrypto.subtle.sign(key.signParams, key.privateKey, message));
  return encodeJWT(headerJSON, payloadJSON, signature);
}

function hs256(header: Json, payload: Json, secret: string): string {
  const headerJSON = JSON.stringify({ ...header, alg: 'HS256' });
  const payloadJSON = JSON.stringify(payload);
  const mac = createHmac('sha256', secret).update(createJWTSignatureMessage(headerJSON, payloadJSON)).digest();
  return encodeJWT(headerJSON, payloadJSON, new Uint8Array(mac));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** A member's genuine claims with a fresh iat and exp: the forgeries differ only where named. */
const freshClaims = (token: string): Json => ({
  ...decodeJwt(token).payload,
  iat: nowSeconds(),
  exp: nowSeconds() + 900,
});

describe('a server with ACCESS_TOKEN_ALG=RS256', () => {
  let server: TestServer;
  let member: SignedUp;

  beforeAll(async () => {
    server = await startTestServer({ ACCESS_TOKEN_ALG: 'RS256' });
    member = await signUpAndVerify(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('auth.login signs an RS256 access token that Node verifies with the RSA 3072 key of the JWKS, and auth.me takes it', async () => {
    const signedIn = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    if (signedIn.status !== 'signed_in') throw new Error(`expected signed_in, got ${signedIn.status}`);
    const token = signedIn.session.accessToken;
    const { header } = decodeJwt(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) });

    const keys = await jwksOf(server);
    expect(keys).toHaveLength(1);
    const jwk = keys[0]!;
    expect(jwk).toEqual({ kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: header.kid, use: 'sig', alg: 'RS256' });
    expect(Buffer.from(jwk.n!, 'base64url').length * 8).toBe(3072);
    expect(createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails?.modulusLength).toBe(3072);

    expect(nodeVerifiesRs256(token, jwk)).toBe(true);
    const [h, , s] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...decodeJwt(token).payload, role: 'admin' })).toString(
      'base64url',
    );
    expect(nodeVerifiesRs256(`${h}.${otherPayload}.${s}`, jwk)).toBe(false);

    expect((await meWith(server, token)).id).toBe(member.session.user.id);
  });

  test('auth.refresh takes an RS256 refresh token and answers with RS256 tokens of the same key', async () => {
    const tab = member.client.fork();
    const refreshToken = tab.refreshToken()!;
    expect(decodeJwt(refreshToken).header).toEqual({ alg: 'RS256', typ: 'refresh+jwt', kid: expect.any(String) });
    const refreshed = await tab.trpc.auth.refresh.mutate();
    const [jwk] = await jwksOf(server);
    expect(decodeJwt(refreshed.accessToken).header).toMatchObject({ alg: 'RS256', kid: jwk!.kid });
    expect(decodeJwt(tab.refreshToken()!).header).toMatchObject({ alg: 'RS256', kid: jwk!.kid });
    expect(tab.refreshToken()).not.toBe(refreshToken);
    expect(nodeVerifiesRs256(refreshed.accessToken, jwk!)).toBe(true);
    expect((await meWith(server, refreshed.accessToken)).id).toBe(member.session.user.id);
  });

  test('auth.me accepts an RS256 token built here with the server key (the forgeries below differ only where named)', async () => {
    const key = server.app.deps.keys.current;
    const token = await signWith(
      key,
      { alg: 'RS256', typ: 'at+jwt', kid: key.kid },
      freshClaims(member.session.accessToken),
    );
    expect((await meWith(server, token)).id).toBe(member.session.user.id);
  });

  test('auth.me refuses an RS256 token re-signed as HS256 with the public key, as PEM or as JWK, for the HMAC secret', async () => {
    const [jwk] = await jwksOf(server);
    const header = { typ: 'at+jwt', kid: jwk!.kid };
    const claims = freshClaims(member.session.accessToken);
    const publicKey = createPublicKey({ key: jwk!, format: 'jwk' });
    const secrets = [
      publicKey.export({ type: 'spki', format: 'pem' }) as string,
      publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      JSON.stringify(jwk),
      await (await server.fetch('/.well-known/jwks.json')).text(),
    ];
    for (const secret of secrets) await expectRefused(server, hs256(header, claims, secret));
  });

  test('auth.me refuses an ES256 header on the RSA key id and an unsigned alg none token', async () => {
    const { kid } = server.app.deps.keys.current;
    const claims = freshClaims(member.session.accessToken);
    const p256 = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const attacker = { signParams: { name: 'ECDSA', hash: 'SHA-256' }, privateKey: p256.privateKey } as SigningKey;
    await expectRefused(server, await signWith(attacker, { alg: 'ES256', typ: 'at+jwt', kid }, claims));
    // Signed by the server's own RSA key, over a header naming another algorithm: the key decides.
    for (const alg of ['ES256', 'RS384', 'PS256']) {
      await expectRefused(server, await signWith(server.app.deps.keys.current, { alg, typ: 'at+jwt', kid }, claims));
    }
    const noneHeader = JSON.stringify({ alg: 'none', typ: 'at+jwt', kid });
    await expectRefused(server, encodeJWT(noneHeader, JSON.stringify(claims), new Uint8Array(0)));
  });
});

describe('a server started with ES256 and restarted on the same data with ACCESS_TOKEN_ALG=RS256', () => {
  let data: SharedDataDir;
  let server: TestServer | undefined;
  let member: SignedUp;
  let esKid: string;
  /** A tab that kept the first server's refresh cookie (never refreshed before the switch). */
  let keptTab: TestClient;

  const start = async (alg: 'ES256' | 'RS256') =>
    (server = await startTestServer({ ...data.env, PUBLIC_URL, ACCESS_TOKEN_ALG: alg }));

  beforeAll(async () => {
    data = await sharedDataDir();
    const first = await start('ES256');
    member = await signUpAndVerify(first, {}, { origin });
    esKid = decodeJwt(member.session.accessToken).header.kid as string;
    keptTab = member.client.fork();
    await first.close();
    await start('RS256');
  });
  afterAll(async () => {
    await server?.close();
    await data?.remove();
  });

  test('the restarted server publishes the ES256 key and a new RS256 key, each with kid, alg and use, and still signs ES256 until the new key activates', async () => {
    const keys = await jwksOf(server!);
    expect(keys).toHaveLength(2);
    expect(keys.find((key) => key.kid === esKid)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: esKid,
      use: 'sig',
      alg: 'ES256',
    });
    const rsa = keys.find((key) => key.kid !== esKid)!;
    expect(rsa).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: expect.any(String) });
    expect(Buffer.from(rsa.n!, 'base64url').length * 8).toBe(3072);
    // Published before it signs (API.md §11): verifiers that cached the JWKS a moment ago still know the signing key.
    const signedIn = await server!.client({ origin }).trpc.auth.login.mutate({
      email: member.email,
      password: member.password,
    });
    if (signedIn.status !== 'signed_in') throw new Error(`expected signed_in, got ${signedIn.status}`);
    expect(decodeJwt(signedIn.session.accessToken).header).toMatchObject({ alg: 'ES256', kid: esKid });
  });

  test('the earlier ES256 access and refresh tokens stay valid once RS256 signs, and refresh answers with RS256 tokens', async () => {
    server!.shiftClock(7 * 60);
    try {
      const rsa = (await jwksOf(server!)).find((key) => key.kid !== esKid)!;
      const signedIn = await server!.client({ origin }).trpc.auth.login.mutate({
        email: member.email,
        password: member.password,
      });
      if (signedIn.status !== 'signed_in') throw new Error(`expected signed_in, got ${signedIn.status}`);
      expect(decodeJwt(signedIn.session.accessToken).header).toMatchObject({ alg: 'RS256', kid: rsa.kid });
      expect(nodeVerifiesRs256(signedIn.session.accessToken, rsa)).toBe(true);

      expect((await meWith(server!, member.session.accessToken)).id).toBe(member.session.user.id);
      const tab = keptTab.fork();
      const client = server!.client({ origin });
      for (const [name, value] of tab.cookies) client.cookies.set(name, value);
      expect(decodeJwt(client.refreshToken()!).header).toMatchObject({ alg: 'ES256', kid: esKid });
      const refreshed = await client.trpc.auth.refresh.mutate();
      expect(decodeJwt(refreshed.accessToken).header).toMatchObject({ alg: 'RS256', kid: rsa.kid });
      expect(decodeJwt(client.refreshToken()!).header).toMatchObject({ alg: 'RS256', kid: rsa.kid });
      expect((await meWith(server!, refreshed.accessToken)).id).toBe(member.session.user.id);
      expect((await jwksOf(server!)).map((key) => key.kid)).toContain(esKid);
    } finally {
      server!.shiftClock(0);
    }
  });

  test("auth.me refuses a token whose alg is not its key's: a genuine ES256 signature under the RSA key id, a genuine RSA signature under the ES256 key id, or either key naming the other's alg", async () => {
    const ring = server!.app.deps.keys;
    const es = ring.byKid.get(esKid)!;
    const rsa = [...ring.byKid.values()].find((key) => key.kid !== esKid)!;
    const claims = freshClaims(member.session.accessToken);
    // Each key under its own kid is accepted: the refusals below come from the kid alone.
    expect((await meWith(server!, await signWith(es, { alg: 'ES256', typ: 'at+jwt', kid: es.kid }, claims))).id).toBe(
      member.session.user.id,
    );
    expect((await meWith(server!, await signWith(rsa, { alg: 'RS256', typ: 'at+jwt', kid: rsa.kid }, claims))).id).toBe(
      member.session.user.id,
    );
    await expectRefused(server!, await signWith(es, { alg: 'ES256', typ: 'at+jwt', kid: rsa.kid }, claims));
    await expectRefused(server!, await signWith(rsa, { alg: 'RS256', typ: 'at+jwt', kid: es.kid }, claims));
    // Each key's own signature with the other's alg in the header.
    await expectRefused(server!, await signWith(es, { alg: 'RS256', typ: 'at+jwt', kid: es.kid }, claims));
    await expectRefused(server!, await signWith(rsa, { alg: 'ES256', typ: 'at+jwt', kid: rsa.kid }, claims));
  });

  test('a further restart with RS256 adds no other key', async () => {
    await server!.close();
    server = undefined;
    await start('RS256');
    expect(await jwksOf(server!)).toHaveLength(2);
  });
});

describe('instances switching to RS256 at the same moment', () => {
  test('two servers started at once with ACCESS_TOKEN_ALG=RS256 on an ES256 install add one RS256 key between them', async () => {
    const data = await sharedDataDir();
    const servers: TestServer[] = [];
    try {
      // Instances share the database and MASTER_KEY, never a DATA_DIR (API.md §11).
      const { DATA_DIR: _shared, ...rest } = data.env;
      const database = { ...rest, MASTER_KEY: randomBytes(32).toString('base64url'), PUBLIC_URL };
      await (await startTestServer({ ...database, DATA_DIR: data.dir })).close();
      servers.push(
        ...(await Promise.all([
          startTestServer({ ...database, ACCESS_TOKEN_ALG: 'RS256' }),
          startTestServer({ ...database, ACCESS_TOKEN_ALG: 'RS256' }),
        ])),
      );
      const [a, b] = servers as [TestServer, TestServer];
      const keys = await jwksOf(a);
      expect(keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
      expect(await jwksOf(b)).toEqual(keys);
    } finally {
      for (const server of servers) await server.close();
      await data.remove();
    }
  });
});

describe('npm run admin -- rotate-keys with ACCESS_TOKEN_ALG=RS256', () => {
  test('rotate-keys adds an RS256 key that is published at once and signs after its activation', async () => {
    const data = await sharedDataDir();
    const env = { ...data.env, ACCESS_TOKEN_ALG: 'RS256' };
    const server = await startTestServer({ ...env, PUBLIC_URL });
    try {
      const result = await runAdminCommand(['rotate-keys'], { env });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const newKid = /Added the signing key (\S+):/.exec(result.stdout)?.[1];
      await server.app.deps.keys.reload();
      const keys = await jwksOf(server);
      expect(keys.map((key) => [key.kty, key.alg])).toEqual([
        ['RSA', 'RS256'],
        ['RSA', 'RS256'],
      ]);
      expect(keys.map((key) => key.kid)).toContain(newKid);
      server.shiftClock(7 * 60);
      const member = await signUpAndVerify(server, {}, { origin });
      expect(decodeJwt(member.session.accessToken).header).toMatchObject({ alg: 'RS256', kid: newKid });
    } finally {
      await server.close();
      await data.remove();
    }
  });
});
