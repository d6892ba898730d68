import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const LAPTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const PHONE =
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36';

type EventItem = { id: string; type: string; at: string; ip: string | null; userAgent: string | null };

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

async function login(member: SignedUp, userAgent: string): Promise<TestClient> {
  const client = server.client({ userAgent });
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return client;
}

/** Every event of the caller, page by page, checking each page as it comes. */
async function walk(client: TestClient, limit: number): Promise<{ items: EventItem[]; pages: number }> {
  const items: EventItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await client.trpc.auth.securityEvents.query(cursor === undefined ? { limit } : { limit, cursor });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
    if (pages > 100) throw new Error('the pages never end');
  }
}

async function everything(client: TestClient): Promise<EventItem[]> {
  const page = await client.trpc.auth.securityEvents.query({ limit: 100 });
  expect(page.nextCursor).toBeNull();
  return page.items;
}

const expectNewestFirst = (items: EventItem[]) => {
  const times = items.map((item) => Date.parse(item.at));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
};

test('auth.securityEvents lists the caller’s events of each flow newest first, with the IP and User-Agent of the request behind each', async () => {
  // Each step a few seconds after the last, so the order is the order of the steps.
  let offset = 0;
  const later = () => server.shiftClock((offset += 5));
  const member = await signUpAndVerify(server, {}, { userAgent: LAPTOP });
  const laptop = member.client;
  later();
  await login(member, PHONE);
  later();
  const newPassword = strongPassword();
  laptop.useSession(await laptop.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword }));
  member.password = newPassword;
  later();
  const { secret } = await laptop.trpc.auth.mfa.setup.mutate();
  await laptop.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, server.app.deps.now()) });
  later();
  // Codes are on now: a password alone opens no session, and records none.
  const halfway = await server
    .client({ userAgent: PHONE })
    .trpc.auth.login.mutate({ email: member.email, password: member.password });
  expect(halfway.status).toBe('mfa_required');
  later();
  await laptop.trpc.auth.email.change.mutate({ newEmail: uniqueEmail('moved'), password: member.password });
  later();
  await laptop.trpc.auth.sessions.revokeOthers.mutate();

  const items = await everything(laptop);
  expectNewestFirst(items);
  const types = items.map((item) => item.type);
  expect(types.slice(0, 5)).toEqual([
    'sessions.revoked_others',
    'email.change_requested',
    'mfa.enabled',
    'password.changed',
    'session.started',
  ]);
  // The sign-up's events share one request, in whichever order ties are listed.
  expect(types.slice(5).sort()).toEqual(['account.created', 'email.verified', 'session.started']);

  for (const item of items) {
    // Each device has its own address (the test client sends it as X-Forwarded-For).
    if (item.userAgent === LAPTOP) expect(item.ip).toBe(laptop.ip);
    else expect(item.ip).toMatch(/^198\.18\.\d+\.\d+$/);
    expect(new Date(item.at).toISOString()).toBe(item.at);
    expect(Object.keys(item).sort()).toEqual(['at', 'id', 'ip', 'type', 'userAgent']);
  }
  // The phone's sign-in is the phone's; everything else came from the laptop.
  expect(items[4]!.userAgent).toBe(PHONE);
  expect(items.filter((item) => item !== items[4]).map((item) => item.userAgent)).toEqual(
    Array(items.length - 1).fill(LAPTOP),
  );
  expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
});

test('auth.securityEvents pages with limit and nextCursor: walking every page gives each event once, in order, also across events of the same instant', async () => {
  const member = await signUpAndVerify(server);
  // Seven events at exactly the same instant: the cursor must tell them apart.
  const frozen = new Date(Date.now() + 60_000);
  server.app.deps.now = () => frozen;
  for (let i = 0; i < 7; i++) await member.client.trpc.auth.sessions.revokeOthers.mutate();
  server.shiftClock(120);
  for (let i = 0; i < 15; i++) await member.client.trpc.auth.sessions.revokeOthers.mutate();

  const all = await everything(member.client);
  expect(all).toHaveLength(3 + 7 + 15);
  expect(all.filter((item) => item.at === frozen.toISOString())).toHaveLength(7);

  for (const limit of [1, 3, 7, 10, 25]) {
    const { items, pages } = await walk(member.client, limit);
    expect({ limit, ids: items.map((item) => item.id) }).toEqual({ limit, ids: all.map((item) => item.id) });
    expect({ limit, pages }).toEqual({ limit, pages: Math.ceil(all.length / limit) });
  }

  // Without input: the first 20, and a cursor for the rest.
  const first = await member.client.trpc.auth.securityEvents.query();
  expect(first.items.map((item) => item.id)).toEqual(all.slice(0, 20).map((item) => item.id));
  expect(first.nextCursor).toEqual(expect.any(String));
  const rest = await member.client.trpc.auth.securityEvents.query({ cursor: first.nextCursor! });
  expect(rest.items.map((item) => item.id)).toEqual(all.slice(20).map((item) => item.id));
  expect(rest.nextCursor).toBeNull();
});

test('auth.securityEvents refuses a cursor it did not make with BAD_REQUEST', async () => {
  const member = await signUpAndVerify(server);
  const forged = [
    'not-a-cursor',
    Buffer.from('{"at":1}').toString('base64url'),
    Buffer.from('[1, 2]').toString('base64url'),
    Buffer.from('["yesterday", "x"]').toString('base64url'),
    'x'.repeat(201),
  ];
  for (const cursor of forged) {
    const error = await trpcError(member.client.trpc.auth.securityEvents.query({ cursor }));
    expect({ cursor, code: error.data?.code, reason: error.data?.reason }).toEqual({
      cursor,
      code: 'BAD_REQUEST',
      reason: 'INVALID_INPUT',
    });
  }
  for (const limit of [0, 101, 2.5]) {
    await expectReason(member.client.trpc.auth.securityEvents.query({ limit }), 'BAD_REQUEST', 'INVALID_INPUT');
  }
});

test('auth.securityEvents never shows another member’s events, even through their cursor', async () => {
  const alice = await signUpAndVerify(server, {}, { userAgent: LAPTOP });
  const bob = await signUpAndVerify(server, {}, { userAgent: PHONE });
  for (let i = 0; i < 3; i++) await bob.client.trpc.auth.sessions.revokeOthers.mutate();
  await login(bob, PHONE);

  const aliceItems = await everything(alice.client);
  const bobItems = await everything(bob.client);
  const aliceIds = new Set(aliceItems.map((item) => item.id));
  expect(bobItems.filter((item) => aliceIds.has(item.id))).toEqual([]);
  expect(aliceItems.every((item) => item.userAgent === LAPTOP)).toBe(true);
  expect(aliceItems).toHaveLength(3);

  // Bob's cursor in Alice's hands pages through Alice's events only.
  const bobPage = await bob.client.trpc.auth.securityEvents.query({ limit: 1 });
  const throughBobsCursor = await alice.client.trpc.auth.securityEvents.query({ cursor: bobPage.nextCursor! });
  for (const item of throughBobsCursor.items) expect(aliceIds.has(item.id)).toBe(true);
});

test('auth.securityEvents refuses a caller without a token with UNAUTHENTICATED', async () => {
  await expectReason(server.client().trpc.auth.securityEvents.query(), 'UNAUTHORIZED', 'UNAUTHENTICATED');
});
