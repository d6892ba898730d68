import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BREACHED_PASSWORD_REASON } from '#server/modules/passwords/breached-passwords.ts';
import { linesOf, runAdminCommand } from '#tests/helpers/admin-command.ts';
import { invitedAccount, signUpAdmin } from '#tests/helpers/admin.ts';
import { freePort } from '#tests/helpers/free-port.ts';
import { tokenIn } from '#tests/helpers/mail-capture.ts';
import { startPwnedStandIn, type PwnedStandIn } from '#tests/helpers/pwned-stand-in.ts';
import { sharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import {
  ACCOUNT_EXISTS_SUBJECT,
  VERIFY_SUBJECT,
  expectReason,
  logCollector,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  uniqueEmail,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const RESET_SUBJECT = 'Reset your Latchkey password';
const SKIPPED = /^Breached-password check skipped: /;

const sha1 = (password: string) => createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();

let pwned: PwnedStandIn;
let server: TestServer;
const log = logCollector();

beforeAll(async () => {
  pwned = await startPwnedStandIn();
  server = await startTestServer(
    { PWNED_PASSWORDS: 'on', PWNED_PASSWORDS_URL: pwned.url, LOG_LEVEL: 'warn' },
    { logStream: log.stream },
  );
});
afterAll(async () => {
  await server?.close();
  await pwned?.close();
});
afterEach(() => {
  pwned.delayMs = 0;
  pwned.failWith = null;
});

/** A password that passes the local policy and that the stand-in knows as breached. */
function breachedPassword(): string {
  const password = strongPassword();
  pwned.breach(password);
  return password;
}

/** Signs up and waits for the verification mail: the password was accepted and the account made. */
async function signUpAccepted(target: TestServer, password: string): Promise<string> {
  const email = uniqueEmail();
  const since = target.mail.mark();
  await target.client().trpc.auth.register.mutate({ email, password });
  await target.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
  return email;
}

const requestsFor = (password: string) =>
  pwned.requests.filter((request) => request.path === `/range/${sha1(password).slice(0, 5)}`);

const skipWarnings = () => log.lines().filter((line) => SKIPPED.test(String(line.msg)));

describe('breached passwords (PWNED_PASSWORDS=on)', () => {
  test('auth.register refuses a breached password with WEAK_PASSWORD and the breach reason under password, and makes no account', async () => {
    const email = uniqueEmail();
    const password = breachedPassword();
    const since = server.mail.mark();
    const error = await expectReason(
      server.client().trpc.auth.register.mutate({ email, password }),
      'BAD_REQUEST',
      'WEAK_PASSWORD',
    );
    expect(error.message).toBe(BREACHED_PASSWORD_REASON);
    expect(error.data?.fieldErrors).toEqual({ password: [BREACHED_PASSWORD_REASON] });
    expect(server.mail.mailsTo(email)).toEqual([]);
    // No account under the address: signing up again gets a verification mail, not "Someone tried to sign up".
    await server.client().trpc.auth.register.mutate({ email, password: strongPassword() });
    await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
    expect(server.mail.mailsTo(email)).toHaveLength(1);
    expect(server.mail.mailsTo(email)[0]?.subject).not.toMatch(ACCOUNT_EXISTS_SUBJECT);
  });

  test('auth.register accepts a password the service does not know, after asking for its prefix only', async () => {
    const password = strongPassword();
    const before = pwned.requests.length;
    await signUpAccepted(server, password);
    const asked = pwned.requests.slice(before);
    expect(asked).toHaveLength(1);
    const [request] = asked;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(`/range/${sha1(password).slice(0, 5)}`);
    expect(request?.headers['add-padding']).toBe('true');
    const seen = JSON.stringify(asked);
    expect(seen).not.toContain(password);
    expect(seen).not.toContain(sha1(password).slice(5));
    expect(seen.toUpperCase()).not.toContain(sha1(password).slice(0, 6));
  });

  test("auth.register does not count a padding line (count 0) for the password's own suffix as a breach", async () => {
    const password = strongPassword();
    pwned.padWith(password);
    await signUpAccepted(server, password);
    expect(requestsFor(password)).toHaveLength(1);
  });

  test('auth.register asks the service once for two passwords with the same SHA-1 prefix (cache)', async () => {
    const password = strongPassword();
    await signUpAccepted(server, password);
    await signUpAccepted(server, password);
    expect(requestsFor(password)).toHaveLength(1);
    // A breach found in a cached bucket is still refused.
    const breached = breachedPassword();
    await expectReason(
      server.client().trpc.auth.register.mutate({ email: uniqueEmail(), password: breached }),
      'BAD_REQUEST',
      'WEAK_PASSWORD',
    );
    await expectReason(
      server.client().trpc.auth.register.mutate({ email: uniqueEmail(), password: breached }),
      'BAD_REQUEST',
      'WEAK_PASSWORD',
    );
    expect(requestsFor(breached)).toHaveLength(1);
  });

  test('auth.register never asks the service about a password the local policy already refuses', async () => {
    const before = pwned.requests.length;
    await expectReason(
      server.client().trpc.auth.register.mutate({ email: uniqueEmail(), password: 'password' }),
      'BAD_REQUEST',
      'WEAK_PASSWORD',
    );
    expect(pwned.requests.length).toBe(before);
  });

  test('auth.register accepts the password and logs a warning when the service takes over a second', async () => {
    pwned.delayMs = 1500;
    const warningsBefore = skipWarnings().length;
    const password = strongPassword();
    const started = Date.now();
    await signUpAccepted(server, password);
    expect(Date.now() - started).toBeLessThan(1500 + 1000);
    expect(requestsFor(password)).toHaveLength(1);
    const warnings = skipWarnings().slice(warningsBefore);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe(40);
    const line = JSON.stringify(warnings[0]);
    expect(line).not.toContain(password);
    expect(line).not.toContain(sha1(password).slice(5));
    expect(line.toUpperCase()).not.toContain(sha1(password).slice(0, 5));
  });

  test('auth.register accepts the password and logs a warning when the service answers 503', async () => {
    pwned.failWith = 503;
    const warningsBefore = skipWarnings().length;
    await signUpAccepted(server, strongPassword());
    expect(skipWarnings().slice(warningsBefore)).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/503/) }),
    ]);
  });

  test('auth.password.change refuses a breached password with WEAK_PASSWORD under newPassword and keeps the old one', async () => {
    const member = await signUpAndVerify(server);
    const newPassword = breachedPassword();
    const error = await expectReason(
      member.client.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword }),
      'BAD_REQUEST',
      'WEAK_PASSWORD',
    );
    expect(error.data?.fieldErrors).toEqual({ newPassword: [BREACHED_PASSWORD_REASON] });
    await expectReason(
      server.client().trpc.auth.login.mutate({ email: member.email, password: newPassword }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    const login = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(login.status).toBe('signed_in');
  });

  test('auth.password.change accepts a password the service does not know', async () => {
    const member = await signUpAndVerify(server);
    const newPassword = strongPassword();
    await member.client.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword });
    const login = await server.client().trpc.auth.login.mutate({ email: member.email, password: newPassword });
    expect(login.status).toBe('signed_in');
    expect(requestsFor(newPassword)).toHaveLength(1);
  });

  test('auth.password.reset refuses a breached password with WEAK_PASSWORD under password', async () => {
    const member = await signUpAndVerify(server);
    const since = server.mail.mark();
    await server.client().trpc.auth.password.requestReset.mutate({ email: member.email });
    const mail = await server.mail.waitForMail({ to: member.email, subject: RESET_SUBJECT, since });
    const token = tokenIn(mail, '/reset-password?token=');
    const error = await expectReason(
      server.client().trpc.auth.password.reset.mutate({ token, password: breachedPassword() }),
      'BAD_REQUEST',
      'WEAK_PASSWORD',
    );
    expect(error.data?.fieldErrors).toEqual({ password: [BREACHED_PASSWORD_REASON] });
  });

  test('auth.acceptInvitation refuses a breached password with WEAK_PASSWORD, and the invitation still works', async () => {
    const admin = await signUpAdmin(server);
    const password = breachedPassword();
    await expect(invitedAccount(server, admin.client, { password })).rejects.toMatchObject({
      data: { reason: 'WEAK_PASSWORD', fieldErrors: { password: [BREACHED_PASSWORD_REASON] } },
    });
    const member = await invitedAccount(server, admin.client);
    expect(member.session.user.email).toBe(member.email);
  });
});

test('the admin command create refuses a breached password with one line on stderr', async () => {
  const data = await sharedDataDir();
  try {
    const password = breachedPassword();
    const result = await runAdminCommand(['create', uniqueEmail('admin')], {
      env: { ...data.env, PWNED_PASSWORDS: 'on', PWNED_PASSWORDS_URL: pwned.url },
      stdin: `${password}\n`,
    });
    expect({ code: result.code, stdout: result.stdout, stderr: linesOf(result.stderr) }).toEqual({
      code: 1,
      stdout: '',
      stderr: [`Weak password: ${BREACHED_PASSWORD_REASON}`],
    });
    expect(requestsFor(password)).toHaveLength(1);
  } finally {
    await data.remove();
  }
}, 60_000); // one start-up of the command under tsx

describe('breached passwords, service down', () => {
  let downServer: TestServer;
  const downLog = logCollector();

  beforeAll(async () => {
    // Nothing listens there: connections are refused.
    const closedPort = await freePort();
    downServer = await startTestServer(
      { PWNED_PASSWORDS: 'on', PWNED_PASSWORDS_URL: `http://127.0.0.1:${closedPort}`, LOG_LEVEL: 'warn' },
      { logStream: downLog.stream },
    );
  });
  afterAll(async () => {
    await downServer?.close();
  });

  test('auth.register accepts the password and logs a warning when the service refuses connections', async () => {
    const password = strongPassword();
    await signUpAccepted(downServer, password);
    const warnings = downLog.lines().filter((line) => SKIPPED.test(String(line.msg)));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain(password);
  });
});

describe('breached passwords off', () => {
  test('PWNED_PASSWORDS=off, and the default outside production, never call the service', async () => {
    for (const overrides of [{ PWNED_PASSWORDS: 'off' }, {}] as Array<Record<string, string>>) {
      const quiet = await startTestServer({ ...overrides, PWNED_PASSWORDS_URL: pwned.url });
      try {
        const before = pwned.requests.length;
        const password = breachedPassword();
        await signUpAccepted(quiet, password);
        expect(pwned.requests.length).toBe(before);
      } finally {
        await quiet.close();
      }
    }
  });
});
