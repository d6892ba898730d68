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
let neighbour: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  [member, neighbour] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
});
afterAll(async () => {
  await server?.close();
});

const DEFAULT_PREFERENCES = {
  theme: 'system',
  emailNotifications: { securityAlerts: true, productUpdates: false },
} as const;

const update = (who: SignedUp, path: 'privacy.update' | 'preferences.update', input: unknown) =>
  rawTrpc(server, { path, headers: { Authorization: `Bearer ${who.session.accessToken}` }, input });

/** A fresh member, for tests that need the defaults untouched. */
const fresh = () => signUpAndVerify(server);

test('privacy.get of a new member does not allow email contact', async () => {
  const newcomer = await fresh();
  expect(await newcomer.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: false });
});

test('privacy.update round-trips allowEmailContact and profile.get shows it as canBeContacted', async () => {
  expect(await member.client.trpc.privacy.update.mutate({ allowEmailContact: true })).toEqual({
    allowEmailContact: true,
  });
  expect(await member.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: true });
  expect((await server.client().trpc.profile.get.query({ userId: member.session.user.id })).canBeContacted).toBe(true);

  expect(await member.client.trpc.privacy.update.mutate({ allowEmailContact: false })).toEqual({
    allowEmailContact: false,
  });
  expect(await member.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: false });
  expect((await server.client().trpc.profile.get.query({ userId: member.session.user.id })).canBeContacted).toBe(false);
});

test('privacy.update with nothing in it changes nothing', async () => {
  await member.client.trpc.privacy.update.mutate({ allowEmailContact: true });
  expect(await member.client.trpc.privacy.update.mutate({})).toEqual({ allowEmailContact: true });
  expect(await member.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: true });
  await member.client.trpc.privacy.update.mutate({ allowEmailContact: false });
});

test('privacy.update refuses a non-boolean with fieldErrors.allowEmailContact, and unknown keys, with BAD_REQUEST', async () => {
  for (const value of ['yes', 1, null]) {
    const response = await update(member, 'privacy.update', { allowEmailContact: value });
    expect({ value, status: response.status, reason: response.json?.error?.data?.reason }).toEqual({
      value,
      status: 400,
      reason: 'INVALID_INPUT',
    });
    expect(response.json.error.data.fieldErrors.allowEmailContact).toBeDefined();
  }
  const unknown = await update(member, 'privacy.update', { allowEmailContact: true, showEmail: true });
  expect(unknown.status).toBe(400);
  expect(unknown.json.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
  expect(await member.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: false });
});

test('preferences.get of a new member answers the defaults: system theme, security alerts on, product updates off', async () => {
  const newcomer = await fresh();
  const preferences = await newcomer.client.trpc.preferences.get.query();
  expect(preferences).toMatchObject(DEFAULT_PREFERENCES);
  expect(Object.keys(preferences).sort()).toEqual(['emailNotifications', 'locale', 'theme', 'timeZone']);
  // Whatever the default locale and time zone are, they are valid ones.
  expect(Intl.getCanonicalLocales(preferences.locale)).toEqual([preferences.locale]);
  expect(() => new Intl.DateTimeFormat('en', { timeZone: preferences.timeZone })).not.toThrow();
});

test('preferences.update round-trips every field', async () => {
  const wanted = {
    theme: 'dark',
    locale: 'fr-CA',
    timeZone: 'America/Montreal',
    emailNotifications: { securityAlerts: false, productUpdates: true },
  } as const;
  expect(await member.client.trpc.preferences.update.mutate(wanted)).toEqual(wanted);
  expect(await member.client.trpc.preferences.get.query()).toEqual(wanted);
});

test('preferences.update of one field keeps every other field', async () => {
  const start = {
    theme: 'light',
    locale: 'de',
    timeZone: 'Europe/Berlin',
    emailNotifications: { securityAlerts: true, productUpdates: false },
  } as const;
  await member.client.trpc.preferences.update.mutate(start);

  expect(await member.client.trpc.preferences.update.mutate({ theme: 'dark' })).toEqual({ ...start, theme: 'dark' });
  expect(await member.client.trpc.preferences.update.mutate({ timeZone: 'Asia/Tokyo' })).toEqual({
    ...start,
    theme: 'dark',
    timeZone: 'Asia/Tokyo',
  });
  // Inside emailNotifications too: setting one flag leaves the other.
  expect(await member.client.trpc.preferences.update.mutate({ emailNotifications: { productUpdates: true } })).toEqual({
    ...start,
    theme: 'dark',
    timeZone: 'Asia/Tokyo',
    emailNotifications: { securityAlerts: true, productUpdates: true },
  });
  expect(await member.client.trpc.preferences.update.mutate({})).toEqual({
    ...start,
    theme: 'dark',
    timeZone: 'Asia/Tokyo',
    emailNotifications: { securityAlerts: true, productUpdates: true },
  });
  expect(await member.client.trpc.preferences.get.query()).toEqual({
    ...start,
    theme: 'dark',
    timeZone: 'Asia/Tokyo',
    emailNotifications: { securityAlerts: true, productUpdates: true },
  });
});

test('preferences.update stores a language tag in its canonical form', async () => {
  expect((await member.client.trpc.preferences.update.mutate({ locale: 'en-gb' })).locale).toBe('en-GB');
  expect((await member.client.trpc.preferences.get.query()).locale).toBe('en-GB');
  expect((await member.client.trpc.preferences.update.mutate({ locale: 'ZH-hant-tw' })).locale).toBe('zh-Hant-TW');
});

test('preferences.update stores a time zone typed in another case in its usual spelling', async () => {
  expect((await member.client.trpc.preferences.update.mutate({ timeZone: 'europe/paris' })).timeZone).toBe(
    'Europe/Paris',
  );
});

test('preferences.update accepts IANA time zone names, UTC included', async () => {
  for (const timeZone of ['Europe/Paris', 'America/Argentina/Buenos_Aires', 'UTC', 'Pacific/Chatham']) {
    expect((await member.client.trpc.preferences.update.mutate({ timeZone })).timeZone).toBe(timeZone);
  }
});

test.each([
  ['timeZone', 'Mars/Olympus'],
  ['timeZone', '+01:00'],
  ['timeZone', 'GMT+1 '],
  ['timeZone', ''],
  ['timeZone', 'Europe/Paris'.repeat(10)],
  ['locale', 'xx_YY!!'],
  ['locale', 'english and more'],
  ['locale', ''],
  ['locale', 'en-'.repeat(20)],
  ['theme', 'blue'],
  ['theme', 'DARK'],
])(
  'preferences.update refuses %s %j with BAD_REQUEST and fieldErrors for it, changing nothing',
  async (field, value) => {
    await member.client.trpc.preferences.update.mutate({ theme: 'light', locale: 'it', timeZone: 'Europe/Rome' });
    const before = await member.client.trpc.preferences.get.query();
    const response = await update(member, 'preferences.update', { theme: 'dark', [field]: value });
    expect(response.status).toBe(400);
    expect(response.json.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
    expect(response.json.error.data.fieldErrors[field]).toEqual(
      expect.arrayContaining([expect.stringMatching(/\w{3}/)]),
    );
    expect(await member.client.trpc.preferences.get.query()).toEqual(before);
  },
);

test('preferences.update refuses unknown keys, at the top and inside emailNotifications', async () => {
  const before = await member.client.trpc.preferences.get.query();
  for (const input of [
    { theme: 'dark', fontSize: 14 },
    { emailNotifications: { securityAlerts: false, newsletter: true } },
    { emailNotifications: 'all' },
  ]) {
    const response = await update(member, 'preferences.update', input);
    expect({ input, status: response.status, reason: response.json?.error?.data?.reason }).toEqual({
      input,
      status: 400,
      reason: 'INVALID_INPUT',
    });
  }
  expect(await member.client.trpc.preferences.get.query()).toEqual(before);
});

test('privacy and preferences procedures refuse requests without a token with UNAUTHORIZED', async () => {
  const anonymous = server.client().trpc;
  const calls: Array<[string, Promise<unknown>]> = [
    ['privacy.get', anonymous.privacy.get.query()],
    ['privacy.update', anonymous.privacy.update.mutate({ allowEmailContact: true })],
    ['preferences.get', anonymous.preferences.get.query()],
    ['preferences.update', anonymous.preferences.update.mutate({ theme: 'dark' })],
  ];
  for (const [path, call] of calls) {
    const error = await trpcError(call);
    expect({ path, code: error.data?.code, reason: error.data?.reason }).toEqual({
      path,
      code: 'UNAUTHORIZED',
      reason: 'UNAUTHENTICATED',
    });
  }
});

test('privacy and preferences changes of one member never show for another', async () => {
  const [one, two] = await Promise.all([fresh(), fresh()]);
  const twoPreferences = await two.client.trpc.preferences.get.query();
  await one.client.trpc.privacy.update.mutate({ allowEmailContact: true });
  await one.client.trpc.preferences.update.mutate({
    theme: 'dark',
    locale: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
    emailNotifications: { securityAlerts: false, productUpdates: true },
  });

  expect(await two.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: false });
  expect(await two.client.trpc.preferences.get.query()).toEqual(twoPreferences);
  expect(twoPreferences).toMatchObject(DEFAULT_PREFERENCES);
  expect((await server.client().trpc.profile.get.query({ userId: two.session.user.id })).canBeContacted).toBe(false);

  // And the other way round.
  await two.client.trpc.preferences.update.mutate({ theme: 'light' });
  expect((await one.client.trpc.preferences.get.query()).theme).toBe('dark');
  expect(await neighbour.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: false });
});
