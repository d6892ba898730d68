import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { signUpAdmin, type Account } from '#tests/helpers/admin.ts';
import { startOpenIdProvider, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import { runProviderFlow } from '#tests/helpers/provider-flow.ts';
import { sessionOf } from '#tests/helpers/provider-session.ts';
import { MINUTE, deliveredMails, expectRateLimited, forwardClock } from '#tests/helpers/rate-limits.ts';
import {
  SoftwareAuthenticator,
  coseKeyOf,
  newP256KeyPair,
  type AuthenticateOverrides,
  type RegisterOverrides,
} from '#tests/helpers/software-authenticator.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  testIp,
  trpcError,
  uniqueEmail,
  type ClientOptions,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §13 over real HTTP, with a software authenticator (tests/helpers/software-authenticator.ts)
// that makes real P-256 keys, CBOR attestation objects and DER signatures: every ceremony below is
// one a browser and a passkey provider could have produced, or a tampered copy of one.

const MAC_CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const PASSKEY_MAIL = /passkey/i;
/** Slack for the time the test itself takes between the first counted call and the refusal. */
const TEST_TIME = 2 * MINUTE;

let server: TestServer;
let clock: ReturnType<typeof forwardClock>;
let op: OpenIdProvider;
let subjects = 0;

beforeAll(async () => {
  op = await startOpenIdProvider({});
  server = await startTestServer({
    OIDC_PROVIDERS: JSON.stringify([
      {
        id: 'acme',
        name: 'Acme ID',
        issuer: op.issuer,
        clientId: 'latchkey-acme',
        clientSecret: 'acme-secret',
        trustEmail: true,
      },
    ]),
  });
  await op.addClient({
    client_id: 'latchkey-acme',
    client_secret: 'acme-secret',
    redirect_uris: [`${server.url}/auth/oauth/acme/callback`],
  });
  // Only forward: the per-IP counts are kept by instant (tests/helpers/rate-limits.ts).
  clock = forwardClock(server);
});
afterAll(async () => {
  await server?.close();
  await op?.close();
});

const newAuthenticator = (options: { backedUp?: boolean; counterStep?: number } = {}) =>
  SoftwareAuthenticator.for(server.url, options);

/** A member signed in with a password, from a Chrome on a Mac. */
const member = (): Promise<Account> => signUpAndVerify(server, {}, { userAgent: MAC_CHROME });

/** A confirmed account without a password, made and signed in through a provider that vouches for its address. */
async function providerMember(): Promise<{ client: TestClient; userId: string; email: string }> {
  const email = uniqueEmail('provider');
  op.nextLogin({ sub: `passkey-subject-${Date.now()}-${++subjects}`, email, email_verified: true });
  const result = await runProviderFlow({
    latchkeyUrl: server.url,
    providerId: 'acme',
    headers: { 'X-Forwarded-For': testIp() },
  });
  const { client, session } = await sessionOf(server, result);
  expect(session.user.hasPassword).toBe(false);
  return { client, userId: session.user.id, email };
}

/** Registers a passkey for the member through the whole ceremony; `password` null for an account without one. */
async function addPasskey(
  client: TestClient,
  password: string | null,
  authenticator = newAuthenticator(),
  options: { name?: string; overrides?: RegisterOverrides } = {},
) {
  const creation = await client.trpc.auth.passkeys.registrationOptions.mutate(password === null ? {} : { password });
  const response = authenticator.register(creation, options.overrides);
  const passkey = await client.trpc.auth.passkeys.register.mutate({
    response,
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  return { passkey, authenticator, creation, response };
}

/** A passkey sign-in on a new client (a new device): authenticationOptions, the authenticator's answer, signIn. */
async function passkeySignIn(
  authenticator: SoftwareAuthenticator,
  overrides: AuthenticateOverrides = {},
  clientOptions: ClientOptions = {},
) {
  const client = server.client(clientOptions);
  const { challengeId, options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
  const session = await client.trpc.auth.passkeys.signIn.mutate({
    challengeId,
    response: authenticator.authenticate(options, overrides),
  });
  client.useSession(session);
  return { client, session, challengeId };
}

/** A passkey sign-in that must be refused with INVALID_CREDENTIALS; returns the client and the challenge it spent. */
async function refusedSignIn(authenticator: SoftwareAuthenticator, overrides: AuthenticateOverrides = {}) {
  const client = server.client();
  const { challengeId, options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
  await expectReason(
    client.trpc.auth.passkeys.signIn.mutate({ challengeId, response: authenticator.authenticate(options, overrides) }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
  expect(client.refreshToken(), 'a refused sign-in sets no refresh cookie').toBeUndefined();
  return { client, challengeId };
}

/** What each settled call answered: 'ok', or its API.md §2 reason. */
const outcomes = (settled: PromiseSettledResult<unknown>[]) =>
  settled.map((result) =>
    result.status === 'fulfilled' ? 'ok' : ((result.reason as { data?: { reason?: string } }).data?.reason ?? 'error'),
  );

const eventTypes = async (client: TestClient) =>
  (await client.trpc.auth.securityEvents.query({})).items.map((event) => event.type);

describe('auth.passkeys.registrationOptions', () => {
  test('auth.passkeys.registrationOptions asks for a discoverable, user-verified ES256 credential for the relying party of PUBLIC_URL', async () => {
    const account = await member();
    const options = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    expect(options).toMatchObject({
      rp: { id: '127.0.0.1', name: 'Latchkey' },
      user: { id: expect.stringMatching(/^[A-Za-z0-9_-]+$/), name: expect.any(String) },
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{22,}$/),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      attestation: 'none',
      excludeCredentials: [],
    });
    expect(options.pubKeyCredParams).toContainEqual({ type: 'public-key', alg: -7 });
    // A fresh challenge each time, and the same user handle (a passkey names its account by it).
    const again = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    expect(again.challenge).not.toBe(options.challenge);
    expect(again.user.id).toBe(options.user.id);
  });

  test('auth.passkeys.registrationOptions refuses a missing or wrong password with INVALID_CREDENTIALS', async () => {
    const account = await member();
    await expectReason(
      account.client.trpc.auth.passkeys.registrationOptions.mutate({}),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    await expectReason(
      account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: strongPassword() }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    await expectReason(
      server.client().trpc.auth.passkeys.registrationOptions.mutate({ password: account.password }),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
  });

  test('auth.passkeys.registrationOptions lists the passkeys the member has in excludeCredentials, so a browser does not add the same one twice', async () => {
    const account = await member();
    const { passkey, authenticator, response } = await addPasskey(account.client, account.password);
    const options = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    expect(options.excludeCredentials?.map((entry) => entry.id)).toEqual([response.id]);
    expect(() => authenticator.register(options)).toThrow(/InvalidStateError/);
    // Another authenticator may add its own.
    const other = newAuthenticator().register(options);
    await account.client.trpc.auth.passkeys.register.mutate({ response: other });
    const ids = (await account.client.trpc.auth.passkeys.list.query()).map((entry) => entry.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(passkey.id);
  });

  test('auth.passkeys.registrationOptions lets an account without a password go on within 10 minutes of its sign-in, then asks for REAUTH_REQUIRED', async () => {
    const { client } = await providerMember();
    await expect(client.trpc.auth.passkeys.registrationOptions.mutate({})).resolves.toMatchObject({
      rp: { id: '127.0.0.1' },
    });
    clock.advance(11 * MINUTE);
    await expectReason(client.trpc.auth.passkeys.registrationOptions.mutate({}), 'FORBIDDEN', 'REAUTH_REQUIRED');
  });
});

describe('auth.passkeys.register', () => {
  test('auth.passkeys.register adds the passkey, named after the device, mails the member and records passkey.added', async () => {
    const account = await member();
    const since = server.mail.mark();
    const { passkey } = await addPasskey(account.client, account.password);
    expect(passkey).toEqual({
      id: expect.any(String),
      name: expect.stringMatching(/^Passkey on .*macOS/),
      createdAt: expect.stringMatching(/Z$/),
      lastUsedAt: null,
      backedUp: false,
    });
    expect(await account.client.trpc.auth.passkeys.list.query()).toEqual([passkey]);
    const mails = await deliveredMails(server, account.email, since);
    expect(mails.map((mail) => mail.subject)).toEqual([expect.stringMatching(PASSKEY_MAIL)]);
    expect(mails[0]!.text).toContain(passkey.name);
    expect(await eventTypes(account.client)).toContain('passkey.added');
  });

  test('auth.passkeys.register keeps the name given, trimmed, and says whether a synced passkey is backed up', async () => {
    const account = await member();
    const { passkey } = await addPasskey(account.client, account.password, newAuthenticator({ backedUp: true }), {
      name: '  Work phone  ',
    });
    expect(passkey).toMatchObject({ name: 'Work phone', backedUp: true });
  });

  test('auth.passkeys.register gives an account without a password a passkey that signs it in', async () => {
    const { client, userId } = await providerMember();
    const { authenticator } = await addPasskey(client, null);
    expect((await passkeySignIn(authenticator)).session.user.id).toBe(userId);
  });

  const TAMPERED: Array<[string, RegisterOverrides]> = [
    ['an answer made for another origin', { origin: 'https://latchkey.evil.example' }],
    ['an answer for another RP id hash', { rpId: 'evil.example' }],
    ['an answer without user verification', { flags: { uv: false } }],
    ['an answer without user presence', { flags: { up: false } }],
    ['a sign-in answer (clientDataJSON type webauthn.get)', { type: 'webauthn.get' }],
  ];
  test.each(TAMPERED)(
    'auth.passkeys.register refuses %s with BAD_REQUEST and adds nothing',
    async (_what, overrides) => {
      const account = await member();
      const options = await account.client.trpc.auth.passkeys.registrationOptions.mutate({
        password: account.password,
      });
      const since = server.mail.mark();
      await expectReason(
        account.client.trpc.auth.passkeys.register.mutate({
          response: newAuthenticator().register(options, overrides),
        }),
        'BAD_REQUEST',
        'INVALID_INPUT',
      );
      expect(await account.client.trpc.auth.passkeys.list.query()).toEqual([]);
      expect(await deliveredMails(server, account.email, since, 'passkey')).toEqual([]);
      expect(await eventTypes(account.client)).not.toContain('passkey.added');
      // The same ceremony untouched adds it.
      await addPasskey(account.client, account.password);
      expect(await account.client.trpc.auth.passkeys.list.query()).toHaveLength(1);
    },
  );

  test('auth.passkeys.register refuses a challenge used once already, and one the server never issued, with BAD_REQUEST', async () => {
    const account = await member();
    const { creation } = await addPasskey(account.client, account.password);
    const reused = await trpcError(
      account.client.trpc.auth.passkeys.register.mutate({ response: newAuthenticator().register(creation) }),
    );
    expect({ code: reused.data?.code, reason: reused.data?.reason }).toEqual({
      code: 'BAD_REQUEST',
      reason: 'INVALID_TOKEN',
    });
    const options = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    await expectReason(
      account.client.trpc.auth.passkeys.register.mutate({
        response: newAuthenticator().register(options, { challenge: Buffer.alloc(32, 7).toString('base64url') }),
      }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
    expect(await account.client.trpc.auth.passkeys.list.query()).toHaveLength(1);
  });

  test('auth.passkeys.register refuses a challenge older than 5 minutes with BAD_REQUEST INVALID_TOKEN', async () => {
    const account = await member();
    const options = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    clock.advance(6 * MINUTE);
    await expectReason(
      account.client.trpc.auth.passkeys.register.mutate({ response: newAuthenticator().register(options) }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
    expect(await account.client.trpc.auth.passkeys.list.query()).toEqual([]);
  });

  test('auth.passkeys.register refuses a challenge issued to another session, even one of the same member', async () => {
    const account = await member();
    const otherDevice = server.client();
    const signedIn = await otherDevice.trpc.auth.login.mutate({ email: account.email, password: account.password });
    if (signedIn.status !== 'signed_in') throw new Error('expected signed_in');
    otherDevice.useSession(signedIn.session);
    const stranger = await member();
    const options = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    for (const client of [otherDevice, stranger.client]) {
      await expectReason(
        client.trpc.auth.passkeys.register.mutate({ response: newAuthenticator().register(options) }),
        'BAD_REQUEST',
        'INVALID_TOKEN',
      );
    }
    expect(await account.client.trpc.auth.passkeys.list.query()).toEqual([]);
    expect(await stranger.client.trpc.auth.passkeys.list.query()).toEqual([]);
  });

  test('auth.passkeys.register refuses the challenge of a sign-in with BAD_REQUEST', async () => {
    const account = await member();
    const creation = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    const { options } = await server.client().trpc.auth.passkeys.authenticationOptions.mutate();
    await expectReason(
      account.client.trpc.auth.passkeys.register.mutate({
        response: newAuthenticator().register(creation, { challenge: options.challenge }),
      }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
    expect(await account.client.trpc.auth.passkeys.list.query()).toEqual([]);
  });
});

describe('auth.passkeys.list, rename and delete', () => {
  test('auth.passkeys.list lists the member’s own passkeys, oldest first', async () => {
    const account = await member();
    const first = await addPasskey(account.client, account.password, newAuthenticator(), { name: 'First' });
    const second = await addPasskey(account.client, account.password, newAuthenticator(), { name: 'Second' });
    const other = await member();
    await addPasskey(other.client, other.password, newAuthenticator(), { name: 'Not yours' });
    expect((await account.client.trpc.auth.passkeys.list.query()).map((entry) => entry.id)).toEqual([
      first.passkey.id,
      second.passkey.id,
    ]);
  });

  test('auth.passkeys.rename trims and keeps the name, up to 60 code points, and refuses an empty or longer one with INVALID_INPUT', async () => {
    const account = await member();
    const { passkey } = await addPasskey(account.client, account.password);
    const renamed = await account.client.trpc.auth.passkeys.rename.mutate({ id: passkey.id, name: '  Laptop  ' });
    expect(renamed).toEqual({ ...passkey, name: 'Laptop' });
    const sixty = '🔑'.repeat(60);
    expect((await account.client.trpc.auth.passkeys.rename.mutate({ id: passkey.id, name: sixty })).name).toBe(sixty);
    for (const name of ['   ', '🔑'.repeat(61), 'two\nlines']) {
      await expectReason(
        account.client.trpc.auth.passkeys.rename.mutate({ id: passkey.id, name }),
        'BAD_REQUEST',
        'INVALID_INPUT',
      );
    }
    expect((await account.client.trpc.auth.passkeys.list.query()).map((entry) => entry.name)).toEqual([sixty]);
  });

  test('auth.passkeys.rename and auth.passkeys.delete answer NOT_FOUND for another member’s passkey and leave it alone', async () => {
    const owner = await member();
    const { passkey, authenticator } = await addPasskey(owner.client, owner.password);
    const other = await member();
    await expectReason(
      other.client.trpc.auth.passkeys.rename.mutate({ id: passkey.id, name: 'Mine now' }),
      'NOT_FOUND',
      'NOT_FOUND',
    );
    await expectReason(other.client.trpc.auth.passkeys.delete.mutate({ id: passkey.id }), 'NOT_FOUND', 'NOT_FOUND');
    expect(await owner.client.trpc.auth.passkeys.list.query()).toEqual([passkey]);
    expect((await passkeySignIn(authenticator)).session.user.id).toBe(owner.session.user.id);
  });

  test('auth.passkeys.delete removes the passkey: it no longer signs in, the member is mailed and passkey.removed is recorded', async () => {
    const account = await member();
    const { passkey, authenticator } = await addPasskey(account.client, account.password, newAuthenticator(), {
      name: 'Old phone',
    });
    const since = server.mail.mark();
    expect(await account.client.trpc.auth.passkeys.delete.mutate({ id: passkey.id })).toEqual({ status: 'ok' });
    expect(await account.client.trpc.auth.passkeys.list.query()).toEqual([]);
    await refusedSignIn(authenticator);
    const mails = await deliveredMails(server, account.email, since);
    expect(mails.map((mail) => mail.subject)).toEqual([expect.stringMatching(PASSKEY_MAIL)]);
    expect(mails[0]!.text).toContain('Old phone');
    expect(await eventTypes(account.client)).toContain('passkey.removed');
    const options = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    expect(options.excludeCredentials).toEqual([]);
    await expectReason(account.client.trpc.auth.passkeys.delete.mutate({ id: passkey.id }), 'NOT_FOUND', 'NOT_FOUND');
  });

  test('auth.passkeys.delete refuses the last passkey of an account with no password and no linked identity with LAST_SIGN_IN_METHOD', async () => {
    const { client } = await providerMember();
    const first = await addPasskey(client, null);
    const second = await addPasskey(client, null);
    const [identity] = await client.trpc.auth.identities.list.query();
    expect(await client.trpc.auth.identities.unlink.mutate({ id: identity!.id })).toEqual({ status: 'ok' });
    expect(await client.trpc.auth.passkeys.delete.mutate({ id: first.passkey.id })).toEqual({ status: 'ok' });
    await expectReason(
      client.trpc.auth.passkeys.delete.mutate({ id: second.passkey.id }),
      'CONFLICT',
      'LAST_SIGN_IN_METHOD',
    );
    expect((await client.trpc.auth.passkeys.list.query()).map((entry) => entry.id)).toEqual([second.passkey.id]);
    await passkeySignIn(second.authenticator);
  });

  test('auth.passkeys.delete keeps one of the last two passkeys of an account without a password when both are deleted at once', async () => {
    const { client } = await providerMember();
    const first = await addPasskey(client, null);
    const second = await addPasskey(client, null);
    const [identity] = await client.trpc.auth.identities.list.query();
    await client.trpc.auth.identities.unlink.mutate({ id: identity!.id });
    const settled = await Promise.allSettled(
      [first, second].map(({ passkey }) => client.trpc.auth.passkeys.delete.mutate({ id: passkey.id })),
    );
    expect(outcomes(settled).sort()).toEqual(['LAST_SIGN_IN_METHOD', 'ok']);
    expect(await client.trpc.auth.passkeys.list.query()).toHaveLength(1);
  });

  test('auth.passkeys.delete lets a member with a password remove their only passkey', async () => {
    const account = await member();
    const { passkey } = await addPasskey(account.client, account.password);
    expect(await account.client.trpc.auth.passkeys.delete.mutate({ id: passkey.id })).toEqual({ status: 'ok' });
  });
});

describe('auth.passkeys.authenticationOptions and signIn', () => {
  test('auth.passkeys.authenticationOptions asks for a user-verified discoverable credential of the relying party, with a fresh challenge', async () => {
    const client = server.client();
    const first = await client.trpc.auth.passkeys.authenticationOptions.mutate();
    expect(first).toMatchObject({
      challengeId: expect.any(String),
      options: {
        rpId: '127.0.0.1',
        challenge: expect.stringMatching(/^[A-Za-z0-9_-]{22,}$/),
        userVerification: 'required',
      },
    });
    expect(first.options.allowCredentials ?? []).toEqual([]);
    const second = await client.trpc.auth.passkeys.authenticationOptions.mutate();
    expect(second.challengeId).not.toBe(first.challengeId);
    expect(second.options.challenge).not.toBe(first.options.challenge);
  });

  test('auth.passkeys.signIn signs a new device in: an AuthSession that works, the refresh cookie, the passkey marked used, the sign-in recorded as a passkey one', async () => {
    const account = await member();
    const { passkey, authenticator } = await addPasskey(account.client, account.password);
    const { client, session } = await passkeySignIn(authenticator, {}, { userAgent: MAC_CHROME });
    expect(session.user).toMatchObject({ id: account.session.user.id, email: account.email });
    expect(Date.parse(session.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
    expect((await client.trpc.auth.me.query()).id).toBe(account.session.user.id);
    expect(client.refreshToken()).toMatch(/\S/);
    const refreshed = await client.trpc.auth.refresh.mutate();
    expect(refreshed.user.id).toBe(account.session.user.id);
    const [listed] = await account.client.trpc.auth.passkeys.list.query();
    expect(listed).toMatchObject({ id: passkey.id, lastUsedAt: expect.stringMatching(/Z$/) });
    expect(await account.client.trpc.auth.sessions.list.query()).toHaveLength(2);
    const exported = await client.trpc.privacy.exportData.query();
    const signIns = exported.securityEvents.filter((event) => event.type === 'session.started');
    expect(signIns.map((event) => event.provider)).toContain('passkey');
  });

  test('auth.passkeys.signIn accepts a synced passkey whose counter stays 0, again and again', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(
      account.client,
      account.password,
      newAuthenticator({ backedUp: true, counterStep: 0 }),
    );
    for (let time = 0; time < 3; time++) {
      expect((await passkeySignIn(authenticator)).session.user.id).toBe(account.session.user.id);
    }
  });

  test('auth.passkeys.signIn asks no two-factor code of a member with TOTP on: the passkey is both factors', async () => {
    const account = await member();
    const { secret } = await account.client.trpc.auth.mfa.setup.mutate();
    await account.client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, server.app.deps.now()) });
    const { authenticator } = await addPasskey(account.client, account.password);
    const withPassword = await server
      .client()
      .trpc.auth.login.mutate({ email: account.email, password: account.password });
    expect(withPassword.status).toBe('mfa_required');
    const { client, session } = await passkeySignIn(authenticator);
    expect(session.user).toMatchObject({ id: account.session.user.id, mfaEnabled: true });
    expect((await client.trpc.auth.me.query()).id).toBe(account.session.user.id);
  });

  const FORGED: Array<[string, () => AuthenticateOverrides]> = [
    ['an answer made for another origin', () => ({ origin: 'https://latchkey.evil.example' })],
    ['an answer for another RP id hash', () => ({ rpId: 'evil.example' })],
    ['an answer without user verification', () => ({ flags: { uv: false } })],
    ['an answer without user presence', () => ({ flags: { up: false } })],
    ['an answer signed by another key', () => ({ signWith: newP256KeyPair().privateKey })],
    ['a registration answer (clientDataJSON type webauthn.create)', () => ({ type: 'webauthn.create' })],
    ['an answer to another challenge', () => ({ challenge: Buffer.alloc(32, 9).toString('base64url') })],
    ['an answer made inside another site’s frame (crossOrigin)', () => ({ crossOrigin: true })],
    [
      'an answer naming another account as its user',
      () => ({ userHandle: Buffer.from('someone-else').toString('base64url') }),
    ],
  ];
  test.each(FORGED)(
    'auth.passkeys.signIn refuses %s with INVALID_CREDENTIALS, signs nobody in and spends the challenge',
    async (_what, overrides) => {
      const account = await member();
      const { authenticator } = await addPasskey(account.client, account.password);
      const client = server.client();
      const { challengeId, options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
      await expectReason(
        client.trpc.auth.passkeys.signIn.mutate({
          challengeId,
          response: authenticator.authenticate(options, overrides()),
        }),
        'UNAUTHORIZED',
        'INVALID_CREDENTIALS',
      );
      expect(client.refreshToken()).toBeUndefined();
      // The same challenge with a genuine answer: spent by the failed attempt.
      await expectReason(
        client.trpc.auth.passkeys.signIn.mutate({ challengeId, response: authenticator.authenticate(options) }),
        'UNAUTHORIZED',
        'INVALID_CREDENTIALS',
      );
      const [listed] = await account.client.trpc.auth.passkeys.list.query();
      expect(listed?.lastUsedAt).toBeNull();
      expect(await account.client.trpc.auth.sessions.list.query()).toHaveLength(1);
      // A fresh challenge works.
      await passkeySignIn(authenticator);
    },
  );

  test('auth.passkeys.signIn refuses a challenge used once already, one older than 5 minutes and an unknown one with INVALID_CREDENTIALS', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    const client = server.client();
    const { challengeId, options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
    await client.trpc.auth.passkeys.signIn.mutate({ challengeId, response: authenticator.authenticate(options) });
    const again = server.client();
    await expectReason(
      again.trpc.auth.passkeys.signIn.mutate({ challengeId, response: authenticator.authenticate(options) }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );

    const late = await again.trpc.auth.passkeys.authenticationOptions.mutate();
    clock.advance(6 * MINUTE);
    await expectReason(
      again.trpc.auth.passkeys.signIn.mutate({
        challengeId: late.challengeId,
        response: authenticator.authenticate(late.options),
      }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    await expectReason(
      again.trpc.auth.passkeys.signIn.mutate({
        challengeId: 'no-such-challenge',
        response: authenticator.authenticate(late.options),
      }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    expect(again.refreshToken()).toBeUndefined();
  });

  test('auth.passkeys.signIn refuses an answer to a registration challenge with INVALID_CREDENTIALS', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    // The challenge of a registration this member started, answered as a sign-in.
    const creation = await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password });
    await refusedSignIn(authenticator, { challenge: creation.challenge });
    const client = server.client();
    const { options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
    await expectReason(
      client.trpc.auth.passkeys.signIn.mutate({
        challengeId: creation.challenge,
        response: authenticator.authenticate({ ...options, challenge: creation.challenge }),
      }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
  });

  test('auth.passkeys.signIn refuses a credential the server does not know with INVALID_CREDENTIALS', async () => {
    const stranger = newAuthenticator();
    const account = await member();
    // A genuine registration's options, answered by an authenticator whose answer never reached the server.
    stranger.register(
      await account.client.trpc.auth.passkeys.registrationOptions.mutate({ password: account.password }),
    );
    await refusedSignIn(stranger);
  });

  test('auth.passkeys.signIn refuses a signature counter that goes backwards, or stays, with INVALID_CREDENTIALS and records passkey.counter_mismatch for the owner', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    await passkeySignIn(authenticator); // counter 1
    await passkeySignIn(authenticator); // counter 2
    expect(await eventTypes(account.client)).not.toContain('passkey.counter_mismatch');
    // A copy of the key that was made at counter 1 answers next.
    await refusedSignIn(authenticator, { counter: 1, keepCounter: true });
    expect(await eventTypes(account.client)).toContain('passkey.counter_mismatch');
    await refusedSignIn(authenticator, { counter: 2, keepCounter: true });
    await refusedSignIn(authenticator, { counter: 0, keepCounter: true });
    const mismatches = (await eventTypes(account.client)).filter((type) => type === 'passkey.counter_mismatch');
    expect(mismatches).toHaveLength(3);
    expect(await account.client.trpc.auth.sessions.list.query()).toHaveLength(3);
  });

  test('auth.passkeys.signIn accepts counters up to 2^32 - 1, as a security key that has signed a lot sends them', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password, newAuthenticator(), {
      overrides: { counter: 0xfffffff0 },
    });
    await passkeySignIn(authenticator, { counter: 0xfffffffe });
    await refusedSignIn(authenticator, { counter: 0xfffffff1, keepCounter: true });
    await passkeySignIn(authenticator, { counter: 0xffffffff });
  });

  test('auth.passkeys.signIn signs in once when the same challenge and answer arrive twice at once', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    for (let round = 0; round < 3; round++) {
      const { challengeId, options } = await server.client().trpc.auth.passkeys.authenticationOptions.mutate();
      const response = authenticator.authenticate(options);
      const settled = await Promise.allSettled(
        [server.client(), server.client()].map((client) =>
          client.trpc.auth.passkeys.signIn.mutate({ challengeId, response }),
        ),
      );
      expect(outcomes(settled).sort()).toEqual(['INVALID_CREDENTIALS', 'ok']);
    }
  });

  test('auth.passkeys.signIn accepts one of two answers with the same counter that arrive at once: a cloned key cannot race its way in', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    for (let round = 1; round <= 3; round++) {
      // The genuine key and a copy of it, both at counter 10 × round, each with its own challenge.
      const attempts = await Promise.all(
        [server.client(), server.client()].map(async (client) => {
          const { challengeId, options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
          return { client, challengeId, response: authenticator.authenticate(options, { counter: 10 * round }) };
        }),
      );
      const settled = await Promise.allSettled(
        attempts.map(({ client, challengeId, response }) =>
          client.trpc.auth.passkeys.signIn.mutate({ challengeId, response }),
        ),
      );
      expect({ round, answers: outcomes(settled).sort() }).toEqual({
        round,
        answers: ['INVALID_CREDENTIALS', 'ok'],
      });
    }
  });

  test('auth.passkeys.signIn refuses the passkey of a deleted account with INVALID_CREDENTIALS: it went with the account', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    await account.client.trpc.privacy.deleteAccount.mutate({ password: account.password });
    await refusedSignIn(authenticator);
  });

  test('auth.passkeys.signIn refuses a disabled account with ACCOUNT_DISABLED', async () => {
    const admin = await signUpAdmin(server);
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    await admin.client.trpc.admin.users.setDisabled.mutate({ userId: account.session.user.id, disabled: true });
    const client = server.client();
    const { challengeId, options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
    await expectReason(
      client.trpc.auth.passkeys.signIn.mutate({ challengeId, response: authenticator.authenticate(options) }),
      'FORBIDDEN',
      'ACCOUNT_DISABLED',
    );
    expect(client.refreshToken()).toBeUndefined();
    await admin.client.trpc.admin.users.setDisabled.mutate({ userId: account.session.user.id, disabled: false });
    await passkeySignIn(authenticator);
  });

  test('auth.passkeys.signIn refuses an unconfirmed account with EMAIL_NOT_VERIFIED', async () => {
    // No procedure makes a confirmed account with a passkey unconfirmed again, so the state is set
    // in the database: the rule of auth.login must hold on this path whatever leads there.
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    await server.app.deps.orm.em
      .fork()
      .nativeUpdate(UserEntity, { id: account.session.user.id }, { emailVerifiedAt: null });
    const client = server.client();
    const { challengeId, options } = await client.trpc.auth.passkeys.authenticationOptions.mutate();
    await expectReason(
      client.trpc.auth.passkeys.signIn.mutate({ challengeId, response: authenticator.authenticate(options) }),
      'FORBIDDEN',
      'EMAIL_NOT_VERIFIED',
    );
    expect(client.refreshToken()).toBeUndefined();
  });

  test('auth.passkeys.signIn reactivates a deactivated account and signs it in', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    const userId = account.session.user.id;
    await account.client.trpc.privacy.deactivateAccount.mutate({ password: account.password });
    await expectReason(server.client().trpc.profile.get.query({ userId }), 'NOT_FOUND', 'NOT_FOUND');
    const { client, session } = await passkeySignIn(authenticator);
    expect(session.user.id).toBe(userId);
    expect((await server.client().trpc.profile.get.query({ userId })).userId).toBe(userId);
    expect(await eventTypes(client)).toContain('account.reactivated');
  });

  test('auth.passkeys.signIn shares auth.login’s 30 attempts per client IP in 5 minutes, then refuses both with RATE_LIMITED', async () => {
    const account = await member();
    const { authenticator } = await addPasskey(account.client, account.password);
    const ip = testIp();
    const client = server.client({ ip });
    const signInFrom = async (from: TestClient, overrides: AuthenticateOverrides = {}) => {
      const { challengeId, options } = await from.trpc.auth.passkeys.authenticationOptions.mutate();
      return from.trpc.auth.passkeys.signIn.mutate({
        challengeId,
        response: authenticator.authenticate(options, overrides),
      });
    };
    for (let attempt = 1; attempt <= 30; attempt++) {
      if (attempt <= 10) {
        expect((await signInFrom(client)).user.id).toBe(account.session.user.id);
      } else if (attempt <= 15) {
        const error = await trpcError(signInFrom(client, { signWith: newP256KeyPair().privateKey }));
        expect({ attempt, reason: error.data?.reason }).toEqual({ attempt, reason: 'INVALID_CREDENTIALS' });
      } else {
        const error = await trpcError(
          client.trpc.auth.login.mutate({ email: uniqueEmail('nobody'), password: strongPassword() }),
        );
        expect({ attempt, reason: error.data?.reason }).toEqual({ attempt, reason: 'INVALID_CREDENTIALS' });
      }
    }
    const window = { atMost: 5 * MINUTE, atLeast: 5 * MINUTE - TEST_TIME };
    expectRateLimited(await trpcError(signInFrom(client)), client.lastResponse, window);
    expectRateLimited(
      await trpcError(client.trpc.auth.login.mutate({ email: account.email, password: account.password })),
      client.lastResponse,
      window,
    );
    // Another network is not affected.
    await passkeySignIn(authenticator);
    clock.advance(5 * MINUTE + 1);
    expect((await signInFrom(client)).user.id).toBe(account.session.user.id);
  });
});

test('auth.passkeys.authenticationOptions gives one client IP 60 challenges in 5 minutes, then RATE_LIMITED', async () => {
  const client = server.client({ ip: testIp() });
  for (let asked = 0; asked < 60; asked++) await client.trpc.auth.passkeys.authenticationOptions.mutate();
  await expectReason(client.trpc.auth.passkeys.authenticationOptions.mutate(), 'TOO_MANY_REQUESTS', 'RATE_LIMITED');
  // Another address is not held back.
  expect((await server.client({ ip: testIp() }).trpc.auth.passkeys.authenticationOptions.mutate()).challengeId).toEqual(
    expect.any(String),
  );
});

describe('privacy.exportData', () => {
  test('privacy.exportData lists the member’s passkeys without their key material', async () => {
    const account = await member();
    const { passkey, authenticator, response } = await addPasskey(
      account.client,
      account.password,
      newAuthenticator(),
      {
        name: 'Exported key',
      },
    );
    await passkeySignIn(authenticator);
    const exported = await account.client.trpc.privacy.exportData.query();
    const [listed] = await account.client.trpc.auth.passkeys.list.query();
    expect(exported.passkeys).toEqual([expect.objectContaining({ ...listed, id: passkey.id, name: 'Exported key' })]);
    const text = JSON.stringify(exported);
    const { publicKey } = authenticator.credential(response.id);
    const jwk = publicKey.export({ format: 'jwk' });
    const keyMaterial = {
      credentialId: response.id,
      coseKey: coseKeyOf(publicKey).toString('base64url'),
      coseKeyBase64: coseKeyOf(publicKey).toString('base64'),
      spki: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
      x: jwk.x!,
      y: jwk.y!,
    };
    for (const [what, value] of Object.entries(keyMaterial)) {
      expect(text.includes(value), `the export contains the passkey's ${what}`).toBe(false);
    }
  });
});
