import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import {
  decodeJwt,
  expectReason,
  signUpAndVerify,
  startTestServer,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0';
const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const TABLET =
  'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const NEW_SIGN_IN_SUBJECT = 'New sign-in to your Latchkey account';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

async function login(member: SignedUp, userAgent?: string): Promise<TestClient> {
  const client = server.client(userAgent ? { userAgent } : {});
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return client;
}

const sid = (client: TestClient) => decodeJwt(client.bearer!).payload.sid as string;

/** A member signed in on three devices: laptop (sign-up), then phone, then tablet. */
async function threeDevices(): Promise<{
  member: SignedUp;
  laptop: TestClient;
  phone: TestClient;
  tablet: TestClient;
}> {
  const member = await signUpAndVerify(server, {}, { userAgent: LAPTOP });
  const phone = await login(member, PHONE);
  const tablet = await login(member, TABLET);
  return { member, laptop: member.client, phone, tablet };
}

async function expectSignedOut(client: TestClient) {
  await expectReason(client.trpc.auth.me.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
  await expectReason(client.trpc.auth.refresh.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
}

describe('auth.sessions.list', () => {
  test('auth.sessions.list shows the caller’s sessions newest first, the current one marked, with the IP and User-Agent each device sent', async () => {
    const { laptop, phone, tablet } = await threeDevices();
    const sessions = await phone.trpc.auth.sessions.list.query();
    expect(sessions.map((session) => session.id)).toEqual([sid(tablet), sid(phone), sid(laptop)]);
    expect(sessions.map((session) => session.current)).toEqual([false, true, false]);
    expect(sessions.map((session) => session.userAgent)).toEqual([TABLET, PHONE, LAPTOP]);
    expect(sessions.map((session) => session.ip)).toEqual([tablet.ip, phone.ip, laptop.ip]);
    for (const session of sessions) {
      expect(new Date(session.createdAt).toISOString()).toBe(session.createdAt);
      expect(new Date(session.lastUsedAt).toISOString()).toBe(session.lastUsedAt);
      expect(Object.keys(session).sort()).toEqual(['createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
    }
    const created = sessions.map((session) => Date.parse(session.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    // Each device sees itself as the current one.
    expect((await laptop.trpc.auth.sessions.list.query()).find((session) => session.current)?.id).toBe(sid(laptop));
  });

  test('auth.sessions.list leaves out a session that signed out', async () => {
    const { laptop, phone, tablet } = await threeDevices();
    await tablet.trpc.auth.logout.mutate();
    expect((await phone.trpc.auth.sessions.list.query()).map((session) => session.id)).toEqual([
      sid(phone),
      sid(laptop),
    ]);
  });

  test('auth.sessions.list moves lastUsedAt when a device refreshes its tokens', async () => {
    const { laptop, phone } = await threeDevices();
    const before = (await laptop.trpc.auth.sessions.list.query()).find((session) => session.id === sid(phone))!;
    server.shiftClock(120);
    phone.useSession(await phone.trpc.auth.refresh.mutate());
    const after = (await laptop.trpc.auth.sessions.list.query()).find((session) => session.id === sid(phone))!;
    expect(after.createdAt).toBe(before.createdAt);
    expect(Date.parse(after.lastUsedAt) - Date.parse(before.lastUsedAt)).toBeGreaterThanOrEqual(120_000);
  });

  test('auth.sessions.list refuses a caller without a token with UNAUTHENTICATED', async () => {
    await expectReason(server.client().trpc.auth.sessions.list.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
  });
});

describe('auth.sessions.revoke and revokeOthers', () => {
  test('auth.sessions.revoke ends another session at once: its access token is refused on its next request and its refresh fails', async () => {
    const { laptop, phone, tablet } = await threeDevices();
    expect((await tablet.trpc.auth.me.query()).id).toBeTruthy();
    expect(await phone.trpc.auth.sessions.revoke.mutate({ sessionId: sid(tablet) })).toEqual({ status: 'ok' });

    await expectSignedOut(tablet);
    expect((await phone.trpc.auth.sessions.list.query()).map((session) => session.id)).toEqual([
      sid(phone),
      sid(laptop),
    ]);
    // The others are untouched.
    for (const device of [laptop, phone]) {
      expect((await device.trpc.auth.me.query()).id).toBeTruthy();
      device.useSession(await device.trpc.auth.refresh.mutate());
    }
  });

  test('auth.sessions.revoke answers NOT_FOUND for an unknown id and for a session already ended', async () => {
    const { phone, tablet } = await threeDevices();
    await expectReason(
      phone.trpc.auth.sessions.revoke.mutate({ sessionId: 'no-such-session' }),
      'NOT_FOUND',
      'NOT_FOUND',
    );
    const tabletSid = sid(tablet);
    await phone.trpc.auth.sessions.revoke.mutate({ sessionId: tabletSid });
    await expectReason(phone.trpc.auth.sessions.revoke.mutate({ sessionId: tabletSid }), 'NOT_FOUND', 'NOT_FOUND');
  });

  test('auth.sessions.revokeOthers signs every other device out and keeps this one', async () => {
    const { laptop, phone, tablet } = await threeDevices();
    expect(await laptop.trpc.auth.sessions.revokeOthers.mutate()).toEqual({ status: 'ok' });
    for (const other of [phone, tablet]) await expectSignedOut(other);

    expect(
      (await laptop.trpc.auth.sessions.list.query()).map((session) => ({ id: session.id, current: session.current })),
    ).toEqual([{ id: sid(laptop), current: true }]);
    laptop.useSession(await laptop.trpc.auth.refresh.mutate());
    expect((await laptop.trpc.auth.me.query()).id).toBeTruthy();
  });

  test('auth.sessions.revoke cannot touch another member’s session: NOT_FOUND, and that session keeps working', async () => {
    const alice = await signUpAndVerify(server, {}, { userAgent: LAPTOP });
    const bob = await signUpAndVerify(server, {}, { userAgent: PHONE });
    const bobPhone = await login(bob, PHONE);
    const bobIds = [sid(bob.client), sid(bobPhone)];

    for (const sessionId of bobIds) {
      await expectReason(alice.client.trpc.auth.sessions.revoke.mutate({ sessionId }), 'NOT_FOUND', 'NOT_FOUND');
    }
    await alice.client.trpc.auth.sessions.revokeOthers.mutate();

    const aliceIds = (await alice.client.trpc.auth.sessions.list.query()).map((session) => session.id);
    expect(aliceIds).toEqual([sid(alice.client)]);
    for (const id of bobIds) expect(aliceIds).not.toContain(id);
    for (const device of [bob.client, bobPhone])
      expect((await device.trpc.auth.me.query()).id).toBe(bob.session.user.id);
    expect((await bob.client.trpc.auth.sessions.list.query()).map((session) => session.id).sort()).toEqual(
      [...bobIds].sort(),
    );
  });

  test('auth.sessions.revoke refuses a malformed id with BAD_REQUEST and a caller without a token with UNAUTHENTICATED', async () => {
    const { phone } = await threeDevices();
    await expectReason(
      phone.trpc.auth.sessions.revoke.mutate({ sessionId: '../../etc' }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    await expectReason(
      server.client().trpc.auth.sessions.revoke.mutate({ sessionId: sid(phone) }),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
    await expectReason(server.client().trpc.auth.sessions.revokeOthers.mutate(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    expect((await phone.trpc.auth.me.query()).id).toBeTruthy();
  });
});

describe('new sign-in mail', () => {
  test('auth.login mails a new-sign-in alert naming the device and IP while securityAlerts is on (the default)', async () => {
    const member = await signUpAndVerify(server);
    expect((await member.client.trpc.preferences.get.query()).emailNotifications.securityAlerts).toBe(true);
    const since = server.mail.mark();
    const phone = await login(member, PHONE);
    const alert = await server.mail.waitForMail({ to: member.email, subject: NEW_SIGN_IN_SUBJECT, since });
    expect(alert.text).toContain('Safari on iPhone');
    expect(alert.text).toContain(phone.ip!);
    expect(linkIn(alert, '/settings/security').origin).toBe(server.url);
  });

  test('auth.login mails no new-sign-in alert after preferences.update turns securityAlerts off', async () => {
    const member = await signUpAndVerify(server);
    await member.client.trpc.preferences.update.mutate({ emailNotifications: { securityAlerts: false } });
    const since = server.mail.mark();
    await login(member, PHONE);

    // Turned back on, the next sign-in is mailed: once that mail is in, the first one had its chance.
    await member.client.trpc.preferences.update.mutate({ emailNotifications: { securityAlerts: true } });
    await login(member, TABLET);
    const alert = await server.mail.waitForMail({ to: member.email, subject: NEW_SIGN_IN_SUBJECT, since });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const alerts = server.mail
      .mailsTo(member.email)
      .filter((mail) => mail.seq > since && mail.subject === NEW_SIGN_IN_SUBJECT);
    expect(alerts).toHaveLength(1);
    expect(alert.text).toContain('Chrome on Android');
  });
});
