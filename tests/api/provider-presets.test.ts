import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appleSigningKey } from '#tests/helpers/apple-client-secret.ts';
import { CookieJar } from '#tests/helpers/cookie-jar.ts';
import { startGitHubStandIn, type GitHubStandIn, type GitHubUser } from '#tests/helpers/github-stand-in.ts';
import { startOpenIdProvider, type OpenIdAccount, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import {
  callCallback,
  completeAtProvider,
  runProviderFlow,
  startFlow,
  type CallbackResult,
} from '#tests/helpers/provider-flow.ts';
import {
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  testIp,
  uniqueEmail,
  VERIFY_SUBJECT,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';
import { sessionOf as sessionFrom } from '#tests/helpers/provider-session.ts';
import type { AuthSession } from '#shared/schemas/auth.ts';

// The presets of API.md §12 (Google, Microsoft, Apple, GitHub), each pointed at a local stand-in
// through its test setting (GOOGLE_ISSUER, MICROSOFT_ISSUER, APPLE_ISSUER, GITHUB_BASE_URL and
// GITHUB_API_URL): each preset's own rule for vouching for an address, Apple's form post and signed
// client secret, GitHub's numeric id; and what auth.providers tells the SPA.

const SECRETS = {
  google: 'google-client-secret-5d1e',
  microsoft: 'microsoft-client-secret-8a2b',
  github: 'github-client-secret-c0ffee',
  acme: 'acme-client-secret-77f0',
};
const APPLE = { clientId: 'com.example.latchkey', teamId: 'TEAM123456', keyId: 'KEY7654321' };
const appleKey = appleSigningKey();

let google: OpenIdProvider;
let microsoft: OpenIdProvider;
let apple: OpenIdProvider;
let github: GitHubStandIn;
let githubApi: GitHubApiProxy;
let server: TestServer;

/** GitHub's REST API as the stand-in serves it, except that /user/emails can be made to fail (a GitHub outage). */
type GitHubApiProxy = { url: string; failEmails: boolean; close(): Promise<void> };

async function startGitHubApiProxy(target: string): Promise<GitHubApiProxy> {
  const proxy = http.createServer(async (request, response) => {
    if (proxyState.failEmails && (request.url ?? '').startsWith('/user/emails')) {
      response.writeHead(502, { 'Content-Type': 'application/json; charset=utf-8' });
      return void response.end(JSON.stringify({ message: 'Server Error' }));
    }
    const headers = new Headers();
    for (const name of ['authorization', 'accept', 'user-agent', 'x-github-api-version']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const answer = await fetch(`${target}${request.url ?? '/'}`, { method: request.method, headers });
    response.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  const proxyState: GitHubApiProxy = {
    url: '',
    failEmails: false,
    close: () =>
      new Promise<void>((resolve, reject) => {
        proxy.closeAllConnections();
        proxy.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyState.url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return proxyState;
}

beforeAll(async () => {
  // Each provider advertises only the client authentication it registers the client with, so a
  // wrong choice by Latchkey fails the sign-in: Google and Apple take client_secret_post, Microsoft
  // here only client_secret_basic (Latchkey uses basic only when post is not offered).
  [google, microsoft, apple, github] = await Promise.all([
    startOpenIdProvider({ tokenEndpointAuthMethods: ['client_secret_post'] }),
    startOpenIdProvider({ tokenEndpointAuthMethods: ['client_secret_basic'] }),
    startOpenIdProvider({ tokenEndpointAuthMethods: ['client_secret_post'] }),
    startGitHubStandIn(),
  ]);
  githubApi = await startGitHubApiProxy(github.apiUrl);
  server = await startTestServer({
    GOOGLE_CLIENT_ID: 'latchkey-google',
    GOOGLE_CLIENT_SECRET: SECRETS.google,
    GOOGLE_ISSUER: google.issuer,
    MICROSOFT_CLIENT_ID: 'latchkey-microsoft',
    MICROSOFT_CLIENT_SECRET: SECRETS.microsoft,
    MICROSOFT_ISSUER: microsoft.issuer,
    APPLE_CLIENT_ID: APPLE.clientId,
    APPLE_TEAM_ID: APPLE.teamId,
    APPLE_KEY_ID: APPLE.keyId,
    // As pasted into one line of an .env file: the line breaks written as \n.
    APPLE_PRIVATE_KEY: appleKey.privateKeyPem.replace(/\n/g, '\\n'),
    APPLE_ISSUER: apple.issuer,
    GITHUB_CLIENT_ID: 'latchkey-github',
    GITHUB_CLIENT_SECRET: SECRETS.github,
    GITHUB_BASE_URL: github.url,
    GITHUB_API_URL: githubApi.url,
    OIDC_PROVIDERS: JSON.stringify([
      { id: 'acme', name: 'Acme ID', issuer: google.issuer, clientId: 'latchkey-acme', clientSecret: SECRETS.acme },
    ]),
  });
  const callback = (id: string) => [`${server.url}/auth/oauth/${id}/callback`];
  await google.addClient({
    client_id: 'latchkey-google',
    client_secret: SECRETS.google,
    redirect_uris: callback('google'),
    token_endpoint_auth_method: 'client_secret_post',
  });
  await microsoft.addClient({
    client_id: 'latchkey-microsoft',
    client_secret: SECRETS.microsoft,
    redirect_uris: callback('microsoft'),
    token_endpoint_auth_method: 'client_secret_basic',
  });
  await apple.addClient({
    client_id: APPLE.clientId,
    redirect_uris: callback('apple'),
    response_modes: ['form_post'],
    apple: { teamId: APPLE.teamId, keyId: APPLE.keyId, publicKey: appleKey.publicKey },
  });
  github.addApp({ clientId: 'latchkey-github', clientSecret: SECRETS.github, redirectUris: callback('github') });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([google?.close(), microsoft?.close(), apple?.close(), github?.close(), githubApi?.close()]);
});

const newSubject = () => `subject-${randomBytes(6).toString('hex')}`;
let githubIds = 40_000_000 + Math.floor(Math.random() * 1_000_000);
const newGitHubId = () => ++githubIds;
const uniqueGmail = () => `latchkey.test.${randomBytes(5).toString('hex')}@gmail.com`;

/** One browser's whole sign-in, from an address of its own (the per-IP limits stay out of the way). */
function signInAt(providerId: string, returnTo = '/'): Promise<CallbackResult> {
  return runProviderFlow({
    latchkeyUrl: server.url,
    providerId,
    query: { intent: 'signin', returnTo },
    headers: { 'X-Forwarded-For': testIp() },
  });
}

function signInWith(op: OpenIdProvider, providerId: string, account: OpenIdAccount): Promise<CallbackResult> {
  op.nextLogin(account);
  return signInAt(providerId);
}

function signInWithGitHub(user: GitHubUser): Promise<CallbackResult> {
  github.nextLogin(user);
  return signInAt('github');
}

const outcome = (result: CallbackResult) => ({
  status: result.status,
  location: result.location,
  session: result.setCookies.some((cookie) => cookie.name === 'refresh_token' && cookie.value !== ''),
});

const SIGNED_IN = { status: 302, location: '/', session: true };
const CHECK_EMAIL = { status: 302, location: '/check-email', session: false };

/** The session the callback set, and its account. */
async function sessionOf(result: CallbackResult): Promise<{ client: TestClient; user: AuthSession['user'] }> {
  const { client, session } = await sessionFrom(server, result);
  return { client, user: session.user };
}

/** A new account whose address the provider did not vouch for: the confirmation mail of auth.register went out. */
async function expectConfirmationMail(email: string): Promise<void> {
  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
  expect(mail.text ?? mail.html).toContain('/verify-email?token=');
}

describe('Google', () => {
  test('the Google preset signs a verified gmail.com address into a new, confirmed account', async () => {
    const email = uniqueGmail();
    const result = await signInWith(google, 'google', {
      sub: newSubject(),
      email,
      email_verified: true,
      name: 'Gee Mail',
    });
    expect(outcome(result)).toEqual(SIGNED_IN);
    const { client, user } = await sessionOf(result);
    expect(user).toMatchObject({ email, emailVerified: true, hasPassword: false, profile: { name: 'Gee Mail' } });
    expect((await client.trpc.auth.identities.list.query()).map((identity) => identity.provider)).toEqual(['google']);
  });

  test('the Google preset does not vouch for a verified address of another domain without an hd claim: an unconfirmed account and a confirmation mail', async () => {
    const email = uniqueEmail('google-consumer');
    const result = await signInWith(google, 'google', { sub: newSubject(), email, email_verified: true });
    expect(outcome(result)).toEqual(CHECK_EMAIL);
    await expectConfirmationMail(email);
  });

  test('the Google preset vouches for a verified Workspace address (an hd claim)', async () => {
    const email = uniqueEmail('workspace');
    const result = await signInWith(google, 'google', {
      sub: newSubject(),
      email,
      email_verified: true,
      hd: 'example.com',
    });
    expect(outcome(result)).toEqual(SIGNED_IN);
    expect((await sessionOf(result)).user).toMatchObject({ email, emailVerified: true });
  });

  test('the Google preset does not vouch for a gmail.com address whose email_verified is false', async () => {
    const email = uniqueGmail();
    const result = await signInWith(google, 'google', { sub: newSubject(), email, email_verified: false });
    expect(outcome(result)).toEqual(CHECK_EMAIL);
    await expectConfirmationMail(email);
  });
});

describe('Microsoft', () => {
  test('the Microsoft preset vouches for an address with xms_edov true: a new, confirmed account signed in', async () => {
    const email = uniqueEmail('entra');
    const result = await signInWith(microsoft, 'microsoft', {
      sub: newSubject(),
      email,
      xms_edov: true,
      name: 'Em Ess',
    });
    expect(outcome(result)).toEqual(SIGNED_IN);
    expect((await sessionOf(result)).user).toMatchObject({ email, emailVerified: true, profile: { name: 'Em Ess' } });
  });

  test('the Microsoft preset does not vouch for an address on email_verified alone: an unconfirmed account and a confirmation mail', async () => {
    const email = uniqueEmail('entra-unchecked');
    const result = await signInWith(microsoft, 'microsoft', { sub: newSubject(), email, email_verified: true });
    expect(outcome(result)).toEqual(CHECK_EMAIL);
    await expectConfirmationMail(email);
  });

  test('the Microsoft preset does not link an existing account on an address without xms_edov (nOAuth): /login?link=, no session', async () => {
    const member = await signUpAndVerify(server, { email: uniqueEmail('entra-victim') });
    const result = await signInWith(microsoft, 'microsoft', {
      sub: newSubject(),
      email: member.email,
      email_verified: true,
      xms_edov: false,
    });
    expect(result.status).toBe(302);
    expect(result.location).toMatch(/^\/login\?link=[A-Za-z0-9_-]{20,}$/);
    expect(outcome(result).session).toBe(false);
    expect(await member.client.trpc.auth.identities.list.query()).toEqual([]);
  });
});

describe('Apple', () => {
  test('the Apple preset asks for a form post with the openid, email and name scopes, and a sign-in through it succeeds with the signed client secret', async () => {
    const email = uniqueEmail('apple');
    apple.nextLogin({ sub: newSubject(), email, email_verified: true });
    const headers = { 'X-Forwarded-For': testIp() };
    const started = await startFlow({ latchkeyUrl: server.url, providerId: 'apple', jar: new CookieJar(), headers });
    expect({
      response_mode: started.authorizeUrl.searchParams.get('response_mode'),
      scope: started.authorizeUrl.searchParams.get('scope'),
    }).toEqual({ response_mode: 'form_post', scope: 'openid email name' });
    const callback = await completeAtProvider(started.authorizeUrl, { jar: started.jar, chain: started.chain });
    // The provider's page posts the answer to the callback, as Apple does.
    expect({ method: callback.method, code: callback.form?.has('code'), state: callback.form?.has('state') }).toEqual({
      method: 'POST',
      code: true,
      state: true,
    });
    const result = await callCallback(callback, { jar: started.jar, latchkeyUrl: server.url, headers });
    expect(outcome(result)).toEqual(SIGNED_IN);
    expect((await sessionOf(result)).user).toMatchObject({ email, emailVerified: true });
    // The provider checked the client secret JWT (ES256, team, client, audience, kid) and found nothing wrong.
    expect(apple.errors.filter((error) => error.event === 'apple_client_secret')).toEqual([]);
  });

  test('the Apple preset vouches for an address whose email_verified is the string "true", as Apple sends it', async () => {
    const email = uniqueEmail('apple-string');
    const result = await signInWith(apple, 'apple', {
      sub: newSubject(),
      email,
      email_verified: 'true' as unknown as boolean,
    });
    expect(outcome(result)).toEqual(SIGNED_IN);
    expect((await sessionOf(result)).user).toMatchObject({ email, emailVerified: true });
  });

  test('the Apple preset does not vouch for an address whose email_verified is false', async () => {
    const email = uniqueEmail('apple-unverified');
    const result = await signInWith(apple, 'apple', { sub: newSubject(), email, email_verified: false });
    expect(outcome(result)).toEqual(CHECK_EMAIL);
    await expectConfirmationMail(email);
  });
});

describe('GitHub', () => {
  test('the GitHub preset asks for the user:email scope with an S256 code challenge and no nonce', async () => {
    const started = await startFlow({
      latchkeyUrl: server.url,
      providerId: 'github',
      headers: { 'X-Forwarded-For': testIp() },
    });
    const query = started.authorizeUrl.searchParams;
    expect(`${started.authorizeUrl.origin}${started.authorizeUrl.pathname}`).toBe(
      `${github.url}/login/oauth/authorize`,
    );
    expect(query.get('scope')?.split(/[\s,]+/)).toContain('user:email');
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(query.has('nonce')).toBe(false);
  });

  test('the GitHub preset signs a primary, verified address into a new, confirmed account named from GitHub', async () => {
    const email = uniqueEmail('octo');
    const result = await signInWithGitHub({
      id: newGitHubId(),
      login: 'octo-person',
      name: 'Octo Person',
      emails: [
        { email: uniqueEmail('octo-old'), primary: false, verified: true },
        { email, primary: true, verified: true },
      ],
    });
    expect(outcome(result)).toEqual(SIGNED_IN);
    const { client, user } = await sessionOf(result);
    expect(user).toMatchObject({ email, emailVerified: true, hasPassword: false, profile: { name: 'Octo Person' } });
    expect(await client.trpc.auth.identities.list.query()).toEqual([
      expect.objectContaining({ provider: 'github', email }),
    ]);
  });

  test('the GitHub preset names an account by its login when the GitHub profile has no name', async () => {
    const email = uniqueEmail('octo-login');
    const result = await signInWithGitHub({
      id: newGitHubId(),
      login: 'nameless-octo',
      name: null,
      emails: [{ email, primary: true, verified: true }],
    });
    expect(outcome(result)).toEqual(SIGNED_IN);
    expect((await sessionOf(result)).user).toMatchObject({ profile: { name: 'nameless-octo' } });
  });

  test('the GitHub preset signs the same account in again by its numeric id, even after the address changed at GitHub', async () => {
    const id = newGitHubId();
    const first = await signInWithGitHub({
      id,
      login: 'mover',
      name: 'Mover',
      emails: [{ email: uniqueEmail('mover-before'), primary: true, verified: true }],
    });
    const before = await sessionOf(first);
    const second = await signInWithGitHub({
      id,
      login: 'mover-renamed',
      name: 'Mover',
      emails: [{ email: uniqueEmail('mover-after'), primary: true, verified: true }],
    });
    expect(outcome(second)).toEqual(SIGNED_IN);
    expect((await sessionOf(second)).user.id).toBe(before.user.id);
  });

  test('the GitHub preset does not vouch for a primary address GitHub has not verified: an unconfirmed account and a confirmation mail', async () => {
    const email = uniqueEmail('octo-unverified');
    const result = await signInWithGitHub({
      id: newGitHubId(),
      login: 'unverified-octo',
      name: 'Unverified Octo',
      emails: [{ email, primary: true, verified: false }],
    });
    expect(outcome(result)).toEqual(CHECK_EMAIL);
    await expectConfirmationMail(email);
  });

  test('the GitHub preset answers /login?error=provider_error with no session when GitHub fails to list the addresses', async () => {
    githubApi.failEmails = true;
    try {
      const result = await signInWithGitHub({
        id: newGitHubId(),
        login: 'outage',
        name: null,
        emails: [{ email: uniqueEmail('outage'), primary: true, verified: true }],
      });
      expect(outcome(result)).toEqual({ status: 302, location: '/login?error=provider_error', session: false });
    } finally {
      githubApi.failEmails = false;
    }
  });

  test('the GitHub preset lands a sign-in cancelled at GitHub on /login?error=access_denied', async () => {
    github.deny();
    const result = await signInAt('github');
    expect(outcome(result)).toEqual({ status: 302, location: '/login?error=access_denied', session: false });
  });
});

describe('auth.providers', () => {
  test('auth.providers lists exactly the configured providers, presets first, with their kind and nothing secret', async () => {
    expect(await server.client().trpc.auth.providers.query()).toEqual([
      { id: 'google', name: 'Google', kind: 'oidc' },
      { id: 'microsoft', name: 'Microsoft', kind: 'oidc' },
      { id: 'apple', name: 'Apple', kind: 'oidc' },
      { id: 'github', name: 'GitHub', kind: 'oauth' },
      { id: 'acme', name: 'Acme ID', kind: 'oidc' },
    ]);
    const raw = await rawTrpc(server, { path: 'auth.providers', method: 'GET' });
    expect(raw.status).toBe(200);
    for (const secret of [...Object.values(SECRETS), APPLE.teamId, APPLE.keyId, 'PRIVATE KEY', 'latchkey-']) {
      expect(raw.text).not.toContain(secret);
    }
  });
});

describe('an https PUBLIC_URL', () => {
  let httpsServer: TestServer;
  const PUBLIC_URL = 'https://accounts.example.com';
  beforeAll(async () => {
    httpsServer = await startTestServer({
      PUBLIC_URL,
      GOOGLE_CLIENT_ID: 'latchkey-google',
      GOOGLE_CLIENT_SECRET: SECRETS.google,
      GOOGLE_ISSUER: google.issuer,
      APPLE_CLIENT_ID: APPLE.clientId,
      APPLE_TEAM_ID: APPLE.teamId,
      APPLE_KEY_ID: APPLE.keyId,
      APPLE_PRIVATE_KEY: appleKey.privateKeyPem,
      APPLE_ISSUER: apple.issuer,
    });
  });
  afterAll(async () => {
    await httpsServer?.close();
  });

  const flowCookie = async (providerId: string) => {
    const started = await startFlow({
      latchkeyUrl: httpsServer.url,
      providerId,
      headers: { 'X-Forwarded-For': testIp() },
    });
    expect(started.authorizeUrl.searchParams.get('redirect_uri')).toBe(
      `${PUBLIC_URL}/auth/oauth/${providerId}/callback`,
    );
    const cookie = started.flowCookies.find((entry) => entry.name.endsWith('oauth_browser'));
    expect(cookie, started.flowCookies.map((entry) => entry.raw).join('\n')).toBeDefined();
    return { name: cookie!.name, ...Object.fromEntries(cookie!.attributes) };
  };

  test("Apple's flow cookie is SameSite=None and Secure on https, so that Apple's cross-site form post carries it", async () => {
    expect(await flowCookie('apple')).toMatchObject({
      name: '__Secure-oauth_browser',
      path: '/auth',
      httponly: true,
      secure: true,
      samesite: 'None',
    });
  });

  test("Google's flow cookie stays SameSite=Lax on https (its answer is a top-level redirect)", async () => {
    expect(await flowCookie('google')).toMatchObject({
      name: '__Secure-oauth_browser',
      path: '/auth',
      httponly: true,
      secure: true,
      samesite: 'Lax',
    });
  });
});
