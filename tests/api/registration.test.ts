import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { linkIn, tokenIn } from '#tests/helpers/mail-capture.ts';
import {
  ACCOUNT_EXISTS_SUBJECT,
  VERIFY_SUBJECT,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

const THIRTY_DAYS = 30 * 24 * 60 * 60;

test('auth.register answers verification_sent and mails a verification link with HTML and text parts', async () => {
  const email = uniqueEmail('new');
  const client = server.client();
  const result = await client.trpc.auth.register.mutate({ email, password: strongPassword() });
  expect(result).toEqual({ status: 'verification_sent' });
  // No session before the address is confirmed.
  expect(client.lastResponse?.setCookies).toEqual([]);

  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
  expect(server.mail.mailsTo(email)).toHaveLength(1);
  // Sent through the Resend SDK with the configured key and sender.
  expect(mail.authorization).toBe('Bearer test-key');
  expect(mail.from).toBe(server.config.mail.from);
  const link = linkIn(mail, '/verify-email?token=');
  expect(link.origin).toBe(server.url);
  expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(mail.text).toContain(link.href);
  expect(mail.html).toMatch(/^<!doctype html>/i);
  expect(mail.html).toContain(`href="${link.href}"`);
});

test('auth.verifyEmail signs the user in with an AuthSession and an HttpOnly, SameSite=Strict refresh cookie on /trpc', async () => {
  const email = uniqueEmail('verify');
  const client = server.client();
  await client.trpc.auth.register.mutate({ email, password: strongPassword(), name: '  Ann Example ' });
  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
  const before = Date.now();
  const session = await client.trpc.auth.verifyEmail.mutate({ token: tokenIn(mail, '/verify-email?token=') });

  expect(session).toEqual({
    accessToken: expect.any(String),
    accessTokenExpiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    user: {
      id: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
      email,
      emailVerified: true,
      role: 'user',
      mfaEnabled: false,
      hasPassword: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      profile: { name: 'Ann Example', avatarUrl: null },
    },
  });
  const expiresIn = Date.parse(session.accessTokenExpiresAt) - before;
  expect(expiresIn).toBeGreaterThan(14 * 60 * 1000);
  expect(expiresIn).toBeLessThanOrEqual(15 * 60 * 1000 + 1000);

  const cookies = client.lastResponse!.setCookies;
  const refresh = cookies.filter((cookie) => cookie.name === 'refresh_token');
  expect(refresh).toHaveLength(1);
  const cookie = refresh[0]!;
  expect(cookie.value.length).toBeGreaterThan(20);
  expect(Object.fromEntries(cookie.attributes)).toEqual({
    'max-age': String(THIRTY_DAYS),
    path: '/trpc',
    httponly: true,
    samesite: 'Strict',
  });
  // The refresh token is never in a response body.
  expect(JSON.stringify(session)).not.toContain(cookie.value);

  client.useSession(session);
  expect(await client.trpc.auth.me.query()).toEqual(session.user);
});

test('auth.register gives a taken email the same answer and mails its owner an account-exists notice instead of a link', async () => {
  const owner = await signUpAndVerify(server);
  const since = server.mail.mark();
  const intruderPassword = strongPassword();
  // Another spelling of the same address: still the same account.
  const result = await server
    .client()
    .trpc.auth.register.mutate({ email: `  ${owner.email.toUpperCase()} `, password: intruderPassword });
  expect(result).toEqual({ status: 'verification_sent' });

  const notice = await server.mail.waitForMail({ to: owner.email, subject: ACCOUNT_EXISTS_SUBJECT, since });
  expect(server.mail.mails().filter((mail) => mail.seq > since)).toEqual([notice]);
  expect(notice.html).toBeTruthy();
  expect(linkIn(notice, '/login').origin).toBe(server.url);
  expect(notice.text).not.toContain('/verify-email');

  // Nothing changed: the owner's password still works, the newcomer's does not.
  const ok = await server.client().trpc.auth.login.mutate({ email: owner.email, password: owner.password });
  expect(ok.status).toBe('signed_in');
  const refused = await trpcError(
    server.client().trpc.auth.login.mutate({ email: owner.email, password: intruderPassword }),
  );
  expect(refused.data?.reason).toBe('INVALID_CREDENTIALS');
});

test('auth.register of one email twice at the same time creates one account: one verification mail, one notice, no error', async () => {
  const email = uniqueEmail('race');
  const passwords = [strongPassword(), strongPassword()];
  const since = server.mail.mark();
  // Hold the database (one connection) while both requests hash their passwords, so that both
  // look the address up before either inserts: the race the server must survive.
  let release!: () => void;
  const held = server.app.deps.orm.em.fork().transactional(() => new Promise<void>((resolve) => (release = resolve)));
  const calls = passwords.map((password) => server.client().trpc.auth.register.mutate({ email, password }));
  await new Promise((resolve) => setTimeout(resolve, 400));
  release();
  await held;
  const results = await Promise.allSettled(calls);
  expect(results).toEqual([
    { status: 'fulfilled', value: { status: 'verification_sent' } },
    { status: 'fulfilled', value: { status: 'verification_sent' } },
  ]);

  const verification = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
  await server.mail.waitForMail({ to: email, subject: ACCOUNT_EXISTS_SUBJECT, since });
  const mails = server.mail.mails().filter((mail) => mail.seq > since);
  expect(mails).toHaveLength(2);
  expect(mails.filter((mail) => mail.subject.includes(VERIFY_SUBJECT))).toHaveLength(1);
  expect(mails.filter((mail) => mail.subject.includes(ACCOUNT_EXISTS_SUBJECT))).toHaveLength(1);

  await server.client().trpc.auth.verifyEmail.mutate({ token: tokenIn(verification, '/verify-email?token=') });
  // Exactly one of the two passwords belongs to the one account.
  const logins = await Promise.allSettled(
    passwords.map((password) => server.client().trpc.auth.login.mutate({ email, password })),
  );
  expect(logins.filter((login) => login.status === 'fulfilled')).toHaveLength(1);
});

test('auth.verifyEmail accepts a link once: the second use is INVALID_TOKEN', async () => {
  const { verificationMail } = await signUpAndVerify(server);
  const error = await trpcError(
    server.client().trpc.auth.verifyEmail.mutate({ token: tokenIn(verificationMail, '/verify-email?token=') }),
  );
  expect(error.data?.code).toBe('BAD_REQUEST');
  expect(error.data?.reason).toBe('INVALID_TOKEN');
});

test('auth.verifyEmail refuses a link older than 24 hours with INVALID_TOKEN and leaves the account unverified', async () => {
  const email = uniqueEmail('late');
  const password = strongPassword();
  await server.client().trpc.auth.register.mutate({ email, password });
  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
  server.shiftClock(25 * 60 * 60);
  const client = server.client();
  const error = await trpcError(client.trpc.auth.verifyEmail.mutate({ token: tokenIn(mail, '/verify-email?token=') }));
  expect(error.data?.code).toBe('BAD_REQUEST');
  expect(error.data?.reason).toBe('INVALID_TOKEN');
  expect(client.cookies.size).toBe(0);
  const login = await trpcError(server.client().trpc.auth.login.mutate({ email, password }));
  expect(login.data?.reason).toBe('EMAIL_NOT_VERIFIED');
});

test('auth.verifyEmail still accepts a link 23 hours after it was sent', async () => {
  const email = uniqueEmail('slow');
  await server.client().trpc.auth.register.mutate({ email, password: strongPassword() });
  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
  server.shiftClock(23 * 60 * 60);
  const session = await server.client().trpc.auth.verifyEmail.mutate({ token: tokenIn(mail, '/verify-email?token=') });
  expect(session.user.emailVerified).toBe(true);
});

test('auth.verifyEmail refuses an unknown token with INVALID_TOKEN', async () => {
  const error = await trpcError(server.client().trpc.auth.verifyEmail.mutate({ token: 'A'.repeat(43) }));
  expect(error.data?.code).toBe('BAD_REQUEST');
  expect(error.data?.reason).toBe('INVALID_TOKEN');
});

test('auth.resendVerification mails a new working link to an unverified account', async () => {
  const email = uniqueEmail('resend');
  await server.client().trpc.auth.register.mutate({ email, password: strongPassword() });
  const first = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
  expect(await server.client().trpc.auth.resendVerification.mutate({ email })).toEqual({ status: 'ok' });
  const second = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since: first.seq });
  const token = tokenIn(second, '/verify-email?token=');
  expect(token).not.toBe(tokenIn(first, '/verify-email?token='));
  const session = await server.client().trpc.auth.verifyEmail.mutate({ token });
  expect(session.user.email).toBe(email);
});

test('auth.resendVerification answers Ok and mails nothing for an unknown or already verified address', async () => {
  const verified = await signUpAndVerify(server);
  const since = server.mail.mark();
  expect(await server.client().trpc.auth.resendVerification.mutate({ email: uniqueEmail('nobody') })).toEqual({
    status: 'ok',
  });
  expect(await server.client().trpc.auth.resendVerification.mutate({ email: verified.email })).toEqual({
    status: 'ok',
  });
  expect(server.mail.mark()).toBe(since);
});

test('auth.register refuses a weak password with WEAK_PASSWORD and the reason in fieldErrors.password, and mails nothing', async () => {
  const since = server.mail.mark();
  for (const password of ['short-pass', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'passwordpassword']) {
    const email = uniqueEmail('weak');
    const error = await trpcError(server.client().trpc.auth.register.mutate({ email, password }));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.reason).toBe('WEAK_PASSWORD');
    expect(error.data?.fieldErrors?.password).toEqual([expect.any(String)]);
    expect(error.data?.fieldErrors?.password?.[0]).toBe(error.message);
  }
  expect(server.mail.mark()).toBe(since);
});

test('auth.register refuses a password that contains the local part of the email address', async () => {
  const email = `margarethe.lindqvist.${Date.now()}@example.com`;
  const localPart = email.split('@')[0]!;
  const error = await trpcError(
    server.client().trpc.auth.register.mutate({ email, password: `Zq8-${localPart.toUpperCase()}-xv` }),
  );
  expect(error.data?.reason).toBe('WEAK_PASSWORD');
  expect(error.data?.fieldErrors?.password?.[0]).toMatch(/email/i);
});

test('auth.register refuses a password that contains the product name', async () => {
  const error = await trpcError(
    server.client().trpc.auth.register.mutate({ email: uniqueEmail(), password: 'Zq8-vrwT-LatchKey-93xp' }),
  );
  expect(error.data?.reason).toBe('WEAK_PASSWORD');
});

test('auth.register counts password length in code points: 14 emoji are too short though they are 28 UTF-16 units', async () => {
  const password = '🦊🐙🦉🐝🦀🐢🦎🐌🦋🐞🦂🐬🦈🐊';
  expect(password.length).toBe(28);
  const error = await trpcError(server.client().trpc.auth.register.mutate({ email: uniqueEmail(), password }));
  expect(error.data?.reason).toBe('WEAK_PASSWORD');
  expect(error.data?.fieldErrors?.password?.[0]).toMatch(/at least 15/);
});

test('auth.register refuses a password longer than 128 code points with WEAK_PASSWORD', async () => {
  const password = `${strongPassword()}${'x7Q-'.repeat(40)}`.slice(0, 129);
  const error = await trpcError(server.client().trpc.auth.register.mutate({ email: uniqueEmail(), password }));
  expect(error.data?.code).toBe('BAD_REQUEST');
  expect(error.data?.reason).toBe('WEAK_PASSWORD');
  expect(error.data?.fieldErrors?.password?.[0]).toMatch(/at most 128/);
});

test('auth.register refuses a 1 MB password, and one just over the 4096-unit bound, with WEAK_PASSWORD, and creates no account', async () => {
  for (const password of ['Tq7-'.repeat(250_000), 'é'.repeat(4097)]) {
    const email = uniqueEmail('long');
    const error = await trpcError(server.client().trpc.auth.register.mutate({ email, password }));
    expect({ code: error.data?.code, reason: error.data?.reason, fieldErrors: error.data?.fieldErrors }).toEqual({
      code: 'BAD_REQUEST',
      reason: 'WEAK_PASSWORD',
      fieldErrors: { password: ['Use at most 128 characters.'] },
    });
    expect(server.mail.mailsTo(email)).toEqual([]);
  }
});
