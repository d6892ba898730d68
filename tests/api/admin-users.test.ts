import { randomBytes, webcrypto } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createJWTSignatureMessage, encodeJWT } from '@oslojs/jwt';
import type { Role } from '#shared/roles.ts';
import type { AdminUser } from '#shared/schemas/admin.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import {
  invitedAccount,
  refreshInto,
  securityEventRows,
  setRoleInDatabase,
  signIn,
  signUpAdmin,
} from '#tests/helpers/admin.ts';
import {
  decodeJwt,
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type AppClientError,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const ADMIN_USER_FIELDS = [
  'createdAt',
  'disabled',
  'email',
  'emailVerified',
  'id',
  'lastSignInAt',
  'mfaEnabled',
  'name',
  'role',
];

let server: TestServer;
/** The administrator most tests act as; tests that reshuffle the admins put it back afterwards. */
let admin: SignedUp;
/** A member who signed up and confirmed the address the usual way. */
let member: SignedUp;

// Further accounts come from invitations: one call each, ready to use, and no sign-up limit to meet.
const newMember = (account: { email?: string; name?: string } = {}) => invitedAccount(server, admin.client, account);
const newAdmin = () => invitedAccount(server, admin.client, { role: 'admin' });

beforeAll(async () => {
  server = await startTestServer();
  admin = await signUpAdmin(server, { name: 'Ada Admin' });
  member = await signUpAndVerify(server, { name: 'Mel Member' });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  server.shiftClock(0);
  await restoreSharedAdmin();
});

/** Makes the shared admin an admin again with a token that says so, after a test took that away. */
async function restoreSharedAdmin(): Promise<void> {
  const me = await admin.client.trpc.auth.me.query().catch(() => null);
  if (me?.role === 'admin') return;
  await setRoleInDatabase(server, admin.session.user.id, 'admin');
  await refreshInto(admin.client);
}

const expectSignedOut = (call: Promise<unknown>) => expectReason(call, 'UNAUTHORIZED', 'UNAUTHENTICATED');

/** Makes these users the only administrators: every other admin becomes a member (in the database). */
async function keepOnlyAdmins(...ids: string[]): Promise<void> {
  await server.app.deps.orm.em.fork().nativeUpdate(UserEntity, { role: 'admin', id: { $nin: ids } }, { role: 'user' });
}

/** The one row admin.users.list shows for this user (searched by their full email). */
async function listed(userId: string, email: string): Promise<AdminUser | undefined> {
  const page = await admin.client.trpc.admin.users.list.query({ query: email });
  return page.items.find((item) => item.id === userId);
}

async function roleInDatabase(userId: string): Promise<Role> {
  return (await server.app.deps.orm.em.fork().findOneOrFail(UserEntity, { id: userId })).role;
}

/** Every admin procedure, called with valid input that would change something if it were allowed. */
function everyAdminCall(client: TestClient, targets: { userId: string; invitationId: string; invitee: string }) {
  const { admin: api } = client.trpc;
  return [
    ['admin.users.list', () => api.users.list.query({})],
    ['admin.users.setRole', () => api.users.setRole.mutate({ userId: targets.userId, role: 'admin' })],
    ['admin.users.setDisabled', () => api.users.setDisabled.mutate({ userId: targets.userId, disabled: true })],
    ['admin.users.revokeSessions', () => api.users.revokeSessions.mutate({ userId: targets.userId })],
    ['admin.invitations.create', () => api.invitations.create.mutate({ email: targets.invitee, role: 'admin' })],
    ['admin.invitations.list', () => api.invitations.list.query()],
    ['admin.invitations.revoke', () => api.invitations.revoke.mutate({ id: targets.invitationId })],
  ] as const;
}

/** A pending invitation and a victim member whose state the refused calls must leave untouched. */
async function refusalFixture() {
  const victim = await newMember();
  const invitation = await admin.client.trpc.admin.invitations.create.mutate({
    email: uniqueEmail('pending'),
    role: 'user',
  });
  return {
    victim,
    targets: { userId: victim.session.user.id, invitationId: invitation.id, invitee: uniqueEmail('sneaky') },
  };
}

async function expectUntouched(fixture: Awaited<ReturnType<typeof refusalFixture>>) {
  const me = await fixture.victim.client.trpc.auth.me.query(); // its session was not revoked
  expect(me.role).toBe('user');
  expect((await listed(fixture.victim.session.user.id, fixture.victim.email))?.disabled).toBe(false);
  const invitations = await admin.client.trpc.admin.invitations.list.query();
  expect(invitations.find((invitation) => invitation.id === fixture.targets.invitationId)?.status).toBe('pending');
  expect(invitations.some((invitation) => invitation.email === fixture.targets.invitee)).toBe(false);
  expect(server.mail.mailsTo(fixture.targets.invitee)).toEqual([]);
}

test('admin procedures refuse a signed-in member with FORBIDDEN and change nothing', async () => {
  const fixture = await refusalFixture();
  for (const [name, call] of everyAdminCall(member.client, fixture.targets)) {
    const error = await trpcError(call());
    expect({ name, code: error.data?.code, reason: error.data?.reason }).toEqual({
      name,
      code: 'FORBIDDEN',
      reason: 'FORBIDDEN',
    });
  }
  await expectUntouched(fixture);
  // Not even on themselves.
  await expectReason(
    member.client.trpc.admin.users.setRole.mutate({ userId: member.session.user.id, role: 'admin' }),
    'FORBIDDEN',
    'FORBIDDEN',
  );
  expect(await roleInDatabase(member.session.user.id)).toBe('user');
});

test('admin procedures refuse a visitor without a token with UNAUTHORIZED / UNAUTHENTICATED', async () => {
  const fixture = await refusalFixture();
  for (const [name, call] of everyAdminCall(server.client(), fixture.targets)) {
    const error = await trpcError(call());
    expect({ name, code: error.data?.code, reason: error.data?.reason }).toEqual({
      name,
      code: 'UNAUTHORIZED',
      reason: 'UNAUTHENTICATED',
    });
  }
  await expectUntouched(fixture);
});

async function signEs256(header: object, payload: object, key: CryptoKey): Promise<string> {
  const headerJSON = JSON.stringify(header);
  const payloadJSON = JSON.stringify(payload);
  const signature = new Uint8Array(
    await webcrypto.subtle.sign(SIGN, key, createJWTSignatureMessage(headerJSON, payloadJSON)),
  );
  return encodeJWT(headerJSON, payloadJSON, signature);
}

/** The member's genuine token with `role: 'admin'` and fresh times, signed with `key`. */
async function memberTokenClaimingAdmin(key: CryptoKey): Promise<string> {
  const { header, payload } = decodeJwt(member.session.accessToken);
  const now = Math.floor(Date.now() / 1000);
  return signEs256(header, { ...payload, role: 'admin', iat: now, exp: now + 900 }, key);
}

test('admin procedures refuse a forged access token that claims role admin, signed with another key', async () => {
  const otherKey = (await webcrypto.subtle.generateKey(ES256, true, ['sign', 'verify'])).privateKey;
  const forged = await memberTokenClaimingAdmin(otherKey);
  expect(decodeJwt(forged).header.kid).toBe(decodeJwt(member.session.accessToken).header.kid);
  const fixture = await refusalFixture();
  for (const [name, call] of everyAdminCall(server.client({ bearer: forged }), fixture.targets)) {
    const error = await trpcError(call());
    expect({ name, code: error.data?.code, reason: error.data?.reason }).toEqual({
      name,
      code: 'UNAUTHORIZED',
      reason: 'UNAUTHENTICATED',
    });
  }
  await expectUntouched(fixture);
});

test('admin procedures refuse a token signed with the server key whose role claim says admin for a member', async () => {
  // Only a leaked key could make this token; the role still comes from the account, not the claim.
  const kid = decodeJwt(member.session.accessToken).header.kid as string;
  const serverKey = server.app.deps.keys.byKid.get(kid)!.privateKey;
  const client = server.client({ bearer: await memberTokenClaimingAdmin(serverKey) });
  await expectSignedOut(client.trpc.admin.users.list.query({}));
  await expectSignedOut(client.trpc.auth.me.query());
  expect(await roleInDatabase(member.session.user.id)).toBe('user');
});

test('admin.users.setRole demotion refuses the demoted admin on the very next request, and a fresh sign-in works as a member', async () => {
  const other = await newAdmin();
  const oldToken = other.client.bearer!;
  expect((await other.client.trpc.admin.users.list.query({ limit: 1 })).items).toHaveLength(1);

  await admin.client.trpc.admin.users.setRole.mutate({ userId: other.session.user.id, role: 'user' });

  // No waiting for the 15-minute expiry: the token issued while admin is refused at once, everywhere.
  await expectSignedOut(other.client.trpc.admin.users.list.query({ limit: 1 }));
  await expectSignedOut(other.client.trpc.auth.me.query());

  const fresh = await signIn(server, other.email, other.password);
  const me = await fresh.trpc.auth.me.query();
  expect(me.role).toBe('user');
  expect(decodeJwt(fresh.bearer!).payload.role).toBe('user');
  expect(await fresh.trpc.privacy.get.query()).toEqual({ allowEmailContact: false });
  expect((await fresh.trpc.auth.sessions.list.query()).length).toBeGreaterThanOrEqual(1);
  await expectReason(fresh.trpc.admin.users.list.query({}), 'FORBIDDEN', 'FORBIDDEN');
  expect(oldToken).not.toBe(fresh.bearer);
});

test('auth.refresh after a role change issues an access token with the new role claim, for the same session', async () => {
  const person = await newMember();
  const sid = decodeJwt(person.client.bearer!).payload.sid;
  expect(decodeJwt(person.client.bearer!).payload.role).toBe('user');

  await admin.client.trpc.admin.users.setRole.mutate({ userId: person.session.user.id, role: 'admin' });
  await expectSignedOut(person.client.trpc.auth.me.query());
  const promoted = await person.client.trpc.auth.refresh.mutate();
  expect(decodeJwt(promoted.accessToken).payload).toMatchObject({ role: 'admin', sid, sub: person.session.user.id });
  expect(promoted.user.role).toBe('admin');
  person.client.useSession(promoted);
  expect((await person.client.trpc.admin.users.list.query({ limit: 1 })).items).toHaveLength(1);

  await admin.client.trpc.admin.users.setRole.mutate({ userId: person.session.user.id, role: 'user' });
  await expectSignedOut(person.client.trpc.admin.users.list.query({ limit: 1 }));
  const demoted = await person.client.trpc.auth.refresh.mutate();
  expect(decodeJwt(demoted.accessToken).payload).toMatchObject({ role: 'user', sid });
  person.client.useSession(demoted);
  expect((await person.client.trpc.auth.me.query()).role).toBe('user');
  await expectReason(person.client.trpc.admin.users.list.query({}), 'FORBIDDEN', 'FORBIDDEN');
});

test('admin.users.list items carry exactly the documented fields with the account values', async () => {
  const verified = await listed(member.session.user.id, member.email);
  expect(Object.keys(verified!).sort()).toEqual(ADMIN_USER_FIELDS);
  expect(verified).toEqual({
    id: member.session.user.id,
    email: member.email,
    name: 'Mel Member',
    role: 'user',
    disabled: false,
    emailVerified: true,
    mfaEnabled: false,
    createdAt: member.session.user.createdAt,
    lastSignInAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  });
  expect(Date.parse(verified!.lastSignInAt!)).toBeGreaterThanOrEqual(Date.parse(verified!.createdAt));

  // Someone who signed up but never confirmed the address nor signed in.
  const email = uniqueEmail('unconfirmed');
  await server.client().trpc.auth.register.mutate({ email, password: strongPassword() });
  const page = await admin.client.trpc.admin.users.list.query({ query: email });
  expect(page.items).toHaveLength(1);
  expect(page.items[0]).toMatchObject({
    email,
    name: '',
    role: 'user',
    disabled: false,
    emailVerified: false,
    mfaEnabled: false,
    lastSignInAt: null,
  });
  expect(Object.keys(page.items[0]!).sort()).toEqual(ADMIN_USER_FIELDS);

  // The admin shows as one.
  expect(await listed(admin.session.user.id, admin.email)).toMatchObject({ role: 'admin', name: 'Ada Admin' });
});

test('admin.users.list returns the newest users first', async () => {
  const tag = `Newest${randomBytes(4).toString('hex')}`;
  const created: string[] = [];
  for (const n of [1, 2, 3]) created.push((await newMember({ name: `${tag} ${n}` })).session.user.id);
  const page = await admin.client.trpc.admin.users.list.query({ query: tag });
  expect(page.items.map((item) => item.id)).toEqual([...created].reverse());
  expect(page.nextCursor).toBeNull();

  const all = await admin.client.trpc.admin.users.list.query({ limit: 100 });
  const times = all.items.map((item) => Date.parse(item.createdAt));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  expect(all.items[0]!.id).toBe(created[2]);
});

test('admin.users.list finds users by part of the email, whatever its case', async () => {
  const hex = randomBytes(4).toString('hex');
  const email = `Zed.Finder.${hex}@Example.com`;
  const found = await newMember({ email });
  for (const query of [
    `finder.${hex}`,
    `FINDER.${hex.toUpperCase()}`,
    `zed.finder.${hex}@example.com`,
    ` Finder.${hex} `,
  ]) {
    const page = await admin.client.trpc.admin.users.list.query({ query });
    expect({ query, ids: page.items.map((item) => item.id) }).toEqual({ query, ids: [found.session.user.id] });
  }
  // The address shows as the person typed it.
  expect((await admin.client.trpc.admin.users.list.query({ query: hex })).items[0]?.email).toBe(email);
  expect((await admin.client.trpc.admin.users.list.query({ query: `nobody-${hex}` })).items).toEqual([]);
});

test('admin.users.list finds users by part of the name, whatever its case', async () => {
  const hex = randomBytes(4).toString('hex');
  const found = await newMember({ name: `Ophelia Quartermaine${hex}` });
  for (const query of [`quartermaine${hex}`, `QUARTERMAINE${hex.toUpperCase()}`, `lia Quarter`]) {
    const page = await admin.client.trpc.admin.users.list.query({ query });
    expect(page.items.map((item) => item.id)).toContain(found.session.user.id);
    for (const item of page.items)
      expect(`${item.name} ${item.email}`.toLowerCase()).toContain(query.toLowerCase().trim());
  }
  const exact = await admin.client.trpc.admin.users.list.query({ query: `quartermaine${hex}` });
  expect(exact.items.map((item) => item.id)).toEqual([found.session.user.id]);

  // Letters beyond ASCII and an apostrophe: found as shown, and with other capitals where SQLite can
  // fold them (it folds ASCII letters only; PostgreSQL folds all).
  const name = `Émile Zoë O'Brien${hex}`;
  const accented = await newMember({ name });
  for (const query of [
    name,
    `o'brien${hex}`,
    `O'BRIEN${hex.toUpperCase()}`,
    `ZOË O'BRIEN${hex.toUpperCase()}`,
    `émile zoë`.replace('é', 'É'),
  ]) {
    const page = await admin.client.trpc.admin.users.list.query({ query });
    expect({ query, ids: page.items.map((item) => item.id) }).toEqual({ query, ids: [accented.session.user.id] });
  }
});

/** Follows nextCursor from the first page to the last; fails on a page larger than the limit. */
async function walk(input: { query?: string; limit: number }): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await admin.client.trpc.admin.users.list.query({ ...input, ...(cursor ? { cursor } : {}) });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(input.limit);
    ids.push(...page.items.map((item) => item.id));
    if (!page.nextCursor) return { ids, pages };
    expect(page.items).toHaveLength(input.limit);
    cursor = page.nextCursor;
    if (pages > 200) throw new Error('the cursor never ends');
  }
}

test('admin.users.list cursor paging walks every user exactly once, in order, even when several share a creation time', async () => {
  const tag = `Pager${randomBytes(4).toString('hex')}`;
  const ids: string[] = [];
  for (const n of [1, 2, 3, 4, 5]) ids.push((await newMember({ name: `${tag} ${n}` })).session.user.id);
  // Five accounts created in the same millisecond: the order falls back on the id.
  await server.app.deps.orm.em
    .fork()
    .nativeUpdate(UserEntity, { id: { $in: ids } }, { createdAt: new Date(Date.now() - 60_000) });

  const tagged = await walk({ query: tag, limit: 2 });
  expect(tagged.pages).toBe(3);
  expect(new Set(tagged.ids).size).toBe(5);
  expect([...tagged.ids].sort()).toEqual([...ids].sort());
  expect(tagged.ids).toEqual(
    (await admin.client.trpc.admin.users.list.query({ query: tag })).items.map((item) => item.id),
  );

  const total = await server.app.deps.orm.em.fork().count(UserEntity, {});
  expect(total).toBeLessThanOrEqual(100);
  const onePage = (await admin.client.trpc.admin.users.list.query({ limit: 100 })).items.map((item) => item.id);
  expect(onePage).toHaveLength(total);
  for (const limit of [1, 3]) {
    const walked = await walk({ limit });
    expect(walked.ids).toEqual(onePage);
  }
});

test('admin.users.list answers BAD_REQUEST for a malformed cursor and for a limit outside 1-100', async () => {
  const list = admin.client.trpc.admin.users.list;
  for (const cursor of [
    'not-a-cursor',
    Buffer.from('{"at":1}').toString('base64url'),
    Buffer.from('[1]').toString('base64url'),
  ]) {
    await expectReason(list.query({ cursor }), 'BAD_REQUEST', 'INVALID_INPUT');
  }
  for (const limit of [101, 1000, 0]) {
    const error = await expectReason(list.query({ limit }), 'BAD_REQUEST', 'INVALID_INPUT');
    expect(error.data?.fieldErrors?.limit?.length).toBeGreaterThan(0);
  }
  expect((await list.query({ limit: 100 })).items.length).toBeGreaterThan(0);
});

test('admin.users.setRole promotes and demotes, each recorded as role.changed on the target with the acting admin', async () => {
  const person = await newMember();
  const userId = person.session.user.id;
  expect(await admin.client.trpc.admin.users.setRole.mutate({ userId, role: 'admin' })).toEqual({ status: 'ok' });
  expect((await listed(userId, person.email))?.role).toBe('admin');
  await refreshInto(person.client);
  expect((await person.client.trpc.auth.me.query()).role).toBe('admin');

  expect(await admin.client.trpc.admin.users.setRole.mutate({ userId, role: 'user' })).toEqual({ status: 'ok' });
  expect((await listed(userId, person.email))?.role).toBe('user');

  const rows = (await securityEventRows(server, userId)).filter((row) => row.type === 'role.changed');
  expect(rows.map((row) => row.actorId)).toEqual([admin.session.user.id, admin.session.user.id]);
  await refreshInto(person.client);
  const events = await person.client.trpc.auth.securityEvents.query({});
  expect(events.items.filter((event) => event.type === 'role.changed')).toHaveLength(2);
  // The acting admin's own history does not get the target's events.
  const adminEvents = await admin.client.trpc.auth.securityEvents.query({ limit: 100 });
  expect(adminEvents.items.filter((event) => event.type === 'role.changed')).toEqual([]);
});

test('admin.users.setRole refuses to demote the last active admin with CONFLICT / LAST_ADMIN and changes nothing', async () => {
  await keepOnlyAdmins(admin.session.user.id);
  const adminId = admin.session.user.id;
  const before = await securityEventRows(server, adminId);

  await expectReason(
    admin.client.trpc.admin.users.setRole.mutate({ userId: adminId, role: 'user' }),
    'CONFLICT',
    'LAST_ADMIN',
  );
  expect(await roleInDatabase(adminId)).toBe('admin');
  // Still in charge, with the same token.
  expect((await admin.client.trpc.auth.me.query()).role).toBe('admin');
  expect((await listed(adminId, admin.email))?.role).toBe('admin');
  expect(await securityEventRows(server, adminId)).toEqual(before);

  // A disabled admin is not in charge: it does not count as another admin.
  const dormant = await newAdmin();
  await admin.client.trpc.admin.users.setDisabled.mutate({ userId: dormant.session.user.id, disabled: true });
  await expectReason(
    admin.client.trpc.admin.users.setRole.mutate({ userId: adminId, role: 'user' }),
    'CONFLICT',
    'LAST_ADMIN',
  );
  expect((await admin.client.trpc.auth.me.query()).role).toBe('admin');

  // With a second active admin, stepping down works.
  const second = await newAdmin();
  await admin.client.trpc.admin.users.setRole.mutate({ userId: adminId, role: 'user' });
  expect(await roleInDatabase(adminId)).toBe('user');
  await expectReason(
    second.client.trpc.admin.users.setRole.mutate({ userId: second.session.user.id, role: 'user' }),
    'CONFLICT',
    'LAST_ADMIN',
  );
});

test('admin.users.setDisabled refuses to disable the last active admin with CONFLICT / LAST_ADMIN and changes nothing', async () => {
  await keepOnlyAdmins(admin.session.user.id);
  const adminId = admin.session.user.id;
  const before = await securityEventRows(server, adminId);

  await expectReason(
    admin.client.trpc.admin.users.setDisabled.mutate({ userId: adminId, disabled: true }),
    'CONFLICT',
    'LAST_ADMIN',
  );
  expect(await securityEventRows(server, adminId)).toEqual(before);
  expect((await listed(adminId, admin.email))?.disabled).toBe(false);
  // No session was ended: the same token and refresh cookie still work.
  expect((await admin.client.trpc.auth.me.query()).role).toBe('admin');
  await refreshInto(admin.client);
  expect((await admin.client.trpc.admin.users.list.query({ limit: 1 })).items).toHaveLength(1);
});

test('privacy.deactivateAccount and privacy.deleteAccount refuse the last active admin with CONFLICT / LAST_ADMIN and change nothing; with another admin they work', async () => {
  await keepOnlyAdmins(admin.session.user.id);
  const adminId = admin.session.user.id;
  await expectReason(
    admin.client.trpc.privacy.deactivateAccount.mutate({ password: admin.password }),
    'CONFLICT',
    'LAST_ADMIN',
  );
  await expectReason(
    admin.client.trpc.privacy.deleteAccount.mutate({ password: admin.password }),
    'CONFLICT',
    'LAST_ADMIN',
  );
  // Still here, signed in and in charge.
  expect((await admin.client.trpc.auth.me.query()).role).toBe('admin');
  expect((await listed(adminId, admin.email))?.role).toBe('admin');
  expect((await server.client().trpc.profile.get.query({ userId: adminId })).userId).toBe(adminId);

  const leaving = await newAdmin();
  await leaving.client.trpc.privacy.deleteAccount.mutate({ password: leaving.password });
  expect(await listed(leaving.session.user.id, leaving.email)).toBeUndefined();
  const resting = await newAdmin();
  await resting.client.trpc.privacy.deactivateAccount.mutate({ password: resting.password });
  await expectReason(
    server.client().trpc.profile.get.query({ userId: resting.session.user.id }),
    'NOT_FOUND',
    'NOT_FOUND',
  );
  // A deactivated admin is not in charge: the shared admin is the last one again.
  await expectReason(
    admin.client.trpc.privacy.deactivateAccount.mutate({ password: admin.password }),
    'CONFLICT',
    'LAST_ADMIN',
  );
});

test('admin.users.setRole from two admins demoting each other at the same moment leaves exactly one admin', async () => {
  const refusalReasons: string[] = [];
  for (let round = 0; round < 5; round++) {
    await restoreSharedAdmin(); // the previous round left only one of its two admins
    const a = await newAdmin();
    const b = await newAdmin();
    await keepOnlyAdmins(a.session.user.id, b.session.user.id);
    const results = await Promise.allSettled([
      a.client.trpc.admin.users.setRole.mutate({ userId: b.session.user.id, role: 'user' }),
      b.client.trpc.admin.users.setRole.mutate({ userId: a.session.user.id, role: 'user' }),
    ]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const refusals = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as AppClientError] : [],
    );
    expect(fulfilled).toHaveLength(1);
    expect(refusals).toHaveLength(1);
    const { code, reason } = refusals[0]!.data ?? {};
    // LAST_ADMIN when both requests were in flight together; a request that reaches the server only
    // after the other's demotion carries a stale role and is UNAUTHENTICATED instead (API.md §3).
    expect([
      { code: 'CONFLICT', reason: 'LAST_ADMIN' },
      { code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' },
    ]).toContainEqual({ code, reason });
    refusalReasons.push(reason ?? '');
    const roles = [await roleInDatabase(a.session.user.id), await roleInDatabase(b.session.user.id)];
    expect(roles.sort()).toEqual(['admin', 'user']);
  }
  // The truly simultaneous case was exercised: the one-statement check refused the second demotion.
  expect(refusalReasons).toContain('LAST_ADMIN');
});

test('admin.users.setRole, setDisabled and revokeSessions answer NOT_FOUND for an unknown user, and setRole BAD_REQUEST for an unknown role', async () => {
  const users = admin.client.trpc.admin.users;
  const unknown = 'u_doesnotexist0000000000';
  await expectReason(users.setRole.mutate({ userId: unknown, role: 'admin' }), 'NOT_FOUND', 'NOT_FOUND');
  await expectReason(users.setDisabled.mutate({ userId: unknown, disabled: true }), 'NOT_FOUND', 'NOT_FOUND');
  await expectReason(users.revokeSessions.mutate({ userId: unknown }), 'NOT_FOUND', 'NOT_FOUND');

  for (const role of ['owner', 'ADMIN', '']) {
    const error = await expectReason(
      users.setRole.mutate({ userId: member.session.user.id, role: role as Role }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.role?.length).toBeGreaterThan(0);
  }
  expect(await roleInDatabase(member.session.user.id)).toBe('user');
});

test('admin.users.setDisabled ends every session of the user at once and keeps them out: profile NOT_FOUND, login ACCOUNT_DISABLED', async () => {
  const person = await newMember({ name: 'Dora Disabled' });
  const userId = person.session.user.id;
  const laptop = person.client;
  const phone = await signIn(server, person.email, person.password);
  expect((await server.client().trpc.profile.get.query({ userId })).name).toBe('Dora Disabled');

  expect(await admin.client.trpc.admin.users.setDisabled.mutate({ userId, disabled: true })).toEqual({ status: 'ok' });

  for (const device of [laptop, phone]) {
    await expectSignedOut(device.trpc.auth.me.query());
    await expectSignedOut(device.trpc.auth.refresh.mutate());
  }
  await expectReason(server.client().trpc.profile.get.query({ userId }), 'NOT_FOUND', 'NOT_FOUND');
  await expectReason(
    server.client().trpc.auth.login.mutate({ email: person.email, password: person.password }),
    'FORBIDDEN',
    'ACCOUNT_DISABLED',
  );
  await expectReason(
    server.client().trpc.auth.login.mutate({ email: person.email, password: strongPassword() }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
  expect((await listed(userId, person.email))?.disabled).toBe(true);

  const rows = (await securityEventRows(server, userId)).filter((row) => row.type === 'account.disabled');
  expect(rows.map((row) => row.actorId)).toEqual([admin.session.user.id]);
});

test('admin.users.setDisabled false lets the user sign in again, without reviving the sessions it ended; both recorded with the actor', async () => {
  const person = await newMember({ name: 'Reggie Returning' });
  const userId = person.session.user.id;
  const oldDevice = person.client.fork();
  expect(oldDevice.refreshToken()).toBeTruthy();

  await admin.client.trpc.admin.users.setDisabled.mutate({ userId, disabled: true });
  expect(await admin.client.trpc.admin.users.setDisabled.mutate({ userId, disabled: false })).toEqual({ status: 'ok' });

  await expectSignedOut(oldDevice.trpc.auth.me.query());
  await expectSignedOut(oldDevice.trpc.auth.refresh.mutate());
  const back = await signIn(server, person.email, person.password);
  expect((await back.trpc.auth.me.query()).id).toBe(userId);
  expect((await server.client().trpc.profile.get.query({ userId })).name).toBe('Reggie Returning');
  expect((await listed(userId, person.email))?.disabled).toBe(false);

  const rows = (await securityEventRows(server, userId)).filter((row) => row.type.startsWith('account.'));
  expect(
    rows
      .filter((row) => row.type === 'account.disabled' || row.type === 'account.enabled')
      .map((row) => [row.type, row.actorId]),
  ).toEqual([
    ['account.disabled', admin.session.user.id],
    ['account.enabled', admin.session.user.id],
  ]);
  const own = await back.trpc.auth.securityEvents.query({ limit: 100 });
  expect(own.items.map((event) => event.type)).toEqual(expect.arrayContaining(['account.disabled', 'account.enabled']));
});

test('admin.users.setDisabled on an admin who is not the last ends their admin access at once', async () => {
  const other = await newAdmin();
  await admin.client.trpc.admin.users.setDisabled.mutate({ userId: other.session.user.id, disabled: true });
  await expectSignedOut(other.client.trpc.admin.users.list.query({}));
  await expectSignedOut(other.client.trpc.auth.refresh.mutate());
  await expectReason(
    server.client().trpc.auth.login.mutate({ email: other.email, password: other.password }),
    'FORBIDDEN',
    'ACCOUNT_DISABLED',
  );
});

test('admin.users.revokeSessions signs the user out everywhere at once, recorded with the acting admin', async () => {
  const person = await newMember();
  const userId = person.session.user.id;
  const phone = await signIn(server, person.email, person.password);

  expect(await admin.client.trpc.admin.users.revokeSessions.mutate({ userId })).toEqual({ status: 'ok' });

  for (const device of [person.client, phone]) {
    await expectSignedOut(device.trpc.auth.me.query());
    await expectSignedOut(device.trpc.auth.refresh.mutate());
  }
  // The account itself is fine: the owner signs in again.
  const back = await signIn(server, person.email, person.password);
  const sessions = await back.trpc.auth.sessions.list.query();
  expect(sessions.map((session) => session.current)).toEqual([true]);

  const rows = (await securityEventRows(server, userId)).filter((row) => row.type === 'sessions.revoked_by_admin');
  expect(rows.map((row) => row.actorId)).toEqual([admin.session.user.id]);
  const own = await back.trpc.auth.securityEvents.query({ limit: 100 });
  expect(own.items.map((event) => event.type)).toContain('sessions.revoked_by_admin');
  // The admin's own sessions were left alone.
  expect((await admin.client.trpc.auth.me.query()).id).toBe(admin.session.user.id);
});
