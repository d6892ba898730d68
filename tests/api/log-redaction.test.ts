import { afterAll, beforeAll, expect, test } from 'vitest';
import { executeSql } from '#server/lib/sql.ts';
import { tokenIn } from '#tests/helpers/mail-capture.ts';
import { forwardClock } from '#tests/helpers/rate-limits.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  VERIFY_SUBJECT,
  logCollector,
  rawTrpc,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// DESIGN.md, security principles: no secret, password, token or hash in logs. The whole account
// life of one member goes through a server whose log is captured, then the log is searched for
// every secret that crossed the wire.

const RESET_SUBJECT = 'Reset your Latchkey password';
const CONFIRM_CHANGE_SUBJECT = 'Confirm your new email for Latchkey';

let server: TestServer;
const log = logCollector();

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'info' }, { logStream: log.stream });
});
afterAll(async () => {
  await server?.close();
});

type Secret = { label: string; value: string; digits?: boolean };

/** Every line of the log as text, request ids blanked (a UUID could hold six digits in a row by chance). */
function searchableLog(): string {
  return log.text().replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}

function found(text: string, secret: Secret): boolean {
  if (!secret.digits) return text.includes(secret.value);
  // A six-digit code counts only standing alone: timestamps are full of digits.
  return new RegExp(`(?<![0-9])${secret.value}(?![0-9])`).test(text);
}

test('the log of a whole account life (sign-up to logout, reset, change, email change, two-factor codes) holds none of the secrets that crossed the wire, but does record each request and security event', async () => {
  const clock = forwardClock(server);
  const secrets: Secret[] = [];
  const keep = (label: string, value: string | undefined, digits = false) => {
    if (!value) throw new Error(`no ${label} to look for`);
    secrets.push({ label, value, digits });
    // A JWT's or signed cookie's signature alone would give it away too.
    const parts = value.split('.');
    if (parts.length > 1 && parts.at(-1)!.length >= 20)
      secrets.push({ label: `${label} (signature)`, value: parts.at(-1)! });
  };
  const keepCookies = (client: TestClient, when: string) => {
    for (const [name, value] of client.cookies) keep(`${name} cookie (${when})`, value);
  };
  const keepSession = (client: TestClient, accessToken: string, when: string) => {
    keep(`access token (${when})`, accessToken);
    keep(`Authorization header (${when})`, `Bearer ${accessToken}`);
    keepCookies(client, when);
  };

  let email = uniqueEmail('redacted');
  const firstPassword = strongPassword();
  keep('password at sign-up', firstPassword);
  const client = server.client({ userAgent: 'redaction-test' });

  // Sign-up, and someone else trying the same address with another password.
  await client.trpc.auth.register.mutate({ email, password: firstPassword });
  const otherPassword = strongPassword();
  keep('password of a second sign-up with the same address', otherPassword);
  await server.client().trpc.auth.register.mutate({ email, password: otherPassword });
  const verifyToken = tokenIn(
    await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT }),
    '/verify-email?token=',
  );
  keep('verification token', verifyToken);
  const verified = await client.trpc.auth.verifyEmail.mutate({ token: verifyToken });
  const userId = verified.user.id;
  keepSession(client, verified.accessToken, 'verifyEmail');

  // A wrong password, a sign-in, a refresh, an authenticated call.
  const wrongPassword = strongPassword();
  keep('wrong password', wrongPassword);
  await trpcError(server.client().trpc.auth.login.mutate({ email, password: wrongPassword }));
  const login = await client.trpc.auth.login.mutate({ email, password: firstPassword });
  if (login.status !== 'signed_in') throw new Error('expected signed_in');
  keepSession(client, login.session.accessToken, 'login');
  const refreshed = await client.trpc.auth.refresh.mutate();
  client.useSession(refreshed);
  keepSession(client, refreshed.accessToken, 'refresh');
  await client.trpc.auth.me.query();
  // A password where it does not belong: in a query string.
  const inUrl = strongPassword();
  keep('password in a URL', inUrl);
  await rawTrpc(server, { path: 'auth.login', method: 'GET', input: { email, password: inUrl } });

  // Password reset: request and use of the link.
  await server.client().trpc.auth.password.requestReset.mutate({ email });
  const resetToken = tokenIn(
    await server.mail.waitForMail({ to: email, subject: RESET_SUBJECT }),
    '/reset-password?token=',
  );
  keep('reset token', resetToken);
  const resetPassword = strongPassword();
  keep('password set by reset', resetPassword);
  await server.client().trpc.auth.password.reset.mutate({ token: resetToken, password: resetPassword });
  const afterReset = await client.trpc.auth.login.mutate({ email, password: resetPassword });
  if (afterReset.status !== 'signed_in') throw new Error('expected signed_in');
  client.useSession(afterReset.session);
  keepSession(client, afterReset.session.accessToken, 'login after reset');

  // Password change.
  const password = strongPassword();
  keep('password set by change', password);
  const changed = await client.trpc.auth.password.change.mutate({
    currentPassword: resetPassword,
    newPassword: password,
  });
  client.useSession(changed);
  keepSession(client, changed.accessToken, 'password change');

  // Email change: request and confirmation.
  const newEmail = uniqueEmail('moved');
  await client.trpc.auth.email.change.mutate({ newEmail, password });
  const changeToken = tokenIn(
    await server.mail.waitForMail({ to: newEmail, subject: CONFIRM_CHANGE_SUBJECT }),
    '/confirm-email?token=',
  );
  keep('email change token', changeToken);
  await server.client().trpc.auth.email.confirmChange.mutate({ token: changeToken });
  email = newEmail;

  // Two-factor codes: set-up, enable, a wrong code, a right code, a recovery code, new recovery codes.
  const setup = await client.trpc.auth.mfa.setup.mutate();
  keep('TOTP secret', setup.secret);
  keep('otpauth URI', setup.otpauthUri);
  const enableCode = totpAt(setup.secret, server.app.deps.now());
  keep('TOTP code used to enable', enableCode, true);
  const { recoveryCodes } = await client.trpc.auth.mfa.enable.mutate({ code: enableCode });
  recoveryCodes.forEach((code, index) => keep(`recovery code ${index + 1}`, code));
  clock.advance(30);

  const mfaStep = await client.trpc.auth.login.mutate({ email, password });
  if (mfaStep.status !== 'mfa_required') throw new Error('expected mfa_required');
  keep('mfaToken', mfaStep.mfaToken);
  const wrongCode = totpAt(setup.secret, server.app.deps.now(), 10);
  keep('wrong TOTP code', wrongCode, true);
  await trpcError(client.trpc.auth.verifyMfa.mutate({ mfaToken: mfaStep.mfaToken, code: wrongCode }));
  const signInCode = totpAt(setup.secret, server.app.deps.now());
  keep('TOTP code used to sign in', signInCode, true);
  const mfaSession = await client.trpc.auth.verifyMfa.mutate({ mfaToken: mfaStep.mfaToken, code: signInCode });
  client.useSession(mfaSession);
  keepSession(client, mfaSession.accessToken, 'verifyMfa');

  const recoveryStep = await server.client().trpc.auth.login.mutate({ email, password });
  if (recoveryStep.status !== 'mfa_required') throw new Error('expected mfa_required');
  keep('second mfaToken', recoveryStep.mfaToken);
  await server.client().trpc.auth.verifyMfa.mutate({ mfaToken: recoveryStep.mfaToken, code: recoveryCodes[0]! });
  const regenerated = await client.trpc.auth.mfa.regenerateRecoveryCodes.mutate({ password });
  regenerated.recoveryCodes.forEach((code, index) => keep(`regenerated recovery code ${index + 1}`, code));

  await client.trpc.auth.logout.mutate();

  // What the database holds is secret too.
  const row = await executeSql<{ password_hash: string } | undefined>(
    server.app.deps.orm.em.fork(),
    'select password_hash from users where id = ?',
    [userId],
    'get',
  );
  keep('password hash', row?.password_hash);

  await server.app.deps.mailer.drain();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const text = searchableLog();
  const leaked = secrets.filter((secret) => found(text, secret)).map((secret) => secret.label);
  expect(leaked).toEqual([]);
  // The search is able to find what it looks for.
  expect(found(text, { label: 'user id', value: userId })).toBe(true);

  // One line per request, with what an operator needs to follow it.
  const lines = log.lines();
  const requests = lines.filter((line) => line.msg === 'request');
  // The 23 calls above, each once.
  expect(requests).toHaveLength(23);
  for (const line of requests) {
    expect(line).toMatchObject({
      reqId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      route: expect.stringMatching(/^\//),
      status: expect.any(Number),
      durationMs: expect.any(Number),
    });
    expect(String(line.route)).not.toContain('?');
  }
  const authenticated = [
    '/trpc/auth.me',
    '/trpc/auth.password.change',
    '/trpc/auth.email.change',
    '/trpc/auth.mfa.setup',
    '/trpc/auth.mfa.enable',
    '/trpc/auth.mfa.regenerateRecoveryCodes',
  ];
  for (const route of authenticated) {
    const line = requests.find((request) => request.route === route);
    expect({ route, userId: line?.userId, status: line?.status }).toEqual({ route, userId, status: 200 });
  }
  expect(
    requests.filter((request) => request.route === '/trpc/auth.login').every((request) => request.userId === undefined),
  ).toBe(true);

  // Every change that matters to the owner is logged as a security event, with its type.
  const events = lines
    .filter((line) => line.msg === 'security event')
    .map((line) => line.securityEvent as { type: string; userId: string | null });
  const ownTypes = new Set(events.filter((event) => event.userId === userId).map((event) => event.type));
  for (const type of [
    'account.created',
    'email.verified',
    'session.started',
    'login.failed',
    'password.reset',
    'password.changed',
    'email.change_requested',
    'email.changed',
    'mfa.enabled',
    'mfa.failed',
    'mfa.recovery_code_used',
    'mfa.recovery_codes_regenerated',
    'session.ended',
  ]) {
    expect({ type, logged: ownTypes.has(type) }).toEqual({ type, logged: true });
  }
});
