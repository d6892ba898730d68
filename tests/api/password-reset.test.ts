import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { linkIn, tokenIn } from '#tests/helpers/mail-capture.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  uniqueEmail,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const HOUR = 60 * 60;
const RESET_SUBJECT = 'Reset your Latchkey password';
const RESET_NOTICE_SUBJECT = 'Your Latchkey password was reset';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

/** Asks for a reset as an anonymous visitor and returns the token from the mailed link. */
async function resetToken(email: string): Promise<string> {
  const since = server.mail.mark();
  expect(await server.client().trpc.auth.password.requestReset.mutate({ email })).toEqual({ status: 'ok' });
  const mail = await server.mail.waitForMail({ to: email, subject: RESET_SUBJECT, since });
  return tokenIn(mail, '/reset-password?token=');
}

async function login(email: string, password: string): Promise<TestClient> {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email, password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return client;
}

const reset = (token: string, password: string) => server.client().trpc.auth.password.reset.mutate({ token, password });

test('auth.password.requestReset answers Ok for an unknown email too, and mails only an existing account', async () => {
  const member = await signUpAndVerify(server);
  const ghost = uniqueEmail('ghost');
  const since = server.mail.mark();
  expect(await server.client().trpc.auth.password.requestReset.mutate({ email: ghost })).toEqual({ status: 'ok' });
  expect(await server.client().trpc.auth.password.requestReset.mutate({ email: member.email.toUpperCase() })).toEqual({
    status: 'ok',
  });

  const mail = await server.mail.waitForMail({ to: member.email, subject: RESET_SUBJECT, since });
  const link = linkIn(mail, '/reset-password?token=');
  expect(link.origin).toBe(server.url);
  expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(mail.html).toContain(link.searchParams.get('token'));
  // The unknown address was asked first: any mail to it would have been queued before this one.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(server.mail.mailsTo(ghost)).toEqual([]);
});

test('auth.password.requestReset takes about as long for an unknown email as for a known one', async () => {
  const member = await signUpAndVerify(server);
  const time = async (email: string) => {
    const started = performance.now();
    await server.client().trpc.auth.password.requestReset.mutate({ email });
    return performance.now() - started;
  };
  await time(uniqueEmail('warm-up'));
  const known: number[] = [];
  const unknown: number[] = [];
  for (let round = 0; round < 5; round++) {
    known.push(await time(member.email));
    unknown.push(await time(uniqueEmail('ghost')));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[2]!;
  // A loose bound: sending the mail before answering (a round trip to the mail service) would show.
  expect(Math.abs(median(known) - median(unknown))).toBeLessThan(50);
});

test('auth.password.reset with the mailed link sets the new password: login works with it and not with the old one, and a notice is mailed', async () => {
  const member = await signUpAndVerify(server);
  const token = await resetToken(member.email);
  const newPassword = strongPassword();
  const since = server.mail.mark();
  expect(await reset(token, newPassword)).toEqual({ status: 'ok' });

  await login(member.email, newPassword);
  await expectReason(
    server.client().trpc.auth.login.mutate({ email: member.email, password: member.password }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );

  const notice = await server.mail.waitForMail({ to: member.email, subject: RESET_NOTICE_SUBJECT, since });
  expect(notice.text).toContain('signed out');
  expect(linkIn(notice, '/forgot-password').origin).toBe(server.url);
  expect(`${notice.text}${notice.html}`).not.toContain(newPassword);
});

test('auth.password.reset refuses a used link with INVALID_TOKEN', async () => {
  const member = await signUpAndVerify(server);
  const token = await resetToken(member.email);
  const first = strongPassword();
  await reset(token, first);
  await expectReason(reset(token, strongPassword()), 'BAD_REQUEST', 'INVALID_TOKEN');
  // The first reset stands.
  await login(member.email, first);
});

test('auth.password.reset with one link twice at once sets exactly one of the two passwords', async () => {
  const member = await signUpAndVerify(server);
  const token = await resetToken(member.email);
  const passwords = [strongPassword(), strongPassword()];
  const outcomes = await Promise.allSettled(passwords.map((password) => reset(token, password)));
  expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
  expect(refused.reason.data?.reason).toBe('INVALID_TOKEN');
  const winner = passwords[outcomes.findIndex((outcome) => outcome.status === 'fulfilled')]!;
  const loser = passwords.find((password) => password !== winner)!;
  await login(member.email, winner);
  await expectReason(
    server.client().trpc.auth.login.mutate({ email: member.email, password: loser }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
});

test('auth.password.reset accepts a link 59 minutes old and refuses one older than 1 hour with INVALID_TOKEN', async () => {
  const [fresh, stale] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
  const [freshToken, staleToken] = [await resetToken(fresh.email), await resetToken(stale.email)];

  server.shiftClock(59 * 60);
  expect(await reset(freshToken, strongPassword())).toEqual({ status: 'ok' });

  server.shiftClock(HOUR + 5);
  const error = await expectReason(reset(staleToken, strongPassword()), 'BAD_REQUEST', 'INVALID_TOKEN');
  expect(error.message).not.toMatch(/expired at|\d{4}-\d{2}-\d{2}/);
  server.shiftClock(0);
  await login(stale.email, stale.password);
});

test('auth.password.reset refuses an unknown token with INVALID_TOKEN', async () => {
  await expectReason(
    reset('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', strongPassword()),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
  await expectReason(reset('x', strongPassword()), 'BAD_REQUEST', 'INVALID_TOKEN');
});

test('auth.password.reset ends every session: each old access token is refused on its next request and each old refresh cookie fails', async () => {
  const member = await signUpAndVerify(server);
  const laptop = member.client;
  const phone = await login(member.email, member.password);
  for (const device of [laptop, phone]) expect((await device.trpc.auth.me.query()).id).toBe(member.session.user.id);

  await reset(await resetToken(member.email), strongPassword());

  for (const device of [laptop, phone]) {
    await expectReason(device.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    expect(device.refreshToken()).toBeTruthy();
    await expectReason(device.trpc.auth.refresh.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    expect(device.refreshToken()).toBeUndefined();
  }
});

test('auth.password.reset refuses a weak password with WEAK_PASSWORD, and the link still works afterwards', async () => {
  const member = await signUpAndVerify(server);
  const token = await resetToken(member.email);
  for (const weak of ['passwordpassword', 'Tq7-short', 'aaaaaaaaaaaaaaaaaaaa', 'Tq7-'.repeat(250_000)]) {
    const error = await expectReason(reset(token, weak), 'BAD_REQUEST', 'WEAK_PASSWORD');
    expect(error.data?.fieldErrors?.password?.length).toBeGreaterThan(0);
  }
  // Nothing changed, nobody was signed out.
  expect((await member.client.trpc.auth.me.query()).id).toBe(member.session.user.id);
  await login(member.email, member.password);

  const strong = strongPassword();
  expect(await reset(token, strong)).toEqual({ status: 'ok' });
  await login(member.email, strong);
});

test('auth.password.reset refuses the current password with PASSWORD_REUSED, and the link still works afterwards', async () => {
  const member = await signUpAndVerify(server);
  const token = await resetToken(member.email);
  const error = await expectReason(reset(token, member.password), 'BAD_REQUEST', 'PASSWORD_REUSED');
  expect(error.data?.fieldErrors?.password?.length).toBeGreaterThan(0);
  expect(await reset(token, strongPassword())).toEqual({ status: 'ok' });
});

test('auth.password.reset of an account with two-factor codes keeps them on: the next sign-in still asks for a code', async () => {
  const member = await signUpAndVerify(server);
  const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
  await member.client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, server.app.deps.now()) });
  const newPassword = strongPassword();
  await reset(await resetToken(member.email), newPassword);
  const result = await server.client().trpc.auth.login.mutate({ email: member.email, password: newPassword });
  expect(result.status).toBe('mfa_required');
});
