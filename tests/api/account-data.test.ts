import { randomInt } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runHousekeeping } from '#server/housekeeping.ts';
import { solidImage } from '#tests/helpers/images.ts';
import { secretBytes, totpAt } from '#tests/helpers/totp.ts';
import { storedAvatar } from '#tests/helpers/stored-avatars.ts';
import { uploadAvatarOk } from '#tests/helpers/upload.ts';
import {
  decodeJwt,
  expectReason,
  isDeletion,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const DAY = 24 * 60 * 60;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

async function login(member: SignedUp): Promise<TestClient> {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return client;
}

/** Rows straight from the database, bypassing the API. */
async function rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  return server.app.deps.orm.em.fork().getConnection().execute(sql, params);
}

const publicProfile = (userId: string) => server.client().trpc.profile.get.query({ userId });
const randomColour = () => ({ r: randomInt(256), g: randomInt(256), b: randomInt(256) });

async function expectSignedOut(client: TestClient) {
  await expectReason(client.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
  await expectReason(client.trpc.auth.refresh.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
}

function expectRefreshCookieCleared(client: TestClient) {
  const cookie = client.lastResponse?.setCookies.find((set) => set.name === 'refresh_token');
  expect(cookie && isDeletion(cookie)).toBe(true);
  expect(client.refreshToken()).toBeUndefined();
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

describe('privacy.exportData', () => {
  test('privacy.exportData holds every record about the caller: user, profile, privacy, preferences, sessions, security events, flyers', async () => {
    const member = await signUpAndVerify(server, { name: 'Ada Lovelace' });
    const phone = await login(member);
    const avatarUrl = await uploadAvatarOk(server, member.session.accessToken, {
      bytes: await solidImage('png', 40, 40, randomColour()),
    });
    const flyer = await member.client.trpc.flyers.create.mutate({
      title: 'Bake sale',
      body: 'Saturday, 10 am, the old school hall.',
    });
    await member.client.trpc.privacy.update.mutate({ allowEmailContact: true });
    await member.client.trpc.preferences.update.mutate({ theme: 'dark' });

    const data = await member.client.trpc.privacy.exportData.query();
    expect(Object.keys(data)).toEqual(
      expect.arrayContaining(['user', 'profile', 'privacy', 'preferences', 'sessions', 'securityEvents', 'flyers']),
    );
    expect(data.user).toMatchObject({ id: member.session.user.id, email: member.email, role: 'user' });
    expect(data.profile).toMatchObject({ name: 'Ada Lovelace', avatarUrl });
    expect(data.privacy).toEqual(await member.client.trpc.privacy.get.query());
    expect(data.preferences).toEqual(await member.client.trpc.preferences.get.query());
    expect(data.preferences.theme).toBe('dark');
    const sessionIds = data.sessions.map((session) => session.id);
    for (const device of [member.client, phone]) expect(sessionIds).toContain(decodeJwt(device.bearer!).payload.sid);
    const events = await member.client.trpc.auth.securityEvents.query({ limit: 100 });
    expect(data.securityEvents.map((event) => event.id).sort()).toEqual(events.items.map((event) => event.id).sort());
    expect(data.flyers).toEqual([expect.objectContaining({ id: flyer.id, title: 'Bake sale', body: flyer.body })]);
  });

  test('privacy.exportData contains no password, hash, token, jti, TOTP secret or recovery code', async () => {
    const member = await signUpAndVerify(server);
    const phone = await login(member);
    const newPassword = strongPassword();
    await member.client.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword });
    member.password = newPassword;
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    const { recoveryCodes } = await member.client.trpc.auth.mfa.enable.mutate({
      code: totpAt(secret, server.app.deps.now()),
    });
    await member.client.trpc.auth.email.change.mutate({
      newEmail: `pending-${member.email}`,
      password: member.password,
    });
    const userId = member.session.user.id;

    const data = await member.client.trpc.privacy.exportData.query();
    const text = JSON.stringify(data);
    expect(data.user.mfaEnabledAt).toEqual(expect.any(String));

    const [user] = await rows('select password_hash, mfa_secret from users where id = ?', [userId]);
    const history = await rows('select password_hash from password_history where user_id = ?', [userId]);
    const sessions = await rows('select refresh_jti_hash, previous_jti_hash from sessions where user_id = ?', [userId]);
    const tokens = await rows('select token_hash from one_time_tokens where user_id = ?', [userId]);
    const codes = await rows('select code_hash from recovery_codes where user_id = ?', [userId]);
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    const stored = [
      user!.password_hash,
      user!.mfa_secret,
      ...history.map((row) => row.password_hash),
      ...sessions.flatMap((row) => [row.refresh_jti_hash, row.previous_jti_hash]),
      ...tokens.map((row) => row.token_hash),
      ...codes.map((row) => row.code_hash),
    ].filter((value): value is string => typeof value === 'string');
    expect(stored.length).toBeGreaterThanOrEqual(2 + 2 + 2 + 1 + 10);

    const known = [
      member.password,
      secret,
      secret.toLowerCase(),
      Buffer.from(secretBytes(secret)).toString('hex'),
      Buffer.from(secretBytes(secret)).toString('base64'),
      ...recoveryCodes,
      ...recoveryCodes.map((code) => code.replace('-', '')),
      member.client.refreshToken()!,
      phone.refreshToken()!,
      member.client.bearer!,
      phone.bearer!,
      member.session.accessToken,
      ...stored,
    ];
    for (const value of known) {
      expect(value.length).toBeGreaterThan(5);
      expect(text).not.toContain(value);
    }
    for (const key of keysOf(data)) expect(key).not.toMatch(/hash|secret|token|jti|password|recovery|code/i);
    for (const word of [
      'passwordHash',
      'password_hash',
      'refreshJtiHash',
      'previousJtiHash',
      'mfaSecret',
      'mfaPendingSecret',
      'tokenHash',
      'codeHash',
      '$argon2',
    ]) {
      expect(text).not.toContain(word);
    }
  });

  test('privacy.exportData refuses a caller without a token with UNAUTHENTICATED', async () => {
    await expectReason(server.client().trpc.privacy.exportData.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
  });
});

describe('privacy.deactivateAccount', () => {
  test('privacy.deactivateAccount refuses a wrong password with INVALID_CREDENTIALS and changes nothing', async () => {
    const member = await signUpAndVerify(server);
    const error = await expectReason(
      member.client.trpc.privacy.deactivateAccount.mutate({ password: strongPassword() }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    expect(error.data?.fieldErrors?.password?.length).toBeGreaterThan(0);
    expect((await member.client.trpc.auth.me.query()).id).toBe(member.session.user.id);
    expect((await publicProfile(member.session.user.id)).userId).toBe(member.session.user.id);
  });

  test('privacy.deactivateAccount ends every session and hides the profile; signing in again restores it', async () => {
    const member = await signUpAndVerify(server, { name: 'Dormant Dora' });
    const userId = member.session.user.id;
    const phone = await login(member);
    await member.client.trpc.flyers.publish.mutate({
      id: (await member.client.trpc.flyers.create.mutate({ title: 'Still here', body: 'After the break.' })).id,
    });

    expect(await member.client.trpc.privacy.deactivateAccount.mutate({ password: member.password })).toEqual({
      status: 'ok',
    });
    expectRefreshCookieCleared(member.client);
    await expectReason(member.client.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    await expectSignedOut(phone);
    await expectReason(publicProfile(userId), 'NOT_FOUND', 'NOT_FOUND');

    const back = await login(member);
    expect((await back.trpc.auth.me.query()).id).toBe(userId);
    const profile = await publicProfile(userId);
    expect(profile).toMatchObject({ userId, name: 'Dormant Dora' });
    expect(profile.flyers.map((flyer) => flyer.title)).toEqual(['Still here']);
    // The old sessions stay ended.
    await expectSignedOut(phone);
    const types = (await back.trpc.auth.securityEvents.query({ limit: 5 })).items.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['account.deactivated', 'account.reactivated']));
  });

  test('a deactivated account is kept for 30 days, then housekeeping erases it as deleteAccount would', async () => {
    const member = await signUpAndVerify(server);
    const userId = member.session.user.id;
    const avatarUrl = await uploadAvatarOk(server, member.session.accessToken, {
      bytes: await solidImage('png', 40, 40, randomColour()),
    });
    await member.client.trpc.privacy.deactivateAccount.mutate({ password: member.password });
    const eventIds = (await rows('select id from security_events where user_id = ?', [userId])).map((row) => row.id);

    server.shiftClock(29 * DAY);
    await runHousekeeping(server.app.deps);
    expect(await rows('select id from users where id = ?', [userId])).toHaveLength(1);

    server.shiftClock(30 * DAY + 60);
    await runHousekeeping(server.app.deps);
    expect(await rows('select id from users where id = ?', [userId])).toEqual([]);
    expect(await rows('select user_id from profiles where user_id = ?', [userId])).toEqual([]);
    expect(await storedAvatar(server, avatarUrl)).toBeNull();
    const kept = await rows(
      `select user_id, ip, user_agent from security_events where id in (${eventIds.map(() => '?').join(',')})`,
      eventIds,
    );
    expect(kept).toHaveLength(eventIds.length);
    for (const event of kept) expect(event).toEqual({ user_id: null, ip: null, user_agent: null });

    await expectReason(
      server.client().trpc.auth.login.mutate({ email: member.email, password: member.password }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    await expectReason(publicProfile(userId), 'NOT_FOUND', 'NOT_FOUND');
  });
});

describe('privacy.deleteAccount', () => {
  test('privacy.deleteAccount refuses a wrong password with INVALID_CREDENTIALS and changes nothing', async () => {
    const member = await signUpAndVerify(server);
    await expectReason(
      member.client.trpc.privacy.deleteAccount.mutate({ password: strongPassword() }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    expect((await member.client.trpc.auth.me.query()).id).toBe(member.session.user.id);
    await login(member);
  });

  test('privacy.deleteAccount erases the account: sign-in fails, the profile and avatar file are gone, every session ends, the cookie is cleared', async () => {
    const member = await signUpAndVerify(server, { name: 'Gone Gina' });
    const userId = member.session.user.id;
    const phone = await login(member);
    const avatarUrl = await uploadAvatarOk(server, member.session.accessToken, {
      bytes: await solidImage('png', 40, 40, randomColour()),
    });
    expect(await storedAvatar(server, avatarUrl)).not.toBeNull();
    const flyer = await member.client.trpc.flyers.create.mutate({ title: 'Soon gone', body: 'Nothing lasts.' });
    await member.client.trpc.flyers.publish.mutate({ id: flyer.id });
    const eventIds = (await rows('select id from security_events where user_id = ?', [userId])).map((row) => row.id);
    expect(eventIds.length).toBeGreaterThanOrEqual(3);

    expect(await member.client.trpc.privacy.deleteAccount.mutate({ password: member.password })).toEqual({
      status: 'ok',
    });
    expectRefreshCookieCleared(member.client);

    await expectReason(
      server.client().trpc.auth.login.mutate({ email: member.email, password: member.password }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    await expectReason(publicProfile(userId), 'NOT_FOUND', 'NOT_FOUND');
    await expectReason(member.client.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    await expectSignedOut(phone);
    expect(await storedAvatar(server, avatarUrl)).toBeNull();
    expect((await server.fetch(avatarUrl)).status).toBe(404);

    for (const table of [
      'users where id',
      'profiles where user_id',
      'sessions where user_id',
      'flyers where user_id',
      'password_history where user_id',
      'one_time_tokens where user_id',
    ]) {
      expect({ table, rows: await rows(`select * from ${table} = ?`, [userId]) }).toEqual({ table, rows: [] });
    }
    // The security log keeps the events, with nothing left that points at a person.
    const kept = await rows(
      `select user_id, ip, user_agent from security_events where id in (${eventIds.map(() => '?').join(',')})`,
      eventIds,
    );
    expect(kept).toHaveLength(eventIds.length);
    for (const event of kept) expect(event).toEqual({ user_id: null, ip: null, user_agent: null });
  });

  test('privacy.deleteAccount frees the email: the same address can register again, as a new account', async () => {
    const member = await signUpAndVerify(server, { name: 'First Life' });
    await member.client.trpc.privacy.deleteAccount.mutate({ password: member.password });

    const again = await signUpAndVerify(server, { email: member.email });
    expect(again.session.user.id).not.toBe(member.session.user.id);
    expect(again.session.user.profile).toEqual({ name: '', avatarUrl: null });
    const types = (await again.client.trpc.auth.securityEvents.query({ limit: 100 })).items
      .map((event) => event.type)
      .sort();
    expect(types).toEqual(['account.created', 'email.verified', 'session.started']);
  });

  test('privacy.deleteAccount with two-factor codes on refuses a missing or wrong code with INVALID_MFA_CODE and takes the right one', async () => {
    const member = await signUpAndVerify(server);
    const userId = member.session.user.id;
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    await member.client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, server.app.deps.now()) });
    server.shiftClock(30); // the code used to enable is spent

    await expectReason(
      member.client.trpc.privacy.deleteAccount.mutate({ password: member.password }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    await expectReason(
      member.client.trpc.privacy.deleteAccount.mutate({
        password: member.password,
        code: totpAt(secret, server.app.deps.now(), 10),
      }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    await expectReason(
      member.client.trpc.privacy.deleteAccount.mutate({
        password: strongPassword(),
        code: totpAt(secret, server.app.deps.now()),
      }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
    expect((await member.client.trpc.auth.me.query()).id).toBe(userId);

    expect(
      await member.client.trpc.privacy.deleteAccount.mutate({
        password: member.password,
        code: totpAt(secret, server.app.deps.now()),
      }),
    ).toEqual({ status: 'ok' });
    expectRefreshCookieCleared(member.client);
    expect(await rows('select id from users where id = ?', [userId])).toEqual([]);
    await expectReason(
      server.client().trpc.auth.login.mutate({ email: member.email, password: member.password }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
  });

  test('privacy.deleteAccount with two-factor codes on takes a recovery code', async () => {
    const member = await signUpAndVerify(server);
    const userId = member.session.user.id;
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    const { recoveryCodes } = await member.client.trpc.auth.mfa.enable.mutate({
      code: totpAt(secret, server.app.deps.now()),
    });
    expect(
      await member.client.trpc.privacy.deleteAccount.mutate({ password: member.password, code: recoveryCodes[3]! }),
    ).toEqual({ status: 'ok' });
    expect(await rows('select id from users where id = ?', [userId])).toEqual([]);
    expect(await rows('select id from security_events where user_id = ?', [userId])).toEqual([]);
  });
});
