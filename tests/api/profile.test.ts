import { afterAll, beforeAll, expect, test } from 'vitest';
import { rawTrpc, signUpAndVerify, startTestServer, trpcError, type SignedUp, type TestServer } from '#tests/helpers/test-server.ts';

let server: TestServer;
let member: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  member = await signUpAndVerify(server, { name: 'Ada Lovelace' });
});
afterAll(async () => {
  await server?.close();
});

test('profile.get shows anyone a public profile: id, name, no avatar, join date, not contactable, no flyers', async () => {
  const anonymous = server.client({ origin: null });
  const profile = await anonymous.trpc.profile.get.query({ userId: member.session.user.id });
  expect(profile).toEqual({
    userId: member.session.user.id,
    name: 'Ada Lovelace',
    avatarUrl: null,
    joinedAt: member.session.user.createdAt,
    canBeContacted: false,
    flyers: [],
  });
  expect(profile.joinedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('profile.get never reveals the email address, role or settings', async () => {
  const response = await rawTrpc(server, { path: 'profile.get', method: 'GET', input: { userId: member.session.user.id } });
  expect(response.status).toBe(200);
  expect(response.text).not.toContain(member.email);
  expect(response.text.toLowerCase()).not.toContain(member.email.split('@')[0]!.toLowerCase());
  expect(response.text).not.toMatch(/"(email|role|emailVerified|privacy|preferences|theme|locale)"/);
});

test('profile.get of a member who gave no name shows an empty name', async () => {
  const nameless = await signUpAndVerify(server);
  const profile = await server.client().trpc.profile.get.query({ userId: nameless.session.user.id });
  expect(profile.name).toBe('');
});

test('profile.get answers NOT_FOUND for an unknown id', async () => {
  const error = await trpcError(server.client().trpc.profile.get.query({ userId: 'AAAAAAAAAAAAAAAAAAAAAA' }));
  expect(error.data?.code).toBe('NOT_FOUND');
  expect(error.data?.httpStatus).toBe(404);
  expect(error.data?.reason).toBe('NOT_FOUND');
});
