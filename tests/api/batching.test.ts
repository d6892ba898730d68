import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TRPCClient } from '@trpc/client';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import type { AppRouter } from '#server/trpc/router.ts';
import {
  logCollector,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §1: every call of a batch behaves exactly as if it had come alone. The tRPC client
// batches the calls made in one tick (httpBatchLink), so two forms sent at once reach the server
// as one `?batch=1` request.

const log = logCollector();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({}, { logStream: log.stream });
});
afterAll(async () => {
  await server?.close();
});

/** Calls not yet made, so that they can be sent at once or one after the other. */
type Calls = (trpc: TRPCClient<AppRouter>) => Array<() => Promise<unknown>>;

/** What a call answered, without the values that differ between two runs (ids, times, tokens). */
function outcome(settled: PromiseSettledResult<unknown>): unknown {
  if (settled.status === 'rejected') {
    const data = (settled.reason as { data?: { code?: string; reason?: string } }).data;
    return { error: { code: data?.code, reason: data?.reason } };
  }
  return { value: stable(settled.value) };
}

const VARYING = new Set([
  'id',
  'userId',
  'createdAt',
  'updatedAt',
  'publishedAt',
  'joinedAt',
  'accessToken',
  'accessTokenExpiresAt',
  'email',
  'at',
]);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, VARYING.has(key) ? typeof inner : stable(inner)]),
    );
  }
  return value;
}

/** Runs the calls as one batch request; fails unless they really went as one request. */
async function inOneBatch(client: TestClient, calls: Calls): Promise<PromiseSettledResult<unknown>[]> {
  const before = client.responses.length;
  const settled = await Promise.allSettled(calls(client.trpc).map((call) => call()));
  expect(client.responses.length - before, 'one HTTP request for the whole batch').toBe(1);
  expect(client.responses.at(-1)?.status).toBeLessThan(500);
  return settled;
}

/** The same calls, one request each, each sent once the previous one is answered. */
async function oneByOne(client: TestClient, calls: Calls): Promise<PromiseSettledResult<unknown>[]> {
  const results: PromiseSettledResult<unknown>[] = [];
  for (const call of calls(client.trpc)) results.push(...(await Promise.allSettled([call()])));
  return results;
}

let linesSeen = 0;

/** The error lines logged since the last call. */
function errorLines(): Record<string, unknown>[] {
  const lines = log.lines();
  const fresh = lines.slice(linesSeen);
  linesSeen = lines.length;
  return fresh.filter((line) => typeof line.level === 'number' && line.level >= 50);
}

describe('a batch of calls', () => {
  let alone: SignedUp;
  let batched: SignedUp;

  beforeAll(async () => {
    alone = await signUpAndVerify(server, { name: 'Alone' });
    batched = await signUpAndVerify(server, { name: 'Batched' });
  });

  test('a batch of 10 auth.login calls with wrong passwords answers ten INVALID_CREDENTIALS, counts each failure once, and logs no error', async () => {
    const target = await signUpAndVerify(server);
    const stranger = server.client({ batch: true });
    const settled = await inOneBatch(stranger, (trpc) =>
      Array.from(
        { length: 10 },
        () => () => trpc.auth.login.mutate({ email: target.email, password: strongPassword() }),
      ),
    );
    expect(settled.map(outcome)).toEqual(
      Array.from({ length: 10 }, () => ({ error: { code: 'UNAUTHORIZED', reason: 'INVALID_CREDENTIALS' } })),
    );
    // Ten failures from clients the account does not know: the next stranger is throttled (API.md §6).
    const next = await trpcError(
      server.client().trpc.auth.login.mutate({ email: target.email, password: target.password }),
    );
    expect(next.data?.reason).toBe('RATE_LIMITED');
    expect(errorLines()).toEqual([]);
  });

  test('a batch of 9 wrong passwords counts nine failures: the tenth, alone, is still INVALID_CREDENTIALS and the eleventh is throttled', async () => {
    const target = await signUpAndVerify(server);
    const settled = await inOneBatch(server.client({ batch: true }), (trpc) =>
      Array.from(
        { length: 9 },
        () => () => trpc.auth.login.mutate({ email: target.email, password: strongPassword() }),
      ),
    );
    expect(settled.every((result) => result.status === 'rejected')).toBe(true);
    expect(
      (await trpcError(server.client().trpc.auth.login.mutate({ email: target.email, password: strongPassword() })))
        .data?.reason,
    ).toBe('INVALID_CREDENTIALS');
    expect(
      (await trpcError(server.client().trpc.auth.login.mutate({ email: target.email, password: target.password }))).data
        ?.reason,
    ).toBe('RATE_LIMITED');
  });

  test('a batch of sign-ups answers as the same sign-ups one by one and creates one account per new address', async () => {
    const taken = alone.email;
    const calls =
      (emails: string[]): Calls =>
      (trpc) => [
        ...emails.map(
          (email) => () => trpc.auth.register.mutate({ email, password: strongPassword(), name: 'New member' }),
        ),
        () => trpc.auth.register.mutate({ email: taken, password: strongPassword() }),
        () => trpc.auth.register.mutate({ email: emails[0]!, password: strongPassword() }),
        () => trpc.auth.register.mutate({ email: 'not an email', password: strongPassword() }),
      ];
    const batchEmails = Array.from({ length: 5 }, () => uniqueEmail('batched-signup'));
    const singleEmails = Array.from({ length: 5 }, () => uniqueEmail('single-signup'));
    const fromBatch = await inOneBatch(server.client({ batch: true }), calls(batchEmails));
    const fromSingles = await oneByOne(server.client(), calls(singleEmails));
    expect(fromBatch.map(outcome)).toEqual(fromSingles.map(outcome));
    expect(fromBatch.map(outcome).slice(0, 7)).toEqual(
      Array.from({ length: 7 }, () => ({ value: { status: 'verification_sent' } })),
    );

    const em = server.app.deps.orm.em.fork();
    const count = async (emails: string[]) =>
      (await em.find(UserEntity, { emailNormalized: { $in: emails.map((email) => email.toLowerCase()) } })).length;
    expect(await count(batchEmails)).toBe(5);
    expect(await count(singleEmails)).toBe(5);
    expect(errorLines()).toEqual([]);
  });

  test('a batch of flyer edits answers as the same edits one by one and leaves the same flyers', async () => {
    const prepare = async (member: SignedUp) => {
      const first = await member.client.trpc.flyers.create.mutate({ title: 'First', body: 'One' });
      const second = await member.client.trpc.flyers.create.mutate({ title: 'Second', body: 'Two' });
      const third = await member.client.trpc.flyers.create.mutate({ title: 'Third', body: 'Three' });
      return { first: first.id, second: second.id, third: third.id };
    };
    const [a, b] = [await prepare(alone), await prepare(batched)];
    // Each call touches its own flyer: two concurrent calls on one row may see each other or not.
    const calls =
      (ids: { first: string; second: string; third: string }): Calls =>
      (trpc) => [
        () => trpc.flyers.create.mutate({ title: 'Fourth', body: 'Four' }),
        () => trpc.flyers.create.mutate({ title: 'Fifth', body: 'Five' }),
        () => trpc.flyers.update.mutate({ id: ids.first, title: 'First, edited' }),
        () => trpc.flyers.update.mutate({ id: ids.third, body: 'Three, edited' }),
        () => trpc.flyers.publish.mutate({ id: ids.second }),
        () => trpc.flyers.delete.mutate({ id: 'no-such-flyer' }),
        () => trpc.flyers.update.mutate({ id: ids.second, title: '' }),
      ];
    const fromSingles = await oneByOne(alone.client, calls(a));
    const fromBatch = await inOneBatch(batched.client.fork({ batch: true }), calls(b));
    expect(fromBatch.map(outcome)).toEqual(fromSingles.map(outcome));

    const shelf = async (member: SignedUp) =>
      stable((await member.client.trpc.flyers.mine.query()).sort((x, y) => x.title.localeCompare(y.title)));
    expect(await shelf(batched)).toEqual(await shelf(alone));
    expect(errorLines()).toEqual([]);
  });

  test('two edits of one flyer in one batch both land', async () => {
    const flyer = await batched.client.trpc.flyers.create.mutate({ title: 'Before', body: 'Before' });
    const settled = await inOneBatch(batched.client.fork({ batch: true }), (trpc) => [
      () => trpc.flyers.update.mutate({ id: flyer.id, title: 'Title, edited' }),
      () => trpc.flyers.update.mutate({ id: flyer.id, body: 'Body, edited' }),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    const stored = (await batched.client.trpc.flyers.mine.query()).find((mine) => mine.id === flyer.id);
    expect(stored).toMatchObject({ title: 'Title, edited', body: 'Body, edited' });
    expect(errorLines()).toEqual([]);
  });

  test('a batch of preference and privacy updates applies every one of them, as one by one', async () => {
    const calls: Calls = (trpc) => [
      () => trpc.preferences.update.mutate({ theme: 'dark' }),
      () => trpc.preferences.update.mutate({ locale: 'fr-FR' }),
      () => trpc.preferences.update.mutate({ timeZone: 'Europe/Paris' }),
      () => trpc.preferences.update.mutate({ emailNotifications: { productUpdates: true } }),
      () => trpc.privacy.update.mutate({ allowEmailContact: true }),
      () => trpc.preferences.update.mutate({ timeZone: 'Not/AZone' }),
    ];
    const fromSingles = await oneByOne(alone.client, calls);
    const fromBatch = await inOneBatch(batched.client.fork({ batch: true }), calls);
    expect(fromBatch.map((result) => (result.status === 'rejected' ? outcome(result) : 'ok'))).toEqual(
      fromSingles.map((result) => (result.status === 'rejected' ? outcome(result) : 'ok')),
    );
    const expected = {
      theme: 'dark',
      locale: 'fr-FR',
      timeZone: 'Europe/Paris',
      emailNotifications: { securityAlerts: true, productUpdates: true },
    };
    expect(await batched.client.trpc.preferences.get.query()).toEqual(expected);
    expect(await alone.client.trpc.preferences.get.query()).toEqual(expected);
    expect(await batched.client.trpc.privacy.get.query()).toEqual({ allowEmailContact: true });
    expect(errorLines()).toEqual([]);
  });

  test('a batch that mixes public and authed calls, queries and mutations, answers each as it would alone', async () => {
    const member = await signUpAndVerify(server, { name: 'Mixed' });
    const calls =
      (subject: SignedUp): Calls =>
      (trpc) => [
        () => trpc.auth.me.query(),
        () => trpc.profile.get.query({ userId: subject.session.user.id }),
        () => trpc.profile.update.mutate({ name: 'Mixed, renamed' }),
        () => trpc.flyers.create.mutate({ title: 'Mixed', body: 'In a batch' }),
        () => trpc.auth.login.mutate({ email: uniqueEmail('nobody'), password: strongPassword() }),
        () => trpc.profile.get.query({ userId: 'unknown-member' }),
        () => trpc.auth.sessions.list.query(),
      ];
    const viaBatch = member.client.fork({ batch: true });
    const queries = await inOneBatch(viaBatch, (trpc) =>
      calls(member)(trpc).filter((_, index) => [0, 1, 5, 6].includes(index)),
    );
    expect(queries.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const mutations = await inOneBatch(viaBatch, (trpc) =>
      calls(member)(trpc).filter((_, index) => [2, 3, 4].includes(index)),
    );
    expect(mutations.map(outcome)).toEqual([
      { value: stable(await member.client.trpc.profile.get.query({ userId: member.session.user.id })) },
      { value: stable((await member.client.trpc.flyers.mine.query())[0]) },
      { error: { code: 'UNAUTHORIZED', reason: 'INVALID_CREDENTIALS' } },
    ]);
    expect((await member.client.trpc.auth.me.query()).profile.name).toBe('Mixed, renamed');
    expect(errorLines()).toEqual([]);
  });
});
