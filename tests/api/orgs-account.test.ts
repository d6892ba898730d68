import { afterAll, beforeAll, expect, test } from 'vitest';
import { OK } from '#shared/schemas/common.ts';
import { runHousekeeping } from '#server/housekeeping.ts';
import { signUpAdmin } from '#tests/helpers/admin.ts';
import { inviteToOrg, joinOrg } from '#tests/helpers/orgs.ts';
import {
  expectReason,
  logCollector,
  signUpAndVerify,
  startTestServer,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §14: the last owner cannot delete their account while the organization has other members
// (LAST_OWNER); an organization whose only member deletes their account is deleted. The data export
// and the admin console show a member's organizations.

const DAY = 24 * 60 * 60;
let server: TestServer;
const log = logCollector();

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'info' }, { logStream: log.stream });
});
afterAll(async () => {
  await server?.close();
});

let counter = 0;
const slug = () => `acct-${Date.now().toString(36)}-${counter++}`;
const errorOf = async (call: Promise<unknown>) => {
  const error = await trpcError(call);
  return { code: error.data?.code, reason: error.data?.reason, message: error.message };
};
const deleteAccount = (account: SignedUp) =>
  account.client.trpc.privacy.deleteAccount.mutate({ password: account.password });
const sql = (statement: string, params: unknown[] = []) =>
  server.app.deps.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(statement, params);
const userExists = async (userId: string) => (await sql('select id from users where id = ?', [userId])).length === 1;
const orgExists = async (orgId: string) =>
  (await sql('select id from organizations where id = ?', [orgId])).length === 1;

test('privacy.deleteAccount by the last owner of an organization with other members is LAST_OWNER and erases nothing', async () => {
  const [owner, member] = await Promise.all([
    signUpAndVerify(server, { name: 'Olive Owner' }),
    signUpAndVerify(server, { name: 'Max Member' }),
  ]);
  const solo = await owner.client.trpc.orgs.create.mutate({ name: 'Olive alone', slug: slug() });
  const team = await owner.client.trpc.orgs.create.mutate({ name: 'Olive and Max', slug: slug() });
  await joinOrg(server, owner, team, member, 'member');

  const refused = await errorOf(deleteAccount(owner));
  expect(refused).toMatchObject({ code: 'CONFLICT', reason: 'LAST_OWNER' });
  // The member is told which organization to hand over.
  expect(refused.message).toContain('Olive and Max');

  // The account works and both organizations are as they were, the solo one included.
  expect((await owner.client.trpc.auth.me.query()).id).toBe(owner.session.user.id);
  expect(await owner.client.trpc.orgs.mine.query()).toEqual([
    { org: solo, role: 'owner' },
    { org: team, role: 'owner' },
  ]);
  const members = await member.client.trpc.orgs.members.list.query({ orgId: team.id });
  expect(members.items.map((item) => [item.name, item.role])).toEqual([
    ['Olive Owner', 'owner'],
    ['Max Member', 'member'],
  ]);
});

test('after another member is made an owner, privacy.deleteAccount succeeds and the organization carries on with them', async () => {
  const [owner, heir] = await Promise.all([
    signUpAndVerify(server, { name: 'Otto Owner' }),
    signUpAndVerify(server, { name: 'Hana Heir' }),
  ]);
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Handed over', slug: slug() });
  await joinOrg(server, owner, org, heir, 'admin');
  await inviteToOrg(server, owner, org, uniqueEmail('pending'));
  await owner.client.trpc.orgs.members.setRole.mutate({ orgId: org.id, userId: heir.session.user.id, role: 'owner' });

  expect(await deleteAccount(owner)).toEqual(OK);
  expect(await userExists(owner.session.user.id)).toBe(false);

  expect(await heir.client.trpc.orgs.get.query({ orgId: org.id })).toEqual({ ...org, role: 'owner' });
  const members = await heir.client.trpc.orgs.members.list.query({ orgId: org.id });
  expect(members.items.map((item) => [item.name, item.role])).toEqual([['Hana Heir', 'owner']]);
  // The gone account reads as gone in the log and on the invitation it sent, never as a failure.
  const events = await heir.client.trpc.orgs.log.query({ orgId: org.id, limit: 100 });
  expect(events.items.find((event) => event.type === 'org.created')).toMatchObject({ actor: null });
  const invitations = await heir.client.trpc.orgs.invitations.list.query({ orgId: org.id });
  expect(invitations.find((invitation) => invitation.status === 'pending')).toMatchObject({ invitedBy: null });
  // And the heir is now the last owner, held to the same rule.
  expect(await errorOf(heir.client.trpc.orgs.leave.mutate({ orgId: org.id }))).toMatchObject({ reason: 'LAST_OWNER' });
});

test('privacy.deleteAccount by an organization’s only member deletes the organization: its invitations die and its slug is free', async () => {
  const [owner, later] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Just me', slug: slug() });
  const invitation = await inviteToOrg(server, owner, org, uniqueEmail('never'));
  expect(await server.client().trpc.auth.invitationDetails.query({ token: invitation.token })).toBeTruthy();

  expect(await deleteAccount(owner)).toEqual(OK);

  expect(await orgExists(org.id)).toBe(false);
  await expectReason(
    server.client().trpc.auth.invitationDetails.query({ token: invitation.token }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
  const again = await later.client.trpc.orgs.create.mutate({ name: 'Just me again', slug: org.slug });
  expect(again).toMatchObject({ slug: org.slug, name: 'Just me again' });
  expect(again.id).not.toBe(org.id);
});

test('privacy.deleteAccount by a member who is not an owner takes them off the members list', async () => {
  const [owner, member] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server, { name: 'Gone Soon' })]);
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Stays', slug: slug() });
  await joinOrg(server, owner, org, member, 'admin');

  expect(await deleteAccount(member)).toEqual(OK);

  const members = await owner.client.trpc.orgs.members.list.query({ orgId: org.id });
  expect(members.items.map((item) => item.userId)).toEqual([owner.session.user.id]);
});

test('privacy.deleteAccount racing the other owner stepping down: exactly one of them goes through, the organization always keeps an owner', async () => {
  for (let round = 0; round < 3; round++) {
    const [leaving, other] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
    const org = await leaving.client.trpc.orgs.create.mutate({ name: `Race ${round}`, slug: slug() });
    await joinOrg(server, leaving, org, other, 'owner');

    const [deleted, demoted] = await Promise.allSettled([
      deleteAccount(leaving),
      other.client.trpc.orgs.members.setRole.mutate({ orgId: org.id, userId: other.session.user.id, role: 'member' }),
    ]);
    expect([deleted.status, demoted.status].sort()).toEqual(['fulfilled', 'rejected']);
    const refused = deleted.status === 'rejected' ? deleted.reason : demoted.status === 'rejected' && demoted.reason;
    expect(refused).toMatchObject({ data: { reason: 'LAST_OWNER' } });

    const owners = await sql(`select user_id from memberships where org_id = ? and role = 'owner'`, [org.id]);
    expect(owners).toHaveLength(1);
    expect(await userExists(leaving.session.user.id)).toBe(deleted.status === 'rejected');
  }
});

test('privacy.exportData lists the caller’s organizations: id, name, slug, role and joining time', async () => {
  const [member, owner] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
  const before = Date.now();
  const own = await member.client.trpc.orgs.create.mutate({ name: 'My own', slug: slug() });
  const theirs = await owner.client.trpc.orgs.create.mutate({ name: 'Their team', slug: slug() });
  await joinOrg(server, owner, theirs, member, 'admin');

  const data = await member.client.trpc.privacy.exportData.query();
  expect(data.memberships).toEqual([
    { org: { id: own.id, name: 'My own', slug: own.slug }, role: 'owner', joinedAt: expect.any(String) },
    { org: { id: theirs.id, name: 'Their team', slug: theirs.slug }, role: 'admin', joinedAt: expect.any(String) },
  ]);
  for (const { joinedAt } of data.memberships) {
    expect(new Date(joinedAt).toISOString()).toBe(joinedAt);
    expect(new Date(joinedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
  }
  expect((await owner.client.trpc.privacy.exportData.query()).memberships).toEqual([
    expect.objectContaining({ org: expect.objectContaining({ id: theirs.id }), role: 'owner' }),
  ]);
});

test('admin.users.orgs shows an admin a user’s organizations; empty for none, NOT_FOUND for no such user, FORBIDDEN to others', async () => {
  const [admin, member, loner] = await Promise.all([
    signUpAdmin(server),
    signUpAndVerify(server),
    signUpAndVerify(server),
  ]);
  const org = await member.client.trpc.orgs.create.mutate({ name: 'Seen by admins', slug: slug() });

  expect(await admin.client.trpc.admin.users.orgs.query({ userId: member.session.user.id })).toEqual([
    { org: { id: org.id, name: 'Seen by admins', slug: org.slug }, role: 'owner', joinedAt: expect.any(String) },
  ]);
  expect(await admin.client.trpc.admin.users.orgs.query({ userId: loner.session.user.id })).toEqual([]);
  await expectReason(
    admin.client.trpc.admin.users.orgs.query({ userId: 'no-such-user-000000' }),
    'NOT_FOUND',
    'NOT_FOUND',
  );
  // A member, even a member of that organization, cannot read it through the admin console.
  await expectReason(
    member.client.trpc.admin.users.orgs.query({ userId: member.session.user.id }),
    'FORBIDDEN',
    'FORBIDDEN',
  );
});

test('housekeeping keeps a deactivated last owner of an organization with others, logs it and erases the rest; once alone, it goes with its organization', async () => {
  const [stuck, member, soloOwner] = await Promise.all([
    signUpAndVerify(server, { name: 'Stuck Owner' }),
    signUpAndVerify(server),
    signUpAndVerify(server),
  ]);
  const team = await stuck.client.trpc.orgs.create.mutate({ name: 'Private Team Name', slug: slug() });
  await joinOrg(server, stuck, team, member, 'member');
  const solo = await soloOwner.client.trpc.orgs.create.mutate({ name: 'Solo', slug: slug() });
  // The stuck account is the oldest: the others must not wait behind it.
  for (const account of [stuck, soloOwner]) {
    await account.client.trpc.privacy.deactivateAccount.mutate({ password: account.password });
  }

  server.shiftClock(31 * DAY);
  try {
    await runHousekeeping(server.app.deps);
  } finally {
    server.shiftClock(0);
  }
  expect(await userExists(stuck.session.user.id)).toBe(true);
  expect(await orgExists(team.id)).toBe(true);
  expect(await userExists(soloOwner.session.user.id)).toBe(false);
  expect(await orgExists(solo.id)).toBe(false);
  const warning = log.lines().find((line) => line.userId === stuck.session.user.id && line.level === 40);
  expect(warning).toMatchObject({
    reason: 'LAST_OWNER',
    msg: 'a deactivated account is the last owner of an organization with other members; it is kept until that changes',
  });
  expect(JSON.stringify(warning)).not.toContain('Private Team Name');

  // The other member leaves: the owner is alone, and the next pass erases both.
  await member.client.trpc.orgs.leave.mutate({ orgId: team.id });
  server.shiftClock(31 * DAY);
  try {
    await runHousekeeping(server.app.deps);
  } finally {
    server.shiftClock(0);
  }
  expect(await userExists(stuck.session.user.id)).toBe(false);
  expect(await orgExists(team.id)).toBe(false);
  expect(await member.client.trpc.orgs.mine.query()).toEqual([]);
});
