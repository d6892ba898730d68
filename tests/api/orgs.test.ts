import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';
import { joinOrg } from '#tests/helpers/orgs.ts';

let server: TestServer;
let owner: SignedUp;
let other: SignedUp;
let stranger: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  [owner, other, stranger] = await Promise.all([
    signUpAndVerify(server, { name: 'Olga Owner' }),
    signUpAndVerify(server, { name: 'Otto Other' }),
    signUpAndVerify(server, { name: 'Sid Stranger' }),
  ]);
});
afterAll(async () => {
  await server?.close();
});

let counter = 0;
const errorOf = async (call: Promise<unknown>) => {
  const error = await trpcError(call);
  return { code: error.data?.code, reason: error.data?.reason, message: error.message };
};
const slug = () => `team-${Date.now().toString(36)}-${counter++}`;

test('orgs.create makes the caller its owner; orgs.mine and orgs.get answer it; a taken slug is SLUG_TAKEN', async () => {
  const org = await owner.client.trpc.orgs.create.mutate({ name: '  Acme Mail  ', slug: slug() });
  expect(org).toMatchObject({ name: 'Acme Mail', slug: expect.stringMatching(/^team-/) });
  expect(await owner.client.trpc.orgs.mine.query()).toContainEqual({ org, role: 'owner' });
  expect(await owner.client.trpc.orgs.get.query({ orgId: org.id })).toEqual({ ...org, role: 'owner' });
  const taken = await errorOf(other.client.trpc.orgs.create.mutate({ name: 'Copy', slug: org.slug }));
  expect(taken).toMatchObject({ code: 'CONFLICT', reason: 'SLUG_TAKEN' });
  expect(await other.client.trpc.orgs.mine.query()).toEqual([]);
});

test('a non-member gets NOT_FOUND exactly as for an organization that does not exist', async () => {
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Private', slug: slug() });
  const theirs = await errorOf(stranger.client.trpc.orgs.get.query({ orgId: org.id }));
  const none = await errorOf(stranger.client.trpc.orgs.get.query({ orgId: 'no-such-org-id-000' }));
  expect(theirs).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
  expect(none.message).toBe(theirs.message);
  for (const call of [
    () => stranger.client.trpc.orgs.members.list.query({ orgId: org.id }),
    () => stranger.client.trpc.orgs.update.mutate({ orgId: org.id, name: 'Mine now' }),
    () => stranger.client.trpc.orgs.leave.mutate({ orgId: org.id }),
  ]) {
    expect(await errorOf(call())).toMatchObject({ code: 'NOT_FOUND' });
  }
  expect((await owner.client.trpc.orgs.get.query({ orgId: org.id })).name).toBe('Private');
});

test('membership checks arriving together are each answered by their own membership', async () => {
  const [ours, theirs] = await Promise.all([
    owner.client.trpc.orgs.create.mutate({ name: 'Ours', slug: slug() }),
    stranger.client.trpc.orgs.create.mutate({ name: 'Theirs', slug: slug() }),
  ]);
  await joinOrg(server, owner, ours, other, 'admin');
  // All at once, so that the server reads the memberships of one turn of its event loop together.
  const calls = [
    [owner, ours, 'owner'],
    [other, ours, 'admin'],
    [stranger, ours, null],
    [owner, theirs, null],
    [other, theirs, null],
    [stranger, theirs, 'owner'],
  ] as const;
  const answers = await Promise.all(
    calls.flatMap(([who, org]) =>
      Array.from({ length: 3 }, () =>
        who.client.trpc.orgs.get.query({ orgId: org.id }).then(
          (got) => got.role,
          async (error: unknown) => (await errorOf(Promise.reject(error))).code,
        ),
      ),
    ),
  );
  expect(answers).toEqual(calls.flatMap(([, , role]) => Array.from({ length: 3 }, () => role ?? 'NOT_FOUND')));
});

test('the last owner cannot leave: LAST_OWNER', async () => {
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Solo', slug: slug() });
  expect(await errorOf(owner.client.trpc.orgs.leave.mutate({ orgId: org.id }))).toMatchObject({
    code: 'CONFLICT',
    reason: 'LAST_OWNER',
  });
  const members = await owner.client.trpc.orgs.members.list.query({ orgId: org.id });
  expect(members.items).toEqual([
    expect.objectContaining({ userId: owner.session.user.id, role: 'owner', name: 'Olga Owner' }),
  ]);
});

test('two owners demoting each other at once leave one owner', async () => {
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Duel', slug: slug() });
  await joinOrg(server, owner, org, other, 'owner');
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.allSettled([
      owner.client.trpc.orgs.members.setRole.mutate({ orgId: org.id, userId: other.session.user.id, role: 'member' }),
      other.client.trpc.orgs.members.setRole.mutate({ orgId: org.id, userId: owner.session.user.id, role: 'member' }),
    ]);
    const list = await owner.client.trpc.orgs.members.list.query({ orgId: org.id });
    const owners = list.items.filter((member) => member.role === 'owner');
    expect(owners).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 'rejected')).toHaveLength(1);
    const failed = answers.find((answer) => answer.status === 'rejected') as PromiseRejectedResult;
    expect((failed.reason as { data?: { reason?: string } }).data?.reason).toBe('LAST_OWNER');
    // Make both owners again for the next round.
    const [reader, demoted] = owners[0]!.userId === owner.session.user.id ? [owner, other] : [other, owner];
    await reader.client.trpc.orgs.members.setRole.mutate({
      orgId: org.id,
      userId: demoted.session.user.id,
      role: 'owner',
    });
  }
});

test('only owners make or unmake owners; an admin cannot act on an owner', async () => {
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Ranks', slug: slug() });
  await joinOrg(server, owner, org, other, 'admin');
  await joinOrg(server, owner, org, stranger, 'member');
  const admins = other.client.trpc.orgs.members;
  for (const call of [
    () => admins.setRole.mutate({ orgId: org.id, userId: stranger.session.user.id, role: 'owner' }),
    () => admins.setRole.mutate({ orgId: org.id, userId: owner.session.user.id, role: 'member' }),
    () => admins.remove.mutate({ orgId: org.id, userId: owner.session.user.id }),
  ]) {
    expect(await errorOf(call())).toMatchObject({ code: 'FORBIDDEN' });
  }
  await admins.setRole.mutate({ orgId: org.id, userId: stranger.session.user.id, role: 'admin' });
  const roles = (await owner.client.trpc.orgs.members.list.query({ orgId: org.id })).items.map((m) => m.role);
  expect(roles.sort()).toEqual(['admin', 'admin', 'owner']);
});

test('a removal acts on the very next request, and a role change too', async () => {
  const org = await owner.client.trpc.orgs.create.mutate({ name: 'Revolving', slug: slug() });
  await joinOrg(server, owner, org, other, 'admin');
  expect(await other.client.trpc.orgs.log.query({ orgId: org.id })).toMatchObject({ items: expect.any(Array) });
  await owner.client.trpc.orgs.members.setRole.mutate({ orgId: org.id, userId: other.session.user.id, role: 'member' });
  expect(await errorOf(other.client.trpc.orgs.log.query({ orgId: org.id }))).toMatchObject({ code: 'FORBIDDEN' });
  await owner.client.trpc.orgs.members.remove.mutate({ orgId: org.id, userId: other.session.user.id });
  expect(await errorOf(other.client.trpc.orgs.get.query({ orgId: org.id }))).toMatchObject({ code: 'NOT_FOUND' });
  expect(await other.client.trpc.orgs.mine.query()).not.toContainEqual(expect.objectContaining({ org }));
  const log = await owner.client.trpc.orgs.log.query({ orgId: org.id, limit: 2 });
  expect(log.items.map((event) => [event.type, event.subject?.name])).toEqual([
    ['member.removed', 'Otto Other'],
    ['member.role_changed', 'Otto Other'],
  ]);
});

test("another organization's members cannot be acted on through one's own", async () => {
  const theirs = await owner.client.trpc.orgs.create.mutate({ name: 'Theirs', slug: slug() });
  await joinOrg(server, owner, theirs, other, 'member');
  const mine = await stranger.client.trpc.orgs.create.mutate({ name: 'Mine', slug: slug() });
  const strangers = stranger.client.trpc.orgs.members;
  for (const call of [
    () => strangers.setRole.mutate({ orgId: mine.id, userId: other.session.user.id, role: 'admin' }),
    () => strangers.remove.mutate({ orgId: mine.id, userId: other.session.user.id }),
  ]) {
    expect(await errorOf(call())).toMatchObject({ code: 'NOT_FOUND' });
  }
  const members = await owner.client.trpc.orgs.members.list.query({ orgId: theirs.id });
  expect(members.items).toContainEqual(expect.objectContaining({ userId: other.session.user.id, role: 'member' }));
  expect((await strangers.list.query({ orgId: mine.id })).items).toHaveLength(1);
});
