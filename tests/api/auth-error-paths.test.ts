import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJWTSignatureMessage, encodeJWT } from '@oslojs/jwt';
import { refreshInto, signUpAdmin } from '#tests/helpers/admin.ts';
import { tokenIn } from '#tests/helpers/mail-capture.ts';
import { deliveredMails, forwardClock, MINUTE } from '#tests/helpers/rate-limits.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  decodeJwt,
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  VERIFY_SUBJECT,
  type AppClientError,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// The error paths of sign-up, sign-in, two-factor codes, refresh and logout that the other files
// leave out, each reached over HTTP by a sequence of calls a member, an admin or an attacker could make.

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
type Json = Record<string, unknown>;

const CONFIRM_CHANGE_SUBJECT = 'Confirm your new email';

let server: TestServer;
let clock: ReturnType<typeof forwardClock>;
let admin: SignedUp;
/** The server's own signing key: forgeries below differ from genuine tokens only where named. */
let serverKey: { kid: string; privateKey: CryptoKey };
let otherKey: CryptoKey;

beforeAll(async () => {
  server = await startTestServer();
  clock = forwardClock(server);
  admin = await signUpAdmin(server);
  const { kid, privateKey } = server.app.deps.keys.current;
  serverKey = { kid, privateKey };
  otherKey = (await webcrypto.subtle.generateKey(ES256, true, ['sign', 'verify'])).privateKey;
});
afterAll(async () => {
  await server?.close();
});

async function signEs256(header: Json, payload: Json, key: CryptoKey): Promise<string> {
  const headerJSON = JSON.stringify(header);
  const payloadJSON = JSON.stringify(payload);
  const signature = new Uint8Array(
    await webcrypto.subtle.sign(SIGN, key, createJWTSignatureMessage(headerJSON, payloadJSON)),
  );
  return encodeJWT(headerJSON, payloadJSON, signature);
}

const serverNow = () => server.app.deps.now();
const nowSeconds = () => Math.floor(serverNow().getTime() / 1000);

/** Signs in on a new client (a new device) with the password alone. */
async function newDevice(member: SignedUp): Promise<TestClient> {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return client;
}

const refreshCookieSet = (client: TestClient) =>
  client.lastResponse?.setCookies.find((cookie) => cookie.name === 'refresh_token');

/** The refresh call fails with UNAUTHENTICATED and tells the browser to drop the cookie. */
async function expectRefreshRefused(client: TestClient): Promise<void> {
  await expectReason(client.trpc.auth.refresh.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
  expect(refreshCookieSet(client)?.attributes.get('max-age')).toBe('0');
  expect(client.refreshToken()).toBeUndefined();
}

async function expectSignedOut(client: TestClient): Promise<void> {
  await expectReason(client.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
}

async function eventTypes(client: TestClient): Promise<string[]> {
  const page = await client.trpc.auth.securityEvents.query({ limit: 100 });
  return page.items.map((item) => item.type);
}

/** The admin's client with a fresh access token (the clock of this file moves forward past its expiry). */
async function adminClient(): Promise<TestClient> {
  await refreshInto(admin.client);
  return admin.client;
}

async function setDisabled(userId: string, disabled: boolean): Promise<void> {
  await (await adminClient()).trpc.admin.users.setDisabled.mutate({ userId, disabled });
}

async function userIdOf(email: string): Promise<string> {
  const { items } = await (await adminClient()).trpc.admin.users.list.query({ query: email });
  const found = items.find((item) => item.email === email);
  if (!found) throw new Error(`no user ${email}`);
  return found.id;
}

/** Registers without verifying: returns the link of the sign-up mail. */
async function registerOnly(email = uniqueEmail(), password = strongPassword()) {
  const since = server.mail.mark();
  await server.client().trpc.auth.register.mutate({ email, password });
  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
  return { email, password, token: tokenIn(mail, '/verify-email?token=') };
}

async function resendLink(email: string): Promise<string> {
  const since = server.mail.mark();
  await server.client().trpc.auth.resendVerification.mutate({ email });
  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
  return tokenIn(mail, '/verify-email?token=');
}

describe('email verification', () => {
  test('auth.verifyEmail refuses a link sent to the address the account had before an email change with INVALID_TOKEN', async () => {
    const { email, password, token: first } = await registerOnly();
    const second = await resendLink(email);
    const client = server.client();
    client.useSession(await client.trpc.auth.verifyEmail.mutate({ token: first }));

    const newEmail = uniqueEmail('moved');
    const since = server.mail.mark();
    await client.trpc.auth.email.change.mutate({ newEmail, password });
    const confirmMail = await server.mail.waitForMail({ to: newEmail, subject: CONFIRM_CHANGE_SUBJECT, since });
    await server
      .client()
      .trpc.auth.email.confirmChange.mutate({ token: tokenIn(confirmMail, '/confirm-email?token=') });

    // The second link went to the old address: it proves nothing about the account now.
    const stale = server.client();
    await expectReason(stale.trpc.auth.verifyEmail.mutate({ token: second }), 'BAD_REQUEST', 'INVALID_TOKEN');
    expect(stale.refreshToken()).toBeUndefined();
  });

  test('auth.verifyEmail with a second unused link of an account already confirmed signs in again and records email.verified once', async () => {
    const { email, token: first } = await registerOnly();
    const second = await resendLink(email);
    const firstClient = server.client();
    firstClient.useSession(await firstClient.trpc.auth.verifyEmail.mutate({ token: first }));

    const secondClient = server.client();
    const session = await secondClient.trpc.auth.verifyEmail.mutate({ token: second });
    secondClient.useSession(session);
    expect(session.user.emailVerified).toBe(true);
    expect(secondClient.refreshToken()).toBeTruthy();
    const types = await eventTypes(secondClient);
    expect(types.filter((type) => type === 'email.verified')).toHaveLength(1);
    expect(types.filter((type) => type === 'session.started')).toHaveLength(2);
  });

  test('auth.verifyEmail refuses the link of an account an admin disabled before it was confirmed with ACCOUNT_DISABLED, and sets no cookie', async () => {
    const { email, password, token } = await registerOnly();
    await setDisabled(await userIdOf(email), true);

    const client = server.client();
    await expectReason(client.trpc.auth.verifyEmail.mutate({ token }), 'FORBIDDEN', 'ACCOUNT_DISABLED');
    expect(client.refreshToken()).toBeUndefined();
    expect(client.cookies.size).toBe(0);
    // Still unconfirmed: once re-enabled, sign-in asks for the confirmation first.
    await setDisabled(await userIdOf(email), false);
    await expectReason(server.client().trpc.auth.login.mutate({ email, password }), 'FORBIDDEN', 'EMAIL_NOT_VERIFIED');
  });

  test('auth.resendVerification answers Ok and mails nothing to a disabled account that was never confirmed', async () => {
    const { email } = await registerOnly();
    await setDisabled(await userIdOf(email), true);
    const since = server.mail.mark();
    expect(await server.client().trpc.auth.resendVerification.mutate({ email })).toEqual({ status: 'ok' });
    expect(await deliveredMails(server, email, since)).toEqual([]);
  });

  test('auth.register of an address that had its three verification mails this hour, by an account since deleted, sends no fourth but answers the same', async () => {
    const { email, password, token } = await registerOnly();
    await resendLink(email);
    await resendLink(email);
    const client = server.client();
    client.useSession(await client.trpc.auth.verifyEmail.mutate({ token }));
    await client.trpc.privacy.deleteAccount.mutate({ password });

    const since = server.mail.mark();
    expect(await server.client().trpc.auth.register.mutate({ email, password: strongPassword() })).toEqual({
      status: 'verification_sent',
    });
    expect(await deliveredMails(server, email, since)).toEqual([]);

    // Once the hour has passed the new account can ask for its link.
    clock.advance(61 * MINUTE);
    const link = await resendLink(email);
    const session = await server.client().trpc.auth.verifyEmail.mutate({ token: link });
    expect(session.user.email).toBe(email);
  });

  test('auth.verifyEmail given one link three times at the same moment signs in exactly once; the other calls are INVALID_TOKEN', async () => {
    const { token } = await registerOnly();
    const clients = [server.client(), server.client(), server.client()];
    const results = await Promise.allSettled(clients.map((client) => client.trpc.auth.verifyEmail.mutate({ token })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        const error = result.reason as AppClientError;
        expect({ code: error.data?.code, reason: error.data?.reason }).toEqual({
          code: 'BAD_REQUEST',
          reason: 'INVALID_TOKEN',
        });
      }
    }
  });
});

describe('two-factor sign-in', () => {
  const nextStep = () => clock.advance(30);
  const codeNow = (secret: string) => totpAt(secret, serverNow());

  async function mfaMember(): Promise<SignedUp & { secret: string; recoveryCodes: string[] }> {
    const member = await signUpAndVerify(server);
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    const { recoveryCodes } = await member.client.trpc.auth.mfa.enable.mutate({ code: codeNow(secret) });
    nextStep();
    return { ...member, secret, recoveryCodes };
  }

  async function passwordStep(member: SignedUp): Promise<{ client: TestClient; mfaToken: string }> {
    const client = server.client();
    const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
    if (result.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${result.status}`);
    return { client, mfaToken: result.mfaToken };
  }

  test('auth.mfa.enable without auth.mfa.setup first refuses with INVALID_MFA_CODE and leaves codes off', async () => {
    const member = await signUpAndVerify(server);
    await expectReason(
      member.client.trpc.auth.mfa.enable.mutate({ code: '123456' }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    expect((await member.client.trpc.auth.me.query()).mfaEnabled).toBe(false);
    const result = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(result.status).toBe('signed_in');
  });

  test('auth.verifyMfa refuses the right code with ACCOUNT_DISABLED when an admin disabled the account after the password step, and sets no cookie', async () => {
    const member = await mfaMember();
    const { client, mfaToken } = await passwordStep(member);
    await setDisabled(member.session.user.id, true);

    await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) }),
      'FORBIDDEN',
      'ACCOUNT_DISABLED',
    );
    expect(client.refreshToken()).toBeUndefined();
    expect(client.cookies.size).toBe(0);
  });

  test('auth.verifyMfa refuses a pending sign-in with INVALID_MFA_CODE once codes were turned off on another device, even with the old code', async () => {
    const member = await mfaMember();
    const { client, mfaToken } = await passwordStep(member);
    await member.client.trpc.auth.mfa.disable.mutate({ password: member.password });

    await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    await expectReason(
      client.trpc.auth.verifyMfa.mutate({ mfaToken, code: member.recoveryCodes[0]! }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    expect(client.refreshToken()).toBeUndefined();
    // A new sign-in needs no code any more.
    const result = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(result.status).toBe('signed_in');
  });

  test('auth.verifyMfa for an account deactivated with codes on reactivates it and signs in', async () => {
    const member = await mfaMember();
    await member.client.trpc.privacy.deactivateAccount.mutate({ password: member.password });
    await expectReason(
      server.client().trpc.profile.get.query({ userId: member.session.user.id }),
      'NOT_FOUND',
      'NOT_FOUND',
    );

    const { client, mfaToken } = await passwordStep(member);
    const session = await client.trpc.auth.verifyMfa.mutate({ mfaToken, code: codeNow(member.secret) });
    client.useSession(session);
    expect((await client.trpc.auth.me.query()).id).toBe(member.session.user.id);
    expect((await server.client().trpc.profile.get.query({ userId: member.session.user.id })).userId).toBe(
      member.session.user.id,
    );
    expect(await eventTypes(client)).toContain('account.reactivated');
  });
});

describe('refresh tokens', () => {
  /** The claims of the client's genuine refresh token with a fresh iat/exp, plus any changes. */
  function refreshClaims(client: TestClient, changes: Json = {}): Json {
    return { ...decodeJwt(client.refreshToken()!).payload, iat: nowSeconds(), exp: nowSeconds() + 3600, ...changes };
  }
  const refreshHeader = (changes: Json = {}): Json => ({
    alg: 'ES256',
    typ: 'refresh+jwt',
    kid: serverKey.kid,
    ...changes,
  });

  /** A browser holding only this refresh cookie. */
  function browserWith(token: string): TestClient {
    const client = server.client();
    client.cookies.set('refresh_token', token);
    return client;
  }

  test('auth.refresh refuses a refresh token signed with an unknown kid, one without a kid and one whose signature is not 64 bytes, and the genuine one still works', async () => {
    const member = await signUpAndVerify(server);
    const device = await newDevice(member);
    const genuine = device.refreshToken()!;
    const [headerPart, payloadPart, signature = ''] = genuine.split('.');
    const bytes = Buffer.from(signature, 'base64url');
    expect(bytes).toHaveLength(64);
    const forgeries = {
      'unknown kid': await signEs256(refreshHeader({ kid: 'no-such-key' }), refreshClaims(device), otherKey),
      'no kid': await signEs256(refreshHeader({ kid: undefined }), refreshClaims(device), serverKey.privateKey),
      'numeric kid': await signEs256(refreshHeader({ kid: 7 }), refreshClaims(device), serverKey.privateKey),
      // The genuine signature one byte short and one byte long, each well-formed base64url.
      'a 63-byte signature': `${headerPart}.${payloadPart}.${bytes.subarray(0, 63).toString('base64url')}`,
      'a 65-byte signature': `${headerPart}.${payloadPart}.${Buffer.concat([bytes, Buffer.of(0)]).toString('base64url')}`,
    };
    for (const [what, token] of Object.entries(forgeries)) {
      const client = browserWith(token);
      const error = await trpcError(client.trpc.auth.refresh.mutate());
      expect({ what, reason: error.data?.reason }).toEqual({ what, reason: 'UNAUTHENTICATED' });
      expect(client.refreshToken()).toBeUndefined();
    }
    // None of them touched the session.
    const session = await device.trpc.auth.refresh.mutate();
    expect(session.user.id).toBe(member.session.user.id);
  });

  test('auth.refresh refuses a refresh token signed with the server key but missing its jti, or its sid, with UNAUTHENTICATED', async () => {
    const member = await signUpAndVerify(server);
    const device = await newDevice(member);
    const claims = refreshClaims(device);
    const { jti: _jti, ...withoutJti } = claims;
    const { sid: _sid, ...withoutSid } = claims;
    for (const payload of [withoutJti, { ...claims, jti: 42 }, withoutSid, { ...claims, exp: String(claims.exp) }]) {
      await expectRefreshRefused(browserWith(await signEs256(refreshHeader(), payload, serverKey.privateKey)));
    }
    // The same claims, complete and signed the same way, are accepted: only the named part was wrong.
    const control = browserWith(await signEs256(refreshHeader(), claims, serverKey.privateKey));
    expect((await control.trpc.auth.refresh.mutate()).user.id).toBe(member.session.user.id);
  });

  test("auth.refresh refuses a server-signed refresh token that names another member's session, and that session keeps working", async () => {
    const [attacker, victim] = [await signUpAndVerify(server), await signUpAndVerify(server)];
    const victimDevice = await newDevice(victim);
    const victimClaims = decodeJwt(victimDevice.refreshToken()!).payload;
    // The attacker's own subject with the victim's session id and current jti.
    const forged = await signEs256(
      refreshHeader(),
      refreshClaims(attacker.client, { sid: victimClaims.sid, jti: victimClaims.jti }),
      serverKey.privateKey,
    );
    await expectRefreshRefused(browserWith(forged));
    expect((await victimDevice.trpc.auth.me.query()).id).toBe(victim.session.user.id);
    expect((await victimDevice.trpc.auth.refresh.mutate()).user.id).toBe(victim.session.user.id);
  });

  test('auth.refresh from three tabs at the same moment with one cookie gives each a working token for the same session and revokes nothing', async () => {
    const member = await signUpAndVerify(server);
    const device = await newDevice(member);
    const tabs = [device.fork(), device.fork(), device.fork()];
    const sessions = await Promise.all(tabs.map((tab) => tab.trpc.auth.refresh.mutate()));
    const sid = decodeJwt(device.bearer!).payload.sid;
    for (const [index, tab] of tabs.entries()) {
      expect(decodeJwt(sessions[index]!.accessToken).payload.sid).toBe(sid);
      tab.useSession(sessions[index]!);
      expect((await tab.trpc.auth.me.query()).id).toBe(member.session.user.id);
      expect(tab.refreshToken()).toBeTruthy();
    }
    const listed = await tabs[0]!.trpc.auth.sessions.list.query();
    expect(listed.filter((session) => session.current)).toHaveLength(1);
    expect(await eventTypes(tabs[0]!)).not.toContain('refresh.reuse_detected');
  });

  test('auth.refresh with the refresh token that auth.password.change retired is reuse: UNAUTHENTICATED, the session is revoked and refresh.reuse_detected recorded', async () => {
    const member = await signUpAndVerify(server);
    const device = await newDevice(member);
    const stolen = device.refreshToken()!;
    const newPassword = strongPassword();
    device.useSession(await device.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword }));
    expect(device.refreshToken()).not.toBe(stolen);
    expect((await device.trpc.auth.me.query()).id).toBe(member.session.user.id);

    await expectRefreshRefused(browserWith(stolen));
    // Someone else held this session's old token: the session is ended for its owner too.
    await expectSignedOut(device);
    await expectRefreshRefused(device);
    const fresh = server.client();
    const result = await fresh.trpc.auth.login.mutate({ email: member.email, password: newPassword });
    if (result.status !== 'signed_in') throw new Error('expected signed_in');
    fresh.useSession(result.session);
    expect(await eventTypes(fresh)).toContain('refresh.reuse_detected');
  });
});

describe('logout', () => {
  test('auth.logout with an access token that has expired still ends its session: its refresh token stops working', async () => {
    const member = await signUpAndVerify(server);
    const device = await newDevice(member);
    clock.advance(16 * MINUTE);
    await expectSignedOut(device);

    const bearerOnly = server.client({ bearer: device.bearer, origin: null });
    expect(await bearerOnly.trpc.auth.logout.mutate()).toEqual({ status: 'ok' });
    await expectRefreshRefused(device);
  });

  test('auth.logout with a tampered refresh cookie and a forged bearer token answers Ok, clears the cookie and ends no session', async () => {
    const member = await signUpAndVerify(server);
    const device = await newDevice(member);
    const [headerPart, payloadPart] = device.refreshToken()!.split('.');
    const forgedBearer = await signEs256(
      { alg: 'ES256', typ: 'at+jwt', kid: serverKey.kid },
      { ...decodeJwt(device.bearer!).payload, exp: nowSeconds() + 900 },
      otherKey,
    );
    const attacker = server.client({ bearer: forgedBearer });
    attacker.cookies.set('refresh_token', `${headerPart}.${payloadPart}.${'A'.repeat(86)}`);

    expect(await attacker.trpc.auth.logout.mutate()).toEqual({ status: 'ok' });
    expect(refreshCookieSet(attacker)?.attributes.get('max-age')).toBe('0');
    // The member's session is untouched.
    expect((await device.trpc.auth.me.query()).id).toBe(member.session.user.id);
    expect((await device.trpc.auth.refresh.mutate()).user.id).toBe(member.session.user.id);
  });
});

describe('faults and races', () => {
  test('auth.securityEvents racing the deletion of the account answers each call with the events or UNAUTHENTICATED, never an INTERNAL error', async () => {
    const member = await signUpAndVerify(server);
    let deleted = false;
    const deletion = member.client.trpc.privacy.deleteAccount
      .mutate({ password: member.password })
      .finally(() => (deleted = true));
    const answers: string[] = [];
    const keepAsking = async () => {
      const tab = member.client.fork();
      while (!deleted) {
        try {
          await tab.trpc.auth.securityEvents.query();
          answers.push('events');
        } catch (error) {
          const data = (error as AppClientError).data;
          answers.push(`${data?.code}/${data?.reason}`);
        }
      }
    };
    await Promise.all([deletion, ...Array.from({ length: 8 }, keepAsking)]);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer !== 'events' && answer !== 'UNAUTHORIZED/UNAUTHENTICATED')).toEqual([]);
    await expectSignedOut(member.client);
  });

  test('auth.refresh while the database is unreachable answers INTERNAL and keeps the refresh cookie; once it is back the same cookie refreshes', async () => {
    const member = await signUpAndVerify(server);
    const device = await newDevice(member);
    const cookie = device.refreshToken();
    await server.app.deps.orm.close(true);
    try {
      const error = await expectReason(device.trpc.auth.refresh.mutate(), 'INTERNAL_SERVER_ERROR', 'INTERNAL');
      expect(error.data?.httpStatus).toBe(500);
      // A fault on our side is no reason to sign the member out.
      expect(device.lastResponse?.setCookies.map((set) => set.name)).not.toContain('refresh_token');
      expect(device.refreshToken()).toBe(cookie);
    } finally {
      await server.app.deps.orm.connect();
    }
    expect((await device.trpc.auth.refresh.mutate()).user.id).toBe(member.session.user.id);
  });
});
