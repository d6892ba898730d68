import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Role } from '#shared/roles.ts';
import { runHousekeeping } from '#server/housekeeping.ts';
import { INVITATION_SUBJECT, refreshInto, signIn, signUpAdmin } from '#tests/helpers/admin.ts';
import { linkIn, tokenIn, type CapturedMail } from '#tests/helpers/mail-capture.ts';
import {
  decodeJwt,
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const DAY = 24 * 60 * 60;

let server: TestServer;
let admin: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  admin = await signUpAdmin(server, { name: 'Ada Admin' });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  server.shiftClock(0);
  // The admin's access token may have expired under a shifted clock: take a fresh one.
  await refreshInto(admin.client);
});

type Invited = { id: string; expiresAt: string; email: string; mail: CapturedMail; token: string };

/** The admin invites `email`; returns the answer, the mail and the token of its link. */
async function invite(role: Role = 'user', email = uniqueEmail('invitee')): Promise<Invited> {
  const since = server.mail.mark();
  const created = await admin.client.trpc.admin.invitations.create.mutate({ email, role });
  const mail = await server.mail.waitForMail({ to: email, subject: INVITATION_SUBJECT, since });
  return { ...created, email, mail, token: tokenIn(mail, '/invite?token=') };
}

async function statusOf(id: string) {
  const list = await admin.client.trpc.admin.invitations.list.query();
  return list.find((invitation) => invitation.id === id)?.status;
}

function accept(token: string, password = strongPassword(), name?: string) {
  const client = server.client();
  const call = client.trpc.auth.acceptInvitation.mutate({ token, password, ...(name === undefined ? {} : { name }) });
  return { client, call, password };
}

test('admin.invitations.create answers {id, expiresAt} 7 days ahead and mails one invitation link to the address', async () => {
  const email = uniqueEmail('invitee');
  const since = server.mail.mark();
  const before = Date.now();
  const created = await admin.client.trpc.admin.invitations.create.mutate({ email, role: 'user' });
  expect(Object.keys(created).sort()).toEqual(['expiresAt', 'id']);
  expect(created.id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  expect(created.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const expiresAt = Date.parse(created.expiresAt);
  expect(expiresAt).toBeGreaterThanOrEqual(before + 7 * DAY * 1000 - 1000);
  expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7 * DAY * 1000 + 1000);

  const mail = await server.mail.waitForMail({ to: email, since });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.mail.mailsTo(email)).toHaveLength(1);
  expect(mail.to).toEqual([email]);
  expect(mail.subject).toContain(INVITATION_SUBJECT);
  expect(mail.html).toBeTruthy();
  const link = linkIn(mail, '/invite?token=');
  expect(link.origin).toBe(server.url);
  // 256 random bits in base64url.
  expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(mail.html).toContain(link.href.replace(/&/g, '&amp;'));
});

test('admin.invitations.list shows a new invitation as pending with its email, role and times', async () => {
  const invited = await invite('admin');
  const list = await admin.client.trpc.admin.invitations.list.query();
  const listed = list.find((invitation) => invitation.id === invited.id);
  expect(listed).toEqual({
    id: invited.id,
    email: invited.email,
    role: 'admin',
    status: 'pending',
    createdAt: expect.any(String),
    expiresAt: invited.expiresAt,
  });
  expect(Date.parse(invited.expiresAt) - Date.parse(listed!.createdAt)).toBe(7 * DAY * 1000);
  // Newest first.
  expect(list[0]!.id).toBe(invited.id);
});

test('auth.acceptInvitation creates a verified account with the name and invited role, signs it in and sets the refresh cookie', async () => {
  const invited = await invite('user');
  const { client, call, password } = accept(invited.token, strongPassword(), 'Ivy Invited');
  const session = await call;

  expect(session.user).toMatchObject({
    email: invited.email,
    role: 'user',
    emailVerified: true,
    mfaEnabled: false,
    hasPassword: true,
    profile: { name: 'Ivy Invited', avatarUrl: null },
  });
  expect(decodeJwt(session.accessToken).payload).toMatchObject({ sub: session.user.id, role: 'user' });
  const cookie = client.lastResponse?.setCookies.find((candidate) => candidate.name === 'refresh_token');
  expect(cookie?.value).toBeTruthy();
  expect(cookie?.attributes.get('httponly')).toBe(true);
  expect(cookie?.attributes.get('path')).toBe('/trpc');
  expect(JSON.stringify(session)).not.toContain(cookie!.value);

  client.useSession(session);
  expect(await client.trpc.auth.me.query()).toEqual(session.user);
  await refreshInto(client); // the cookie is a working refresh token
  expect((await client.trpc.auth.me.query()).id).toBe(session.user.id);
  // The chosen password works from another device; no verification mail is needed or sent.
  expect((await signIn(server, invited.email, password)).bearer).toBeTruthy();
  expect(server.mail.mailsTo(invited.email).map((mail) => mail.subject)).not.toContain('Confirm your email');
  expect((await server.client().trpc.profile.get.query({ userId: session.user.id })).name).toBe('Ivy Invited');

  expect(await statusOf(invited.id)).toBe('accepted');
  const page = await admin.client.trpc.admin.users.list.query({ query: invited.email });
  expect(page.items).toEqual([
    expect.objectContaining({
      id: session.user.id,
      role: 'user',
      emailVerified: true,
      name: 'Ivy Invited',
      disabled: false,
    }),
  ]);
});

test('auth.acceptInvitation of an admin invitation gives admin access at once', async () => {
  const invited = await invite('admin');
  const { client, call } = accept(invited.token, strongPassword(), 'Otto Operator');
  const session = await call;
  expect(session.user.role).toBe('admin');
  expect(decodeJwt(session.accessToken).payload.role).toBe('admin');
  client.useSession(session);
  expect((await client.trpc.auth.me.query()).role).toBe('admin');
  const page = await client.trpc.admin.users.list.query({ query: invited.email });
  expect(page.items.map((item) => item.id)).toEqual([session.user.id]);
  expect(
    (await client.trpc.admin.invitations.list.query()).find((invitation) => invitation.id === invited.id)?.status,
  ).toBe('accepted');
});

test('auth.acceptInvitation works once: a second use of the link is INVALID_TOKEN and leaves the account as it was', async () => {
  const invited = await invite();
  const first = accept(invited.token);
  const session = await first.call;
  const second = accept(invited.token);
  await expectReason(second.call, 'BAD_REQUEST', 'INVALID_TOKEN');
  expect(second.client.refreshToken()).toBeUndefined();
  await signIn(server, invited.email, first.password);
  await expectReason(
    server.client().trpc.auth.login.mutate({ email: invited.email, password: second.password }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
  const page = await admin.client.trpc.admin.users.list.query({ query: invited.email });
  expect(page.items.map((item) => item.id)).toEqual([session.user.id]);
});

test('auth.acceptInvitation answers INVALID_TOKEN for a token that was never issued', async () => {
  for (const token of [randomBytes(32).toString('base64url'), 'x']) {
    const { client, call } = accept(token);
    await expectReason(call, 'BAD_REQUEST', 'INVALID_TOKEN');
    expect(client.refreshToken()).toBeUndefined();
  }
});

test('auth.acceptInvitation still works just before the 7 days are up', async () => {
  const invited = await invite();
  server.shiftClock(7 * DAY - 60);
  const session = await accept(invited.token).call;
  expect(session.user.email).toBe(invited.email);
});

test('auth.acceptInvitation refuses an invitation older than 7 days with INVALID_TOKEN, and the list says expired', async () => {
  const invited = await invite();
  expect(await statusOf(invited.id)).toBe('pending');
  server.shiftClock(7 * DAY + 60);
  await expectReason(accept(invited.token).call, 'BAD_REQUEST', 'INVALID_TOKEN');
  await refreshInto(admin.client);
  expect(await statusOf(invited.id)).toBe('expired');
  const page = await admin.client.trpc.admin.users.list.query({ query: invited.email });
  expect(page.items).toEqual([]);
});

test('admin.invitations.revoke makes the link INVALID_TOKEN and the list says revoked', async () => {
  const invited = await invite('admin');
  expect(await admin.client.trpc.admin.invitations.revoke.mutate({ id: invited.id })).toEqual({ status: 'ok' });
  await expectReason(accept(invited.token).call, 'BAD_REQUEST', 'INVALID_TOKEN');
  expect(await statusOf(invited.id)).toBe('revoked');
  expect((await admin.client.trpc.admin.users.list.query({ query: invited.email })).items).toEqual([]);
});

test('admin.invitations.revoke answers NOT_FOUND for an unknown invitation', async () => {
  await expectReason(
    admin.client.trpc.admin.invitations.revoke.mutate({ id: 'no-such-invitation' }),
    'NOT_FOUND',
    'NOT_FOUND',
  );
});

test('admin.invitations.revoke of an accepted invitation leaves it accepted and the account working', async () => {
  const invited = await invite();
  const { client, call } = accept(invited.token);
  client.useSession(await call);
  await trpcError(admin.client.trpc.admin.invitations.revoke.mutate({ id: invited.id }));
  expect(await statusOf(invited.id)).toBe('accepted');
  expect((await client.trpc.auth.me.query()).email).toBe(invited.email);
});

test('auth.acceptInvitation refuses a weak password with WEAK_PASSWORD and fieldErrors.password, and the invitation stays usable', async () => {
  const invited = await invite();
  const localPart = invited.email.split('@')[0]!;
  for (const password of [
    'password',
    'aaaaaaaaaaaaaaaaaaaa',
    `${localPart}-Tq7-${randomBytes(6).toString('hex')}`,
    'Tq7-'.repeat(250_000),
  ]) {
    const { client, call } = accept(invited.token, password);
    const error = await expectReason(call, 'BAD_REQUEST', 'WEAK_PASSWORD');
    expect(error.data?.fieldErrors?.password?.length).toBeGreaterThan(0);
    expect(client.refreshToken()).toBeUndefined();
  }
  expect(await statusOf(invited.id)).toBe('pending');
  expect((await admin.client.trpc.admin.users.list.query({ query: invited.email })).items).toEqual([]);
  const session = await accept(invited.token).call;
  expect(session.user.email).toBe(invited.email);
});

test('admin.invitations.create refuses an address that already has an account with BAD_REQUEST and fieldErrors.email, and mails nothing', async () => {
  const existing = await signUpAndVerify(server);
  const since = server.mail.mark();
  for (const email of [existing.email, existing.email.toUpperCase()]) {
    const error = await expectReason(
      admin.client.trpc.admin.invitations.create.mutate({ email, role: 'admin' }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.email?.length).toBeGreaterThan(0);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.mail.mails().filter((mail) => mail.seq > since)).toEqual([]);
  const list = await admin.client.trpc.admin.invitations.list.query();
  expect(list.filter((invitation) => invitation.email.toLowerCase() === existing.email.toLowerCase())).toEqual([]);
});

test('admin.invitations.create a second time to the same address retires the first link; the second one works with its own role', async () => {
  const email = uniqueEmail('twice');
  const first = await invite('user', email);
  const second = await invite('admin', email);
  expect(second.token).not.toBe(first.token);
  expect(await statusOf(first.id)).toBe('revoked');
  expect(await statusOf(second.id)).toBe('pending');

  await expectReason(accept(first.token).call, 'BAD_REQUEST', 'INVALID_TOKEN');
  const session = await accept(second.token).call;
  expect(session.user).toMatchObject({ email, role: 'admin' });
});

test('auth.acceptInvitation refuses with INVALID_TOKEN when the address got an account some other way in the meantime', async () => {
  const email = uniqueEmail('raced');
  const invited = await invite('admin', email);
  const owner = await signUpAndVerify(server, { email });
  await expectReason(accept(invited.token).call, 'BAD_REQUEST', 'INVALID_TOKEN');
  // The existing account is untouched: same role, same password.
  expect((await signIn(server, email, owner.password).then((client) => client.trpc.auth.me.query())).role).toBe('user');
  expect((await admin.client.trpc.admin.users.list.query({ query: email })).items).toHaveLength(1);
});

test('expired and revoked invitations are removed by housekeeping 30 days after they ended, not before', async () => {
  const expiring = await invite();
  const revoked = await invite();
  await admin.client.trpc.admin.invitations.revoke.mutate({ id: revoked.id });

  // 36 days on: the revocation ended 36 days ago, the expiry 29 days ago.
  server.shiftClock(36 * DAY);
  await runHousekeeping(server.app.deps);
  let adminNow = await signIn(server, admin.email, admin.password);
  let list = await adminNow.trpc.admin.invitations.list.query();
  expect(list.find((invitation) => invitation.id === revoked.id)).toBeUndefined();
  expect(list.find((invitation) => invitation.id === expiring.id)?.status).toBe('expired');

  // 37 days and a minute on: the expiry ended over 30 days ago.
  server.shiftClock(37 * DAY + 60);
  await runHousekeeping(server.app.deps);
  adminNow = await signIn(server, admin.email, admin.password);
  list = await adminNow.trpc.admin.invitations.list.query();
  expect(list.find((invitation) => invitation.id === expiring.id)).toBeUndefined();
  await expectReason(accept(expiring.token).call, 'BAD_REQUEST', 'INVALID_TOKEN');
});
