import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

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
    stranger.client.trpc.orgs.members.list.query({ orgId: org.id }),
    stranger.client.trpc.orgs.update.mutate({ orgId: org.id, name: 'Mine now' }),
    stranger.client.trpc.orgs.leave.mutate({ orgId: org.id }),
  ]) {
    expect(await errorOf(call)).toMatchObject({ code: 'NOT_FOUND' });
  }
  expect((await owner.client.trpc.orgs.get.query({ orgId: org.id })).name).toBe('Private');
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
