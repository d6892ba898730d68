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
  member = await signUpAndVerify(server, { name: 'Before' });
});
afterAll(async () => {
  await server?.close();
});

const publicName = async (userId: string) => (await server.client().trpc.profile.get.query({ userId })).name;

test('profile.update returns the public profile with the new name, and profile.get and auth.me follow', async () => {
  const profile = await member.client.trpc.profile.update.mutate({ name: 'Katherine Johnson' });
  expect(profile).toEqual({
    userId: member.session.user.id,
    name: 'Katherine Johnson',
    avatarUrl: null,
    joinedAt: member.session.user.createdAt,
    canBeContacted: false,
    flyers: [],
  });
  expect(await publicName(member.session.user.id)).toBe('Katherine Johnson');
  expect((await member.client.trpc.auth.me.query()).profile.name).toBe('Katherine Johnson');
});

test('profile.update never puts the email address or role into its answer', async () => {
  const response = await rawTrpc(server, {
    path: 'profile.update',
    headers: { Authorization: `Bearer ${member.session.accessToken}` },
    input: { name: 'Dorothy Vaughan' },
  });
  expect(response.status).toBe(200);
  expect(response.text).not.toContain(member.email);
  expect(response.text).not.toMatch(/"(email|role|allowEmailContact|theme|locale|timeZone)"/);
});

test('profile.update trims the name', async () => {
  const profile = await member.client.trpc.profile.update.mutate({ name: ' \u00a0 Mary Jackson \u3000 ' });
  expect(profile.name).toBe('Mary Jackson');
  expect(await publicName(member.session.user.id)).toBe('Mary Jackson');
});

test('profile.update stores the name in Unicode NFC', async () => {
  // "Zoë Šimić" with combining marks (NFD) becomes the precomposed letters.
  const decomposed = 'Zoe\u0308 S\u030cimic\u0301';
  expect(decomposed).not.toBe(decomposed.normalize('NFC'));
  const profile = await member.client.trpc.profile.update.mutate({ name: decomposed });
  expect(profile.name).toBe('Zo\u00eb \u0160imi\u0107');
  expect(await publicName(member.session.user.id)).toBe('Zo\u00eb \u0160imi\u0107');
});

test('profile.update accepts a name of 60 code points, even when they are 120 UTF-16 units', async () => {
  const name = '\u{1F98A}'.repeat(60);
  expect(name.length).toBe(120);
  expect((await member.client.trpc.profile.update.mutate({ name })).name).toBe(name);
  expect(await publicName(member.session.user.id)).toBe(name);
});

test('profile.update refuses a name of 61 code points with fieldErrors.name and keeps the old name', async () => {
  await member.client.trpc.profile.update.mutate({ name: 'Kept Name' });
  for (const name of ['\u{1F98A}'.repeat(61), 'x'.repeat(61)]) {
    const error = await trpcError(member.client.trpc.profile.update.mutate({ name }));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.reason).toBe('INVALID_INPUT');
    expect(error.data?.fieldErrors?.name?.length).toBeGreaterThan(0);
  }
  expect(await publicName(member.session.user.id)).toBe('Kept Name');
});

test('profile.update counts the limit after trimming: 60 code points inside spaces are accepted', async () => {
  const name = 'y'.repeat(60);
  expect((await member.client.trpc.profile.update.mutate({ name: `   ${name}   ` })).name).toBe(name);
});

test.each([
  ['a line break', 'Ann\nLee'],
  ['a tab', 'Ann\tLee'],
  ['a NUL character', 'Ann\u0000Lee'],
  ['a carriage return', 'Ann\rLee'],
  ['a C1 control character', 'Ann\u0085Lee'],
  ['a right-to-left override', 'Ann\u202ELee'],
  ['a left-to-right embedding', '\u202AAnn Lee'],
  ['a right-to-left isolate', 'Ann \u2067Lee'],
])('profile.update refuses a name with %s with BAD_REQUEST and fieldErrors.name', async (_what, name) => {
  await member.client.trpc.profile.update.mutate({ name: 'Clean Name' });
  const response = await rawTrpc(server, {
    path: 'profile.update',
    headers: { Authorization: `Bearer ${member.session.accessToken}` },
    input: { name },
  });
  expect(response.status).toBe(400);
  expect(response.json.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
  expect(response.json.error.data.fieldErrors.name).toEqual(expect.arrayContaining([expect.stringMatching(/\w{3}/)]));
  expect(await publicName(member.session.user.id)).toBe('Clean Name');
});

test('profile.update stores markup in a name literally and returns it unchanged', async () => {
  const name = '<img src=x onerror=alert(1)>';
  expect((await member.client.trpc.profile.update.mutate({ name })).name).toBe(name);
  const response = await rawTrpc(server, {
    path: 'profile.get',
    method: 'GET',
    input: { userId: member.session.user.id },
  });
  expect(response.json.result.data.name).toBe(name);
  expect((await member.client.trpc.auth.me.query()).profile.name).toBe(name);
});

test('profile.update accepts an empty name, which clears it', async () => {
  await member.client.trpc.profile.update.mutate({ name: 'Someone' });
  expect((await member.client.trpc.profile.update.mutate({ name: '   ' })).name).toBe('');
  expect(await publicName(member.session.user.id)).toBe('');
});

test('profile.update refuses a missing or non-string name with fieldErrors.name', async () => {
  for (const input of [{}, { name: 42 }, { name: null }, { name: ['Ann'] }]) {
    const response = await rawTrpc(server, {
      path: 'profile.update',
      headers: { Authorization: `Bearer ${member.session.accessToken}` },
      input,
    });
    expect({ input, status: response.status, reason: response.json?.error?.data?.reason }).toEqual({
      input,
      status: 400,
      reason: 'INVALID_INPUT',
    });
    expect(response.json.error.data.fieldErrors.name).toBeDefined();
  }
});

test('profile.update refuses a request without a token with UNAUTHORIZED and changes nothing', async () => {
  await member.client.trpc.profile.update.mutate({ name: 'Owner Name' });
  const error = await trpcError(server.client().trpc.profile.update.mutate({ name: 'Intruder' }));
  expect(error.data?.code).toBe('UNAUTHORIZED');
  expect(error.data?.httpStatus).toBe(401);
  expect(error.data?.reason).toBe('UNAUTHENTICATED');
  const forged = await trpcError(
    server
      .client({ bearer: `${member.session.accessToken.slice(0, -4)}AAAA` })
      .trpc.profile.update.mutate({ name: 'Intruder' }),
  );
  expect(forged.data?.code).toBe('UNAUTHORIZED');
  expect(await publicName(member.session.user.id)).toBe('Owner Name');
});

test("profile.update changes only the caller's own profile", async () => {
  const other = await signUpAndVerify(server, { name: 'Other Member' });
  await member.client.trpc.profile.update.mutate({ name: 'Only Mine' });
  expect(await publicName(other.session.user.id)).toBe('Other Member');
  expect(await publicName(member.session.user.id)).toBe('Only Mine');
});

test('profile.update after logout is refused with UNAUTHORIZED', async () => {
  const leaving = await signUpAndVerify(server, { name: 'Leaving' });
  await leaving.client.trpc.auth.logout.mutate();
  const error = await trpcError(leaving.client.trpc.profile.update.mutate({ name: 'Ghost' }));
  expect(error.data?.reason).toBe('UNAUTHENTICATED');
  expect(await publicName(leaving.session.user.id)).toBe('Leaving');
});
