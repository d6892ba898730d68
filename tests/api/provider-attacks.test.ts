import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CookieJar } from '#tests/helpers/cookie-jar.ts';
import { startOpenIdProvider, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import {
  callCallback,
  completeAtProvider,
  runProviderFlow,
  startFlow,
  type CallbackRequest,
  type CallbackResult,
  type StartResult,
} from '#tests/helpers/provider-flow.ts';
import { startScriptedProvider, type ScriptedProvider, type TokenContext } from '#tests/helpers/scripted-provider.ts';
import {
  startTestServer,
  strongPassword,
  testIp,
  uniqueEmail,
  VERIFY_SUBJECT,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §12 under attack: ID tokens a real provider would never sign (the scripted provider, a generic
// OIDC_PROVIDERS entry that vouches for addresses), tampered callbacks, login CSRF, replays, open
// redirects. Every refusal must be a redirect to /login?error=..., with no session and no account.

const CLIENT_ID = 'latchkey-scripted';
const CLIENT_SECRET = 'scripted-client-secret-3f9a1c';

let scripted: ScriptedProvider;
let other: ScriptedProvider;
let op: OpenIdProvider;
let server: TestServer;

beforeAll(async () => {
  scripted = await startScriptedProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  other = await startScriptedProvider({ clientId: 'latchkey-other', clientSecret: 'other-client-secret' });
  op = await startOpenIdProvider({});
  server = await startTestServer({
    OIDC_PROVIDERS: JSON.stringify([
      {
        id: 'scripted',
        name: 'Scripted ID',
        issuer: scripted.issuer,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        trustEmail: true,
      },
      {
        id: 'other',
        name: 'Other ID',
        issuer: other.issuer,
        clientId: 'latchkey-other',
        clientSecret: 'other-client-secret',
        trustEmail: true,
      },
      { id: 'real', name: 'Real ID', issuer: op.issuer, clientId: 'latchkey-real', clientSecret: 'real-secret' },
    ]),
  });
  await op.addClient({
    client_id: 'latchkey-real',
    client_secret: 'real-secret',
    redirect_uris: [`${server.url}/auth/oauth/real/callback`],
  });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([scripted?.close(), other?.close(), op?.close()]);
});

/** A browser of its own address (the per-IP limits of API.md §6 stay out of the way). */
const browser = () => ({ jar: new CookieJar(), headers: { 'X-Forwarded-For': testIp() } });

async function start(
  providerId = 'scripted',
  query: Record<string, string> = { intent: 'signin', returnTo: '/' },
  who = browser(),
): Promise<StartResult & { headers: Record<string, string> }> {
  const started = await startFlow({ latchkeyUrl: server.url, providerId, query, jar: who.jar, headers: who.headers });
  return { ...started, headers: who.headers };
}

/** Start → provider, stopping before the callback: the request the provider sends the browser to. */
async function toCallback(started: StartResult): Promise<CallbackRequest> {
  return completeAtProvider(started.authorizeUrl, { jar: started.jar, chain: started.chain });
}

const send = (request: CallbackRequest, jar: CookieJar, headers: Record<string, string> = {}) =>
  callCallback(request, { jar, latchkeyUrl: server.url, headers });

/** A whole sign-in at the scripted provider whose token endpoint answers with `idToken(context)`. */
async function signInWithIdToken(
  idToken: (context: TokenContext) => string | undefined,
  query: Record<string, string> = { intent: 'signin', returnTo: '/' },
): Promise<CallbackResult> {
  scripted.nextIdToken = idToken;
  const who = browser();
  return runProviderFlow({ latchkeyUrl: server.url, providerId: 'scripted', query, ...who });
}

const outcome = (result: CallbackResult) => ({
  status: result.status,
  location: result.location,
  session: result.setCookies.some((cookie) => cookie.name === 'refresh_token' && cookie.value !== ''),
});

const refused = (error: string) => ({ status: 302, location: `/login?error=${error}`, session: false });

/**
 * Whether an account with this address exists, as anyone can tell over HTTP: auth.register of a
 * taken address mails "Someone tried to sign up" instead of the confirmation (API.md §8).
 */
async function accountExists(email: string): Promise<boolean> {
  const since = server.mail.mark();
  await server.client().trpc.auth.register.mutate({ email, password: strongPassword() });
  const mail = await server.mail.waitForMail({ to: email, since });
  return !mail.subject.includes(VERIFY_SUBJECT);
}

/** The session the callback set works: auth.refresh with its cookie answers the member. */
async function sessionUser(result: CallbackResult) {
  const cookie = result.setCookies.find((entry) => entry.name === 'refresh_token');
  if (!cookie) throw new Error(`no session was set; the callback went to ${result.location}`);
  const client = server.client();
  client.cookies.set('refresh_token', cookie.value);
  return (await client.trpc.auth.refresh.mutate()).user;
}

const now = () => Math.floor(Date.now() / 1000);

/** Good claims for a provider account of its own (a fresh sub), so that no earlier identity answers for it. */
const claimsFor = (context: TokenContext, email: string) =>
  scripted.goodClaims({ ...context, sub: `sub-${randomBytes(6).toString('hex')}`, email });

describe('ID tokens', () => {
  test('a good ID token from the scripted provider signs a new member in (the control for the attacks below)', async () => {
    const email = uniqueEmail('control');
    const result = await signInWithIdToken((context) => scripted.sign(claimsFor(context, email)));
    expect(outcome(result)).toEqual({ status: 302, location: '/', session: true });
    expect(await sessionUser(result)).toMatchObject({ email, emailVerified: true });
    expect(await accountExists(email)).toBe(true);
  });

  type Forge = (context: TokenContext, claims: Record<string, unknown>) => string | undefined;
  const FORGED: Array<[what: string, forge: Forge]> = [
    ['an aud of another client', (_context, claims) => scripted.sign({ ...claims, aud: 'another-client' })],
    ['an iss of another issuer', (_context, claims) => scripted.sign({ ...claims, iss: 'https://evil.example' })],
    ['a nonce of another flow', (_context, claims) => scripted.sign({ ...claims, nonce: 'not-this-flows-nonce' })],
    ['no nonce', (_context, { nonce: _nonce, ...claims }) => scripted.sign(claims)],
    [
      'an exp in the past',
      (_context, claims) => scripted.sign({ ...claims, iat: now() - 20 * 60, exp: now() - 10 * 60 }),
    ],
    ['a signature by another key under the same kid', (_context, claims) => scripted.sign(claims, { key: 'other' })],
    ['alg none', (_context, claims) => scripted.sign(claims, { alg: 'none' })],
    ['HS256 with the client secret as the key', (_context, claims) => scripted.sign(claims, { alg: 'HS256' })],
    ['RS256, an alg the provider does not advertise', (_context, claims) => scripted.sign(claims, { alg: 'RS256' })],
    [
      'a payload changed after signing',
      (_context, claims) => {
        const [header, , signature] = scripted.sign(claims).split('.');
        const payload = Buffer.from(JSON.stringify({ ...claims, email_verified: true, sub: 'admin' })).toString(
          'base64url',
        );
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['no ID token at all', () => undefined],
  ];

  test.each(FORGED)(
    'the callback refuses an ID token with %s: /login?error=provider_error, no session, no account',
    async (_what, forge) => {
      const email = uniqueEmail('forged');
      const result = await signInWithIdToken((context) => forge(context, claimsFor(context, email)));
      expect(outcome(result)).toEqual(refused('provider_error'));
      expect(await accountExists(email)).toBe(false);
    },
  );

  test('the callback refuses an authorization response whose iss parameter names another issuer (RFC 9207)', async () => {
    const email = uniqueEmail('mixup');
    scripted.nextRedirectIss = other.issuer;
    const result = await signInWithIdToken((context) => scripted.sign(claimsFor(context, email)));
    expect(outcome(result)).toEqual(refused('provider_error'));
    expect(await accountExists(email)).toBe(false);
  });

  test('the callback refuses an authorization response without the iss parameter its provider advertises', async () => {
    const email = uniqueEmail('no-iss');
    scripted.nextRedirectIss = null;
    const result = await signInWithIdToken((context) => scripted.sign(claimsFor(context, email)));
    expect(outcome(result)).toEqual(refused('provider_error'));
    expect(await accountExists(email)).toBe(false);
  });
});

describe('the authorization request', () => {
  test('/auth/oauth/<id>/start sends the browser to the provider with state, an S256 code challenge and a nonce, and the ID token must carry that nonce', async () => {
    const started = await start();
    const query = started.authorizeUrl.searchParams;
    expect(`${started.authorizeUrl.origin}${started.authorizeUrl.pathname}`).toBe(`${scripted.issuer}/authorize`);
    expect({
      response_type: query.get('response_type'),
      client_id: query.get('client_id'),
      redirect_uri: query.get('redirect_uri'),
      code_challenge_method: query.get('code_challenge_method'),
      scope: query.get('scope')?.split(' '),
    }).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${server.url}/auth/oauth/scripted/callback`,
      code_challenge_method: 'S256',
      scope: expect.arrayContaining(['openid', 'email']),
    });
    // 256 bits hashed with SHA-256, base64url: 43 characters; state and nonce at least 128 bits.
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(query.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22,}$/);

    // A second start: fresh values, nothing reused.
    const again = await start();
    for (const name of ['state', 'nonce', 'code_challenge']) {
      expect(again.authorizeUrl.searchParams.get(name)).not.toBe(query.get(name));
    }

    let nonceAtTokenEndpoint: string | undefined;
    scripted.nextIdToken = (context) => {
      nonceAtTokenEndpoint = context.nonce;
      return scripted.sign(claimsFor(context, uniqueEmail('nonce')));
    };
    const result = await send(await toCallback(started), started.jar, started.headers);
    expect(outcome(result)).toEqual({ status: 302, location: '/', session: true });
    expect(nonceAtTokenEndpoint).toBe(query.get('nonce'));
    // The scripted provider answers no token for a code whose code_verifier does not hash to its
    // challenge: this sign-in shows that Latchkey sent the flow's verifier (the code injection below, that it matters).
  });

  test('the callback refuses a code that was issued for another flow (code injection, stopped by PKCE)', async () => {
    // The attacker's code, for their own flow and PKCE challenge, put into the victim's callback.
    const attacker = await start();
    const attackerCallback = await toCallback(attacker);
    const victim = await start();
    const victimCallback = await toCallback(victim);
    const email = uniqueEmail('injected');
    scripted.nextIdToken = (context) => scripted.sign(claimsFor(context, email));
    const injected = new URL(victimCallback.url);
    injected.searchParams.set('code', attackerCallback.url.searchParams.get('code')!);
    const result = await send({ ...victimCallback, url: injected }, victim.jar, victim.headers);
    expect(outcome(result)).toEqual(refused('provider_error'));
    expect(await accountExists(email)).toBe(false);
  });

  test('/auth/oauth/<id>/start of a provider that is not configured redirects to /login?error=provider_error', async () => {
    const response = await server.fetch('/auth/oauth/nobody/start?intent=signin&returnTo=/', { redirect: 'manual' });
    expect({ status: response.status, location: response.headers.get('location') }).toEqual({
      status: 302,
      location: '/login?error=provider_error',
    });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  test('/auth/oauth/<id>/start with intent=link and no or a made-up ticket starts nothing: /settings/security?error=invalid_state', async () => {
    const queries: Record<string, string>[] = [
      { intent: 'link' },
      { intent: 'link', ticket: randomBytes(32).toString('base64url') },
    ];
    for (const query of queries) {
      const url = `/auth/oauth/scripted/start?${new URLSearchParams({ ...query, returnTo: '/' })}`;
      const response = await server.fetch(url, { redirect: 'manual', headers: { 'X-Forwarded-For': testIp() } });
      expect({ status: response.status, location: response.headers.get('location') }).toEqual({
        status: 302,
        location: '/settings/security?error=invalid_state',
      });
    }
  });

  test('/auth/oauth/<id>/start allows 30 starts per IP address in 5 minutes, then redirects to /login?error=RATE_LIMITED', async () => {
    const ip = testIp();
    const startOnce = async () => {
      const response = await server.fetch('/auth/oauth/scripted/start?intent=signin&returnTo=/', {
        redirect: 'manual',
        headers: { 'X-Forwarded-For': ip },
      });
      return response.headers.get('location') ?? '';
    };
    for (let count = 0; count < 30; count++) expect(await startOnce()).toMatch(`${scripted.issuer}/authorize?`);
    expect(await startOnce()).toBe('/login?error=RATE_LIMITED');
    // Another address is not affected.
    await start();
  });
});

describe('state and the browser binding', () => {
  test('the callback refuses a state it never issued, and a missing one, with /login?error=invalid_state', async () => {
    const started = await start();
    const callback = await toCallback(started);
    const madeUp = new URL(callback.url);
    madeUp.searchParams.set('state', randomBytes(32).toString('base64url'));
    expect(outcome(await send({ ...callback, url: madeUp }, started.jar))).toEqual(refused('invalid_state'));
    const none = new URL(callback.url);
    none.searchParams.delete('state');
    expect(outcome(await send({ ...callback, url: none }, started.jar))).toEqual(refused('invalid_state'));
  });

  test('the callback completes a flow once: the same callback URL opened again is refused with invalid_state', async () => {
    const started = await start();
    const callback = await toCallback(started);
    const first = await send(callback, started.jar, started.headers);
    expect(outcome(first)).toEqual({ status: 302, location: '/', session: true });
    const replay = await send(callback, started.jar, started.headers);
    expect(outcome(replay)).toEqual(refused('invalid_state'));
  });

  test('the callback refuses a flow started in another browser (login CSRF): no session for the victim, and the attacker cannot use the flow afterwards', async () => {
    // The attacker signs in at the provider as themselves and sends the victim the callback URL.
    const attacker = await start();
    const callback = await toCallback(attacker);
    const victimEmail = uniqueEmail('csrf-attacker');
    scripted.nextIdToken = (context) => scripted.sign(claimsFor(context, victimEmail));
    const victim = browser();
    const opened = await send(callback, victim.jar, victim.headers);
    expect(outcome(opened)).toEqual(refused('invalid_state'));
    // The flow is spent: the attacker's own browser gets nowhere with it either.
    expect(outcome(await send(callback, attacker.jar, attacker.headers))).toEqual(refused('invalid_state'));
    expect(await accountExists(victimEmail)).toBe(false);
  });

  test('the callback refuses a flow started in another browser even when the victim has a flow cookie of their own', async () => {
    const attacker = await start();
    const callback = await toCallback(attacker);
    const victim = await start(); // the victim's browser now holds its own oauth_browser cookie
    const opened = await send(callback, victim.jar, victim.headers);
    expect(outcome(opened)).toEqual(refused('invalid_state'));
    // The victim's own flow is unharmed.
    expect(outcome(await send(await toCallback(victim), victim.jar, victim.headers))).toEqual({
      status: 302,
      location: '/',
      session: true,
    });
  });

  test('the callback refuses a flow older than 10 minutes with invalid_state, and completes one 9 minutes old', async () => {
    try {
      const fresh = await start();
      const freshCallback = await toCallback(fresh);
      server.shiftClock(9 * 60);
      expect(outcome(await send(freshCallback, fresh.jar, fresh.headers))).toEqual({
        status: 302,
        location: '/',
        session: true,
      });
      server.shiftClock(0);
      const old = await start();
      const oldCallback = await toCallback(old);
      server.shiftClock(11 * 60);
      expect(outcome(await send(oldCallback, old.jar, old.headers))).toEqual(refused('invalid_state'));
    } finally {
      server.shiftClock(0);
    }
  });

  test("the callback of one provider refuses the state of another provider's flow with invalid_state", async () => {
    const started = await start('scripted');
    const callback = await toCallback(started);
    const elsewhere = new URL(callback.url);
    elsewhere.pathname = '/auth/oauth/other/callback';
    expect(outcome(await send({ ...callback, url: elsewhere }, started.jar, started.headers))).toEqual(
      refused('invalid_state'),
    );
  });

  test('the callback of a provider that is not configured redirects to /login?error=provider_error', async () => {
    const started = await start('scripted');
    const callback = await toCallback(started);
    const nowhere = new URL(callback.url);
    nowhere.pathname = '/auth/oauth/nobody/callback';
    expect(outcome(await send({ ...callback, url: nowhere }, started.jar, started.headers))).toEqual(
      refused('provider_error'),
    );
  });

  test('the flow cookie is HttpOnly, scoped to /auth, SameSite=Lax and lives no longer than the flow', async () => {
    const started = await start();
    const cookie = started.flowCookies.find((entry) => entry.name === 'oauth_browser');
    expect(cookie, started.flowCookies.map((entry) => entry.raw).join('\n')).toBeDefined();
    const attributes = Object.fromEntries(cookie!.attributes);
    expect(attributes).toMatchObject({ path: '/auth', httponly: true, samesite: 'Lax' });
    expect(Number(attributes['max-age'])).toBeGreaterThan(0);
    expect(Number(attributes['max-age'])).toBeLessThanOrEqual(10 * 60);
  });
});

describe('answers from the provider', () => {
  test('a sign-in cancelled at the provider (error=access_denied) lands on /login?error=access_denied with no session', async () => {
    op.deny();
    const result = await runProviderFlow({ latchkeyUrl: server.url, providerId: 'real', ...browser() });
    expect(outcome(result)).toEqual(refused('access_denied'));
  });

  test('any other error from the provider lands on /login?error=provider_error', async () => {
    const started = await start();
    const callback = await toCallback(started);
    const failed = new URL(callback.url);
    failed.searchParams.delete('code');
    failed.searchParams.set('error', 'temporarily_unavailable');
    expect(outcome(await send({ ...callback, url: failed }, started.jar, started.headers))).toEqual(
      refused('provider_error'),
    );
  });

  test('an error=access_denied with a state that is not this browser’s is invalid_state, not access_denied', async () => {
    const started = await start();
    const callback = await toCallback(started);
    const failed = new URL(callback.url);
    failed.searchParams.delete('code');
    failed.searchParams.set('error', 'access_denied');
    expect(outcome(await send({ ...callback, url: failed }, new CookieJar()))).toEqual(refused('invalid_state'));
  });
});

describe('returnTo', () => {
  const returnedTo = async (returnTo: string) => {
    const who = browser();
    const result = await runProviderFlow({
      latchkeyUrl: server.url,
      providerId: 'scripted',
      query: { intent: 'signin', returnTo },
      ...who,
    });
    expect(result.status).toBe(302);
    return result.headers.get('location');
  };

  test('a sign-in returns to a path of this site with its query: /settings/profile?tab=1', async () => {
    expect(await returnedTo('/settings/profile?tab=1')).toBe('/settings/profile?tab=1');
  });

  test.each([
    'https://evil.example',
    'https://evil.example/settings',
    '//evil.example',
    '/\\evil.example',
    'evil.example',
    'javascript:alert(1)',
  ])('a sign-in with returnTo=%s lands on / instead', async (returnTo) => {
    expect(await returnedTo(returnTo)).toBe('/');
  });

  // Paths that the URL parser turns into //evil.example once dot segments are removed: a browser
  // reads that Location as another host (protocol-relative).
  test.each(['/.//evil.example', '/x/..//evil.example', '/x/%2e%2e//evil.example', '/x/../\\evil.example'])(
    'a sign-in with returnTo=%s (a dot segment in front of //) never sends the browser to another host',
    async (returnTo) => {
      const location = await returnedTo(returnTo);
      expect(new URL(location ?? '', server.url).origin).toBe(server.url);
      expect(location).not.toMatch(/^[/\\]{2}/);
    },
  );
});
