import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashPassword } from '#server/lib/passwords.ts';
import { createUser } from '#server/modules/users/users.service.ts';
import { INVITATION_SUBJECT, signIn, signUpAdmin } from '#tests/helpers/admin.ts';
import { tokenIn } from '#tests/helpers/mail-capture.ts';
import { startOpenIdProvider, type OpenIdAccount, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import { runProviderFlow, type CallbackResult } from '#tests/helpers/provider-flow.ts';
import { sessionOf, setsSession } from '#tests/helpers/provider-session.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  testIp,
  uniqueEmail,
  VERIFY_SUBJECT,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §12 over the real redirects, against a real OpenID Provider on 127.0.0.1: 'acme' vouches
// for the addresses it confirms (trustEmail), 'loose' never does.

const LINKED_SUBJECT = 'A sign-in method was linked';
const PROVIDERS = (issuer: string) =>
  JSON.stringify([
    { id: 'acme', name: 'Acme ID', issuer, clientId: 'latchkey-acme', clientSecret: 'acme-secret', trustEmail: true },
    { id: 'loose', name: 'Loose ID', issuer, clientId: 'latchkey-loose', clientSecret: 'loose-secret' },
  ]);

let op: OpenIdProvider;
let subjects = 0;
const newSubject = () => `subject-${Date.now()}-${++subjects}`;

async function startServerWithProviders(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ OIDC_PROVIDERS: PROVIDERS(op.issuer), ...env });
  for (const id of ['acme', 'loose']) {
    await op.addClient({
      client_id: `latchkey-${id}`,
      client_secret: `${id}-secret`,
      redirect_uris: [`${server.url}/auth/oauth/${id}/callback`],
    });
  }
  return server;
}

beforeAll(async () => {
  op = await startOpenIdProvider({});
});
afterAll(async () => {
  await op?.close();
});

/** One browser's sign-in through a provider, from its own address (the per-IP limits stay out of the way). */
function signInWith(
  server: TestServer,
  account: OpenIdAccount,
  options: { provider?: string; query?: Record<string, string> } = {},
): Promise<CallbackResult> {
  op.nextLogin(account);
  return runProviderFlow({
    latchkeyUrl: server.url,
    providerId: options.provider ?? 'acme',
    query: options.query ?? { intent: 'signin', returnTo: '/' },
    headers: { 'X-Forwarded-For': testIp() },
  });
}

describe('open registration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerWithProviders();
  });
  afterAll(async () => {
    await server?.close();
  });

  test('a provider that vouches for a new address makes a confirmed account without a password, named by the provider, and signs it in', async () => {
    const email = uniqueEmail('new-fed');
    const result = await signInWith(
      server,
      { sub: newSubject(), email, email_verified: true, name: 'Ada Provider' },
      { query: { intent: 'signin', returnTo: '/settings/profile' } },
    );
    expect({ status: result.status, location: result.location }).toEqual({
      status: 302,
      location: '/settings/profile',
    });
    const { client, session } = await sessionOf(server, result);
    expect(session.user).toMatchObject({
      email,
      emailVerified: true,
      hasPassword: false,
      profile: { name: 'Ada Provider' },
    });
    expect(
      (await client.trpc.auth.identities.list.query()).map((identity) => [identity.provider, identity.email]),
    ).toEqual([['acme', email]]);
    // No password: signing in with one answers as for a wrong password.
    await expectReason(
      server.client().trpc.auth.login.mutate({ email, password: strongPassword() }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    const exported = await client.trpc.privacy.exportData.query();
    expect(exported.identities).toEqual([expect.objectContaining({ provider: 'acme', email })]);
    expect(JSON.stringify(exported)).not.toMatch(/access_token|id_token|refresh_token/);
    expect(exported.securityEvents.find((event) => event.type === 'session.started')?.provider).toBe('acme');
  });

  test('a second sign-in through the same identity signs in the same account, even after the address changed at the provider', async () => {
    const sub = newSubject();
    const first = await sessionOf(
      server,
      await signInWith(server, { sub, email: uniqueEmail('one'), email_verified: true }),
    );
    const changed = uniqueEmail('changed');
    const again = await sessionOf(server, await signInWith(server, { sub, email: changed, email_verified: true }));
    expect(again.session.user.id).toBe(first.session.user.id);
    const [identity] = await again.client.trpc.auth.identities.list.query();
    expect(identity).toMatchObject({ provider: 'acme', email: changed, lastUsedAt: expect.any(String) });
  });

  test('a vouched address of a confirmed account links the identity to it, signs that member in and mails them', async () => {
    const member = await signUpAndVerify(server);
    const since = server.mail.mark();
    const { session } = await sessionOf(
      server,
      await signInWith(server, { sub: newSubject(), email: member.email, email_verified: true }),
    );
    expect(session.user).toMatchObject({ id: member.session.user.id, hasPassword: true });
    const mail = await server.mail.waitForMail({ to: member.email, subject: LINKED_SUBJECT, since });
    expect(mail.text).toContain('Acme ID');
    expect((await member.client.trpc.auth.identities.list.query()).map((identity) => identity.provider)).toEqual([
      'acme',
    ]);
  });

  test('an address the provider does not vouch for goes to /login?link=, and only the account password links it, once', async () => {
    const member = await signUpAndVerify(server);
    const result = await signInWith(
      server,
      { sub: newSubject(), email: member.email, email_verified: true },
      { provider: 'loose' },
    );
    expect(result.location).toMatch(/^\/login\?link=[\w-]+$/);
    expect(setsSession(result)).toBe(false);
    const linkToken = new URLSearchParams(result.location!.split('?')[1]).get('link')!;
    const page = server.client();
    expect(await page.trpc.auth.oauth.pendingLink.query({ token: linkToken })).toEqual({
      providerName: 'Loose ID',
      email: member.email,
    });
    await expectReason(
      page.trpc.auth.login.mutate({ email: member.email, password: strongPassword(), linkToken }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    expect(await member.client.trpc.auth.identities.list.query()).toEqual([]);
    const signedIn = await page.trpc.auth.login.mutate({ email: member.email, password: member.password, linkToken });
    expect(signedIn.status).toBe('signed_in');
    expect((await member.client.trpc.auth.identities.list.query()).map((identity) => identity.provider)).toEqual([
      'loose',
    ]);
    await expectReason(page.trpc.auth.oauth.pendingLink.query({ token: linkToken }), 'BAD_REQUEST', 'INVALID_TOKEN');
    await expectReason(
      server.client().trpc.auth.login.mutate({ email: member.email, password: member.password, linkToken }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
  });

  test('a new address the provider does not vouch for makes an unconfirmed account: no session, a confirmation mail whose link signs in', async () => {
    const email = uniqueEmail('unvouched');
    const since = server.mail.mark();
    const sub = newSubject();
    const result = await signInWith(server, { sub, email, email_verified: true }, { provider: 'loose' });
    expect({ location: result.location, session: setsSession(result) }).toEqual({
      location: '/check-email',
      session: false,
    });
    const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
    // Until then the identity does not sign in either.
    expect((await signInWith(server, { sub, email }, { provider: 'loose' })).location).toBe(
      '/login?error=email_not_verified',
    );
    const session = await server
      .client()
      .trpc.auth.verifyEmail.mutate({ token: tokenIn(mail, '/verify-email?token=') });
    expect(session.user).toMatchObject({ email, emailVerified: true, hasPassword: false });
    const again = await sessionOf(server, await signInWith(server, { sub, email }, { provider: 'loose' }));
    expect(again.session.user.id).toBe(session.user.id);
  });

  test('a member with two-factor codes on is sent to /login?mfa= and signed in only with a code', async () => {
    const member = await signUpAndVerify(server);
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    await member.client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, new Date()) });
    const result = await signInWith(server, { sub: newSubject(), email: member.email, email_verified: true });
    expect(result.location).toMatch(/^\/login\?mfa=[\w-]+$/);
    expect(setsSession(result)).toBe(false);
    const mfaToken = new URLSearchParams(result.location!.split('?')[1]).get('mfa')!;
    await expectReason(
      server.client().trpc.auth.verifyMfa.mutate({ mfaToken, code: '000000' }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    const session = await server.client().trpc.auth.verifyMfa.mutate({ mfaToken, code: totpAt(secret, new Date(), 1) });
    expect(session.user.id).toBe(member.session.user.id);
  });

  test('a disabled account is not signed in through its identity: /login?error=ACCOUNT_DISABLED', async () => {
    const admin = await signUpAdmin(server);
    const email = uniqueEmail('disabled');
    const sub = newSubject();
    const { session } = await sessionOf(server, await signInWith(server, { sub, email, email_verified: true }));
    await admin.client.trpc.admin.users.setDisabled.mutate({ userId: session.user.id, disabled: true });
    const result = await signInWith(server, { sub, email, email_verified: true });
    expect({ location: result.location, session: setsSession(result) }).toEqual({
      location: '/login?error=ACCOUNT_DISABLED',
      session: false,
    });
  });

  test('auth.identities.unlink refuses the last way in with LAST_SIGN_IN_METHOD; after auth.password.set the identity can go', async () => {
    const email = uniqueEmail('unlink');
    const { client } = await sessionOf(
      server,
      await signInWith(server, { sub: newSubject(), email, email_verified: true }),
    );
    const [identity] = await client.trpc.auth.identities.list.query();
    await expectReason(
      client.trpc.auth.identities.unlink.mutate({ id: identity!.id }),
      'CONFLICT',
      'LAST_SIGN_IN_METHOD',
    );
    const password = strongPassword();
    const session = await client.trpc.auth.password.set.mutate({ newPassword: password });
    client.useSession(session);
    expect(session.user.hasPassword).toBe(true);
    expect(await client.trpc.auth.identities.unlink.mutate({ id: identity!.id })).toEqual({ status: 'ok' });
    expect(await client.trpc.auth.identities.list.query()).toEqual([]);
    expect((await server.client().trpc.auth.login.mutate({ email, password })).status).toBe('signed_in');
    await expectReason(client.trpc.auth.identities.unlink.mutate({ id: identity!.id }), 'NOT_FOUND', 'NOT_FOUND');
    // A password already set is changed with the current one, not set again.
    await expectReason(
      client.trpc.auth.password.set.mutate({ newPassword: strongPassword() }),
      'FORBIDDEN',
      'REAUTH_REQUIRED',
    );
  });

  test('auth.password.set applies the password policy and needs a sign-in less than 10 minutes old (REAUTH_REQUIRED)', async () => {
    const { client } = await sessionOf(
      server,
      await signInWith(server, { sub: newSubject(), email: uniqueEmail('late'), email_verified: true }),
    );
    await expectReason(client.trpc.auth.password.set.mutate({ newPassword: 'short' }), 'BAD_REQUEST', 'WEAK_PASSWORD');
    server.shiftClock(11 * 60);
    try {
      await client.trpc.auth.refresh.mutate().then((session) => client.useSession(session));
      await expectReason(
        client.trpc.auth.password.set.mutate({ newPassword: strongPassword() }),
        'FORBIDDEN',
        'REAUTH_REQUIRED',
      );
    } finally {
      server.shiftClock(0);
    }
  });

  test('intent=link from settings links the identity to the signed-in member; another member cannot take it (identity_in_use)', async () => {
    const member = await signUpAndVerify(server);
    const sub = newSubject();
    const { ticket } = await member.client.trpc.auth.oauth.linkTicket.mutate();
    const linked = await signInWith(
      server,
      { sub, email: uniqueEmail('elsewhere') },
      { query: { intent: 'link', ticket } },
    );
    expect({ location: linked.location, session: setsSession(linked) }).toEqual({
      location: '/settings/security?linked=acme',
      session: false,
    });
    expect((await member.client.trpc.auth.identities.list.query()).map((identity) => identity.provider)).toEqual([
      'acme',
    ]);
    // The ticket is single use: the start sends the browser straight back.
    const reused = await server.fetch(`/auth/oauth/acme/start?intent=link&ticket=${ticket}`, { redirect: 'manual' });
    expect(reused.headers.get('location')).toBe('/settings/security?error=invalid_state');
    const other = await signUpAndVerify(server);
    const { ticket: otherTicket } = await other.client.trpc.auth.oauth.linkTicket.mutate();
    const taken = await signInWith(server, { sub }, { query: { intent: 'link', ticket: otherTicket } });
    expect(taken.location).toBe('/settings/security?error=identity_in_use');
    expect(await other.client.trpc.auth.identities.list.query()).toEqual([]);
    // And the identity now signs the first member in.
    const { session } = await sessionOf(server, await signInWith(server, { sub }));
    expect(session.user.id).toBe(member.session.user.id);
  });

  test('privacy.deleteAccount removes the identities: the same provider account afterwards makes a new account', async () => {
    const member = await signUpAndVerify(server);
    const sub = newSubject();
    await sessionOf(server, await signInWith(server, { sub, email: member.email, email_verified: true }));
    await member.client.trpc.privacy.deleteAccount.mutate({ password: member.password });
    const { session } = await sessionOf(
      server,
      await signInWith(server, { sub, email: member.email, email_verified: true }),
    );
    expect(session.user.id).not.toBe(member.session.user.id);
    expect(session.user.hasPassword).toBe(false);
  });

  test('a cancelled sign-in at the provider lands on /login?error=access_denied with no session', async () => {
    op.deny();
    const result = await runProviderFlow({ latchkeyUrl: server.url, providerId: 'acme' });
    expect({ location: result.location, session: setsSession(result) }).toEqual({
      location: '/login?error=access_denied',
      session: false,
    });
  });
});

describe('invite-only registration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerWithProviders({ REGISTRATION_MODE: 'invite_only' });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('a provider sign-in of a new address is refused with REGISTRATION_CLOSED unless the address has an invitation, which it takes up', async () => {
    const refused = await signInWith(server, {
      sub: newSubject(),
      email: uniqueEmail('uninvited'),
      email_verified: true,
    });
    expect({ location: refused.location, session: setsSession(refused) }).toEqual({
      location: '/login?error=REGISTRATION_CLOSED',
      session: false,
    });
    // Sign-up is closed: the first admin is made as `npm run admin -- create` makes one.
    const em = server.app.deps.orm.em.fork();
    const adminEmail = uniqueEmail('first-admin');
    const adminPassword = strongPassword();
    const first = createUser(em, {
      email: adminEmail,
      passwordHash: await hashPassword(adminPassword),
      now: new Date(),
    });
    first.role = 'admin';
    first.emailVerifiedAt = new Date();
    await em.flush();
    const admin = { client: await signIn(server, adminEmail, adminPassword) };
    const email = uniqueEmail('invited');
    const since = server.mail.mark();
    await admin.client.trpc.admin.invitations.create.mutate({ email, role: 'admin' });
    await server.mail.waitForMail({ to: email, subject: INVITATION_SUBJECT, since });
    const { session } = await sessionOf(
      server,
      await signInWith(server, { sub: newSubject(), email, email_verified: true }),
    );
    expect(session.user).toMatchObject({ email, role: 'admin', emailVerified: true });
    const invitations = await admin.client.trpc.admin.invitations.list.query();
    expect(invitations.find((invitation) => invitation.email === email)?.status).toBe('accepted');
  });
});
