import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { secretBytes, totpAt } from '#tests/helpers/totp.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/**
 * A code is accepted once per 30-second step. Instead of waiting, the tests move the server's
 * clock forward a step whenever they need a fresh code (it only ever moves forward in this file).
 */
let clockOffset = 0;
function advance(seconds: number): void {
  clockOffset += seconds;
  server.shiftClock(clockOffset);
}
const nextStep = () => advance(30);
const serverNow = () => server.app.deps.now();
/** What the member's authenticator app shows right now (by the server's clock). */
const codeNow = (secret: string) => totpAt(secret, serverNow());
/** A code that is surely wrong: ten steps away, far outside the one-step window. */
const wrongCode = (secret: string) => totpAt(secret, serverNow(), 10);

const RECOVERY_CODE = /^[a-z2-9]{5}-[a-z2-9]{5}$/;
const MFA_ON_SUBJECT = 'Two-factor codes are on';
const MFA_OFF_SUBJECT = 'Two-factor codes were turned off';

type MfaMember = SignedUp & { secret: string; recoveryCodes: string[] };

/** A signed-up member who has turned two-factor codes on. */
async function mfaMember(): Promise<MfaMember> {
  const member = await signUpAndVerify(server);
  const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
  const { recoveryCodes } = await member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(secret) });
  nextStep(); // the code used to enable is spent
  return { ...member, secret, recoveryCodes };
}

/** The first step of a sign-in on a new device: the password, answered with mfa_required. */
async function passwordStep(member: SignedUp): Promise<{ client: TestClient; mfaToken: string }> {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${result.status}`);
  return { client, mfaToken: result.mfaToken };
}

describe('set-up', () => {
  test('auth.mfa.setup answers a base32 secret of 160 bits and an otpauth URI for Latchkey, the email, 6 digits and 30 seconds', async () => {
    const member = await signUpAndVerify(server);
    const setup = await member.client.trpc.auth.mfa.setup.mutate();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(secretBytes(setup.secret)).toHaveLength(20);

    const uri = new URL(setup.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Latchkey:${member.email}`);
    expect(uri.searchParams.get('issuer')).toBe('Latchkey');
    expect(uri.searchParams.get('secret')).toBe(setup.secret);
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');

    // Another member gets another secret.
    const other = await signUpAndVerify(server);
    expect((await other.client.trpc.auth.mfa.setup.mutate()).secret).not.toBe(setup.secret);
  });

  test('auth.mfa.setup alone turns nothing on: auth.me says mfaEnabled false and login signs in without a code', async () => {
    const member = await signUpAndVerify(server);
    await member.client.trpc.auth.mfa.setup.mutate();
    expect((await member.client.trpc.auth.me.query()).mfaEnabled).toBe(false);
    const result = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(result.status).toBe('signed_in');
  });

  test('auth.mfa.enable refuses a wrong code with INVALID_MFA_CODE, then takes the right one: 10 distinct recovery codes, mfaEnabled, a mail', async () => {
    const member = await signUpAndVerify(server);
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    const since = server.mail.mark();

    const wrong = await expectReason(
      member.client.trpc.auth.mfa.enable.mutate({ code: wrongCode(secret) }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    expect(wrong.data?.fieldErrors?.code).toBeDefined();
    expect((await member.client.trpc.auth.me.query()).mfaEnabled).toBe(false);

    const { recoveryCodes } = await member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(secret) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(RECOVERY_CODE);
    expect((await member.client.trpc.auth.me.query()).mfaEnabled).toBe(true);

    const mail = await server.mail.waitForMail({ to: member.email, subject: MFA_ON_SUBJECT, since });
    expect(mail.text).toContain('recovery codes');
    // The codes are shown once, in the answer: never mailed.
    for (const code of recoveryCodes) expect(`${mail.text}${mail.html}`).not.toContain(code);
  });

  test('auth.mfa.setup run twice before enable keeps only the newest secret', async () => {
    const member = await signUpAndVerify(server);
    const first = await member.client.trpc.auth.mfa.setup.mutate();
    const second = await member.client.trpc.auth.mfa.setup.mutate();
    expect(second.secret).not.toBe(first.secret);
    await expectReason(
      member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(first.secret) }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    await member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(second.secret) });
    expect((await member.client.trpc.auth.me.query()).mfaEnabled).toBe(true);
  });

  test('auth.mfa.setup and auth.mfa.enable refuse with CONFLICT MFA_ALREADY_ENABLED while codes are on', async () => {
    const member = await mfaMember();
    await expectReason(member.client.trpc.auth.mfa.setup.mutate(), 'CONFLICT', 'MFA_ALREADY_ENABLED');
    await expectReason(
      member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(member.secret) }),
      'CONFLICT',
      'MFA_ALREADY_ENABLED',
    );
    // The secret in use did not change: its codes still sign in.
    const { client, mfaToken } = await passwordStep(member);
    await client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) });
  });

  test('auth.mfa.setup stores the TOTP secret encrypted: the users row holds neither the base32 secret nor its bytes', async () => {
    const member = await signUpAndVerify(server);
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    const row = async () => {
      const rows = await server.app.deps.orm.em
        .fork()
        .getConnection()
        .execute('select * from users where id = ?', [member.session.user.id]);
      return rows[0] as Record<string, unknown>;
    };
    const bytes = Buffer.from(secretBytes(secret));
    const forms = [
      secret,
      secret.toLowerCase(),
      bytes.toString('hex'),
      bytes.toString('base64'),
      bytes.toString('base64url'),
    ];
    const expectNoSecret = (values: Record<string, unknown>) => {
      const text = JSON.stringify(values);
      for (const form of forms) expect(text).not.toContain(form);
      expect(text.toLowerCase()).not.toContain(bytes.toString('hex'));
    };

    const pending = await row();
    expect(typeof pending.mfa_pending_secret).toBe('string');
    expectNoSecret(pending);

    await member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(secret) });
    nextStep();
    const enabled = await row();
    expect(typeof enabled.mfa_secret).toBe('string');
    expect(enabled.mfa_pending_secret).toBeNull();
    expectNoSecret(enabled);
  });
});

describe('sign-in with a second factor', () => {
  test('auth.login for an account with codes on answers mfa_required with an mfaToken and sets no refresh cookie', async () => {
    const member = await mfaMember();
    // The member signs out of the device that turned codes on, then signs in again on it.
    const client = member.client;
    await client.trpc.auth.logout.mutate();
    expect(client.refreshToken()).toBeUndefined();
    client.setBearer(null);
    const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(result).toEqual({ status: 'mfa_required', mfaToken: expect.any(String) });
    expect(JSON.stringify(result)).not.toMatch(/accessToken|session/);
    expect(client.refreshToken()).toBeUndefined();
    expect(client.lastResponse?.setCookies.map((cookie) => cookie.name)).not.toContain('refresh_token');
    // No session was opened: the refresh cookie would be the only way in, and there is none.
    await expectReason(client.trpc.auth.refresh.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
  });

  test('auth.verifyMfa refuses a wrong code with INVALID_MFA_CODE and signs in with the right one: an AuthSession and a refresh cookie', async () => {
    const member = await mfaMember();
    const { client, mfaToken } = await passwordStep(member);
    await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken, code: wrongCode(member.secret) }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    expect(client.refreshToken()).toBeUndefined();

    const session = await client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) });
    expect(session.user).toMatchObject({ id: member.session.user.id, email: member.email, mfaEnabled: true });
    expect(client.refreshToken()).toBeTruthy();
    client.useSession(session);
    expect((await client.trpc.auth.me.query()).id).toBe(member.session.user.id);
    const refreshed = await client.trpc.auth.refresh.mutate();
    expect(refreshed.user.id).toBe(member.session.user.id);

    // The token is spent once it has signed someone in.
    nextStep();
    await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
  });

  test('auth.verifyMfa accepts the code of the previous step (one step of drift)', async () => {
    const member = await mfaMember();
    nextStep();
    const { client, mfaToken } = await passwordStep(member);
    await client.trpc.auth.verifyMfa.mutate({ mfaToken, code: totpAt(member.secret, serverNow(), -1) });
  });

  test('auth.verifyMfa refuses a code already accepted, even in a new sign-in, with INVALID_MFA_CODE', async () => {
    const member = await mfaMember();
    const code = codeNow(member.secret);
    const first = await passwordStep(member);
    await first.client.trpc.auth.verifyMfa.mutate({ mfaToken: first.mfaToken, code });

    const second = await passwordStep(member);
    await expectReason(
      second.client.trpc.auth.verifyMfa.mutate({ mfaToken: second.mfaToken, code }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    expect(second.client.refreshToken()).toBeUndefined();
    // The same sign-in goes through with the next code.
    nextStep();
    await second.client.trpc.auth.verifyMfa.mutate({ mfaToken: second.mfaToken, code: codeNow(member.secret) });
    expect(second.client.refreshToken()).toBeTruthy();
  });

  test('auth.verifyMfa given the same code by two sign-ins at once signs in only one of them', async () => {
    const member = await mfaMember();
    const [one, two] = [await passwordStep(member), await passwordStep(member)];
    const code = codeNow(member.secret);
    const outcomes = await Promise.allSettled([
      one.client.trpc.auth.verifyMfa.mutate({ mfaToken: one.mfaToken, code }),
      two.client.trpc.auth.verifyMfa.mutate({ mfaToken: two.mfaToken, code }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.data?.reason).toBe('INVALID_MFA_CODE');
  });

  test('auth.verifyMfa accepts a recovery code once, and refuses it the second time', async () => {
    const member = await mfaMember();
    const [code] = member.recoveryCodes;
    const first = await passwordStep(member);
    const session = await first.client.trpc.auth.verifyMfa.mutate({ mfaToken: first.mfaToken, code: code! });
    expect(session.user.id).toBe(member.session.user.id);
    expect(first.client.refreshToken()).toBeTruthy();

    const second = await passwordStep(member);
    await expectReason(
      second.client.trpc.auth.verifyMfa.mutate({ mfaToken: second.mfaToken, code: code! }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    // Another recovery code still works.
    await second.client.trpc.auth.verifyMfa.mutate({ mfaToken: second.mfaToken, code: member.recoveryCodes[1]! });
  });

  test('auth.verifyMfa allows 5 tries per mfaToken: the 6th is TOO_MANY_REQUESTS RATE_LIMITED even with the right code, and the token is dead', async () => {
    const member = await mfaMember();
    const { client, mfaToken } = await passwordStep(member);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const error = await trpcError(client.trpc.auth.verifyMfa.mutate({ mfaToken, code: wrongCode(member.secret) }));
      expect({ attempt, reason: error.data?.reason }).toEqual({ attempt, reason: 'INVALID_MFA_CODE' });
    }
    const sixth = await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) }),
      'TOO_MANY_REQUESTS',
      'RATE_LIMITED',
    );
    expect(sixth.data?.retryAfterSeconds).toBeGreaterThan(0);
    expect(sixth.data?.retryAfterSeconds).toBeLessThanOrEqual(5 * 60);
    expect(client.lastResponse?.headers.get('retry-after')).toBe(String(sixth.data?.retryAfterSeconds));
    expect(client.refreshToken()).toBeUndefined();

    await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
    // Signing in again from the start works.
    const again = await passwordStep(member);
    await again.client.trpc.auth.verifyMfa.mutate({ mfaToken: again.mfaToken, code: codeNow(member.secret) });
  });

  test('auth.verifyMfa takes an mfaToken up to 5 minutes old and refuses an older one with INVALID_TOKEN', async () => {
    const member = await mfaMember();
    const young = await passwordStep(member);
    const old = await passwordStep(member);
    advance(4 * 60 + 50);
    await young.client.trpc.auth.verifyMfa.mutate({ mfaToken: young.mfaToken, code: codeNow(member.secret) });
    advance(40); // 5 minutes 30 seconds after the password, and a fresh step
    await expectReason(
      old.client.trpc.auth.verifyMfa.mutate({ mfaToken: old.mfaToken, code: codeNow(member.secret) }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
    expect(old.client.refreshToken()).toBeUndefined();
  });

  test('auth.verifyMfa refuses an unknown mfaToken with INVALID_TOKEN', async () => {
    const member = await mfaMember();
    const client = server.client();
    await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken: 'not-a-token-the-server-gave', code: codeNow(member.secret) }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
    expect(client.refreshToken()).toBeUndefined();
  });
});

describe('recovery codes and turning codes off', () => {
  test('auth.mfa.regenerateRecoveryCodes needs the password and replaces every old code', async () => {
    const member = await mfaMember();
    await expectReason(
      member.client.trpc.auth.mfa.regenerateRecoveryCodes.mutate({ password: strongPassword() }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    const { recoveryCodes } = await member.client.trpc.auth.mfa.regenerateRecoveryCodes.mutate({
      password: member.password,
    });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(RECOVERY_CODE);
    expect(recoveryCodes.filter((code) => member.recoveryCodes.includes(code))).toEqual([]);

    const { client, mfaToken } = await passwordStep(member);
    for (const old of [member.recoveryCodes[0]!, member.recoveryCodes[9]!]) {
      await expectReason(client.trpc.auth.verifyMfa.mutate({ mfaToken, code: old }), 'BAD_REQUEST', 'INVALID_MFA_CODE');
    }
    await client.trpc.auth.verifyMfa.mutate({ mfaToken, code: recoveryCodes[0]! });
    expect(client.refreshToken()).toBeTruthy();
  });

  test('auth.mfa.disable refuses a wrong password with UNAUTHORIZED INVALID_CREDENTIALS and leaves codes on', async () => {
    const member = await mfaMember();
    const error = await expectReason(
      member.client.trpc.auth.mfa.disable.mutate({ password: strongPassword() }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    expect(error.data?.fieldErrors?.password).toBeDefined();
    expect((await member.client.trpc.auth.me.query()).mfaEnabled).toBe(true);
    await passwordStep(member);
  });

  test('auth.mfa.disable with the password makes sign-in plain again and mails the owner', async () => {
    const member = await mfaMember();
    const since = server.mail.mark();
    expect(await member.client.trpc.auth.mfa.disable.mutate({ password: member.password })).toEqual({ status: 'ok' });
    expect((await member.client.trpc.auth.me.query()).mfaEnabled).toBe(false);
    await server.mail.waitForMail({ to: member.email, subject: MFA_OFF_SUBJECT, since });

    const client = server.client();
    const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(result.status).toBe('signed_in');
    expect(client.refreshToken()).toBeTruthy();

    // Turning codes on again starts over with a new secret: the old secret's codes are refused.
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    expect(secret).not.toBe(member.secret);
    await expectReason(
      member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(member.secret) }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
  });

  test('auth.mfa.disable and auth.mfa.regenerateRecoveryCodes refuse with MFA_NOT_ENABLED when codes are off', async () => {
    const member = await signUpAndVerify(server);
    await expectReason(
      member.client.trpc.auth.mfa.disable.mutate({ password: member.password }),
      'BAD_REQUEST',
      'MFA_NOT_ENABLED',
    );
    await expectReason(
      member.client.trpc.auth.mfa.regenerateRecoveryCodes.mutate({ password: member.password }),
      'BAD_REQUEST',
      'MFA_NOT_ENABLED',
    );
  });

  test('auth.mfa procedures refuse a caller without a token with UNAUTHENTICATED', async () => {
    const anonymous = server.client();
    await expectReason(anonymous.trpc.auth.mfa.setup.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    await expectReason(anonymous.trpc.auth.mfa.enable.mutate({ code: '123456' }), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    await expectReason(
      anonymous.trpc.auth.mfa.disable.mutate({ password: strongPassword() }),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
  });
});
