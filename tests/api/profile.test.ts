import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

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
  const response = await rawTrpc(server, {
    path: 'profile.get',
    method: 'GET',
    input: { userId: member.session.user.id },
  });
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

test('profile.get needs no token, and a bad token does not stop it', async () => {
  const response = await rawTrpc(server, {
    path: 'profile.get',
    method: 'GET',
    input: { userId: member.session.user.id },
  });
  expect(response.status).toBe(200);
  expect(response.json.result.data.userId).toBe(member.session.user.id);
  const withBadToken = await server
    .client({ bearer: 'not-a-token' })
    .trpc.profile.get.query({ userId: member.session.user.id });
  expect(withBadToken.userId).toBe(member.session.user.id);
});

test('profile.get of a member who set every setting still shows only the public fields', async () => {
  const open = await signUpAndVerify(server, { name: 'Open Book' });
  await open.client.trpc.privacy.update.mutate({ allowEmailContact: true });
  await open.client.trpc.preferences.update.mutate({
    theme: 'dark',
    locale: 'fr-CA',
    timeZone: 'Pacific/Chatham',
    emailNotifications: { securityAlerts: false, productUpdates: true },
  });
  const flyer = await open.client.trpc.flyers.create.mutate({ title: 'Reading club', body: 'Thursdays.' });
  await open.client.trpc.flyers.publish.mutate({ id: flyer.id });

  const response = await rawTrpc(server, {
    path: 'profile.get',
    method: 'GET',
    input: { userId: open.session.user.id },
  });
  expect(response.status).toBe(200);
  const profile = response.json.result.data;
  expect(Object.keys(profile).sort()).toEqual(['avatarUrl', 'canBeContacted', 'flyers', 'joinedAt', 'name', 'userId']);
  expect(profile.canBeContacted).toBe(true);
  expect(profile.flyers.map((shown: { id: string }) => shown.id)).toEqual([flyer.id]);
  expect(response.text).not.toContain(open.email);
  expect(response.text.toLowerCase()).not.toContain(open.email.split('@')[0]!.toLowerCase());
  expect(response.text).not.toMatch(
    /"(email|role|emailVerified|allowEmailContact|privacy|preferences|theme|locale|timeZone|emailNotifications|securityAlerts|productUpdates|mfaEnabled|disabled)"/,
  );
  for (const setting of ['fr-CA', 'Pacific/Chatham', '"dark"', '"user"']) expect(response.text).not.toContain(setting);
});

test("profile.get lists a member's published flyers newest first and never their drafts", async () => {
  const writer = await signUpAndVerify(server);
  const older = await writer.client.trpc.flyers.create.mutate({ title: 'Older', body: 'Published first' });
  const newer = await writer.client.trpc.flyers.create.mutate({ title: 'Newer', body: 'Published second' });
  const draft = await writer.client.trpc.flyers.create.mutate({ title: 'Draft', body: 'Not yet' });
  await writer.client.trpc.flyers.publish.mutate({ id: older.id });
  server.shiftClock(30);
  try {
    await writer.client.trpc.flyers.publish.mutate({ id: newer.id });
  } finally {
    server.shiftClock(0);
  }
  const profile = await server.client().trpc.profile.get.query({ userId: writer.session.user.id });
  expect(profile.flyers.map((shown) => shown.title)).toEqual(['Newer', 'Older']);
  expect(profile.flyers.map((shown) => shown.id)).not.toContain(draft.id);
});
