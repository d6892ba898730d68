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
let owner: SignedUp;
let stranger: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  [owner, stranger] = await Promise.all([
    signUpAndVerify(server, { name: 'Fiona Flyer' }),
    signUpAndVerify(server, { name: 'Sid Stranger' }),
  ]);
});
afterAll(async () => {
  await server?.close();
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ID = /^[A-Za-z0-9_-]{16,64}$/;

const publicFlyers = async (userId: string) => (await server.client().trpc.profile.get.query({ userId })).flyers;

/** Runs `body` with the server's clock `seconds` ahead, then puts it back (tokens stay valid for shifts under 15 minutes). */
async function later<T>(seconds: number, body: () => Promise<T>): Promise<T> {
  server.shiftClock(seconds);
  try {
    return await body();
  } finally {
    server.shiftClock(0);
  }
}

const flyersOf = (who: SignedUp) => who.client.trpc.flyers;

test('flyers.create makes a draft with trimmed title and body, and no publication date', async () => {
  const started = Date.now();
  const flyer = await flyersOf(owner).create.mutate({
    title: '  Garden day  ',
    body: '\n Bring gloves and a friend. \n',
  });
  expect(flyer).toEqual({
    id: expect.stringMatching(ID),
    title: 'Garden day',
    body: 'Bring gloves and a friend.',
    status: 'draft',
    createdAt: expect.stringMatching(ISO),
    updatedAt: expect.stringMatching(ISO),
    publishedAt: null,
  });
  expect(Date.parse(flyer.createdAt)).toBeGreaterThanOrEqual(started - 1000);
  expect(Date.parse(flyer.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
  expect((await flyersOf(owner).mine.query()).find((mine) => mine.id === flyer.id)).toEqual(flyer);
  // A draft is not public.
  expect((await publicFlyers(owner.session.user.id)).map((shown) => shown.id)).not.toContain(flyer.id);
});

test('flyers.create gives every flyer its own random id', async () => {
  const [a, b] = await Promise.all([
    flyersOf(owner).create.mutate({ title: 'One', body: 'First' }),
    flyersOf(owner).create.mutate({ title: 'Two', body: 'Second' }),
  ]);
  expect(a.id).not.toBe(b.id);
  expect(a.id).not.toMatch(/^\d+$/);
});

test('flyers.create and flyers.update count title and body lengths in code points: 120 and 5000 are accepted', async () => {
  const title = '\u{1F33B}'.repeat(120);
  const body = '\u{1F33B}'.repeat(5000);
  const flyer = await flyersOf(owner).create.mutate({ title, body });
  expect({ title: flyer.title === title, body: flyer.body === body }).toEqual({ title: true, body: true });
  const updated = await flyersOf(owner).update.mutate({ id: flyer.id, title: 't'.repeat(120), body: 'b'.repeat(5000) });
  expect({ title: updated.title.length, body: updated.body.length }).toEqual({ title: 120, body: 5000 });
});

test.each([
  ['an empty title', { title: '', body: 'Body' }, 'title'],
  ['a title of only spaces', { title: '   ', body: 'Body' }, 'title'],
  ['a title of 121 code points', { title: '\u{1F33B}'.repeat(121), body: 'Body' }, 'title'],
  ['an empty body', { title: 'Title', body: '' }, 'body'],
  ['a body of only line breaks', { title: 'Title', body: '\n\n' }, 'body'],
  ['a body of 5001 code points', { title: 'Title', body: '\u{1F33B}'.repeat(5001) }, 'body'],
  ['a body of 5001 characters', { title: 'Title', body: 'b'.repeat(5001) }, 'body'],
  ['a missing body', { title: 'Title' }, 'body'],
])('flyers.create refuses %s with BAD_REQUEST and fieldErrors for it', async (_what, input, field) => {
  const before = (await flyersOf(owner).mine.query()).length;
  const response = await rawTrpc(server, {
    path: 'flyers.create',
    headers: { Authorization: `Bearer ${owner.session.accessToken}` },
    input,
  });
  expect(response.status).toBe(400);
  expect(response.json.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
  expect(Object.keys(response.json.error.data.fieldErrors)).toEqual([field]);
  expect((await flyersOf(owner).mine.query()).length).toBe(before);
});

test('flyers.update changes the title, the body, or both, trimmed, and moves updatedAt', async () => {
  const flyer = await flyersOf(owner).create.mutate({ title: 'Old title', body: 'Old body' });
  await new Promise((resolve) => setTimeout(resolve, 10));
  const retitled = await later(5, () => flyersOf(owner).update.mutate({ id: flyer.id, title: '  New title ' }));
  expect(retitled).toMatchObject({
    id: flyer.id,
    title: 'New title',
    body: 'Old body',
    status: 'draft',
    createdAt: flyer.createdAt,
    publishedAt: null,
  });
  expect(Date.parse(retitled.updatedAt)).toBeGreaterThan(Date.parse(flyer.updatedAt));

  const rewritten = await flyersOf(owner).update.mutate({ id: flyer.id, body: ' New body\n' });
  expect(rewritten).toMatchObject({ title: 'New title', body: 'New body' });
  expect((await flyersOf(owner).mine.query()).find((mine) => mine.id === flyer.id)).toMatchObject({
    title: 'New title',
    body: 'New body',
  });
});

test('flyers.update refuses a title of 121 or a body of 5001 code points, and an empty title, changing nothing', async () => {
  const flyer = await flyersOf(owner).create.mutate({ title: 'Stable', body: 'Unchanged' });
  const cases: Array<[Record<string, string>, string]> = [
    [{ title: 'x'.repeat(121) }, 'title'],
    [{ body: 'y'.repeat(5001) }, 'body'],
    [{ title: ' ' }, 'title'],
  ];
  for (const [change, field] of cases) {
    const response = await rawTrpc(server, {
      path: 'flyers.update',
      headers: { Authorization: `Bearer ${owner.session.accessToken}` },
      input: { id: flyer.id, ...change },
    });
    expect({ field, status: response.status }).toEqual({ field, status: 400 });
    expect(response.json.error.data.fieldErrors[field]).toBeDefined();
  }
  expect((await flyersOf(owner).mine.query()).find((mine) => mine.id === flyer.id)).toMatchObject({
    title: 'Stable',
    body: 'Unchanged',
  });
});

test('flyers.publish sets publishedAt and shows the flyer on profile.get; flyers.unpublish hides it again', async () => {
  const flyer = await flyersOf(owner).create.mutate({ title: 'Swap meet', body: 'Sunday, 10 to 2.' });
  const published = await flyersOf(owner).publish.mutate({ id: flyer.id });
  expect(published).toMatchObject({ id: flyer.id, status: 'published', publishedAt: expect.stringMatching(ISO) });
  expect(Math.abs(Date.parse(published.publishedAt!) - Date.now())).toBeLessThan(5000);
  expect((await publicFlyers(owner.session.user.id)).find((shown) => shown.id === flyer.id)).toEqual({
    id: flyer.id,
    title: 'Swap meet',
    body: 'Sunday, 10 to 2.',
    publishedAt: published.publishedAt,
  });

  const unpublished = await flyersOf(owner).unpublish.mutate({ id: flyer.id });
  expect(unpublished).toMatchObject({ id: flyer.id, status: 'draft', publishedAt: null });
  expect((await publicFlyers(owner.session.user.id)).map((shown) => shown.id)).not.toContain(flyer.id);
  expect((await flyersOf(owner).mine.query()).find((mine) => mine.id === flyer.id)).toMatchObject({
    status: 'draft',
    publishedAt: null,
  });
});

test('flyers.update of a published flyer shows the new text on profile.get', async () => {
  const flyer = await flyersOf(owner).create.mutate({ title: 'Bake sale', body: 'Cakes.' });
  await flyersOf(owner).publish.mutate({ id: flyer.id });
  await flyersOf(owner).update.mutate({ id: flyer.id, body: 'Cakes and bread.' });
  expect((await publicFlyers(owner.session.user.id)).find((shown) => shown.id === flyer.id)?.body).toBe(
    'Cakes and bread.',
  );
});

test('flyers.delete answers Ok and the flyer is gone from flyers.mine and profile.get', async () => {
  const flyer = await flyersOf(owner).create.mutate({ title: 'Short-lived', body: 'Soon gone.' });
  await flyersOf(owner).publish.mutate({ id: flyer.id });
  expect(await flyersOf(owner).delete.mutate({ id: flyer.id })).toEqual({ status: 'ok' });
  expect((await flyersOf(owner).mine.query()).map((mine) => mine.id)).not.toContain(flyer.id);
  expect((await publicFlyers(owner.session.user.id)).map((shown) => shown.id)).not.toContain(flyer.id);
  // Gone for good: every later call about it is NOT_FOUND.
  // Made one at a time: a call already refused while an earlier one is awaited would go unhandled.
  for (const call of [
    () => flyersOf(owner).delete.mutate({ id: flyer.id }),
    () => flyersOf(owner).update.mutate({ id: flyer.id, title: 'Back?' }),
    () => flyersOf(owner).publish.mutate({ id: flyer.id }),
  ]) {
    expect((await trpcError(call())).data?.reason).toBe('NOT_FOUND');
  }
});

test('profile.get lists published flyers by newest publishedAt first, never drafts', async () => {
  const member = await signUpAndVerify(server);
  const create = (title: string) => flyersOf(member).create.mutate({ title, body: `${title} body` });
  // Created in the order a, b, c, draft; published in the order b, c, a: the public list follows publication.
  const a = await create('A');
  const b = await later(10, () => create('B'));
  const c = await later(20, () => create('C'));
  const draft = await later(30, () => create('Draft'));
  await later(40, () => flyersOf(member).publish.mutate({ id: b.id }));
  await later(50, () => flyersOf(member).publish.mutate({ id: c.id }));
  await later(60, () => flyersOf(member).publish.mutate({ id: a.id }));

  const shown = await publicFlyers(member.session.user.id);
  expect(shown.map((flyer) => flyer.title)).toEqual(['A', 'C', 'B']);
  expect(shown.map((flyer) => flyer.id)).not.toContain(draft.id);
  for (const flyer of shown) expect(Object.keys(flyer).sort()).toEqual(['body', 'id', 'publishedAt', 'title']);
  const dates = shown.map((flyer) => Date.parse(flyer.publishedAt));
  expect(dates).toEqual([...dates].sort((x, y) => y - x));
});

test('flyers.publish of a published flyer keeps its date; publishing again after an unpublish dates it anew', async () => {
  const flyer = await flyersOf(owner).create.mutate({ title: 'Repeat', body: 'Again.' });
  const first = await flyersOf(owner).publish.mutate({ id: flyer.id });
  const twice = await later(30, () => flyersOf(owner).publish.mutate({ id: flyer.id }));
  expect(twice.publishedAt).toBe(first.publishedAt);
  await flyersOf(owner).unpublish.mutate({ id: flyer.id });
  const again = await later(60, () => flyersOf(owner).publish.mutate({ id: flyer.id }));
  expect(Date.parse(again.publishedAt!)).toBeGreaterThan(Date.parse(first.publishedAt!));
});

test("flyers.mine lists only the caller's flyers, drafts and published, newest first", async () => {
  const [writer, other] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
  const first = await flyersOf(writer).create.mutate({ title: 'First', body: '1' });
  const second = await later(10, () => flyersOf(writer).create.mutate({ title: 'Second', body: '2' }));
  const third = await later(20, () => flyersOf(writer).create.mutate({ title: 'Third', body: '3' }));
  await flyersOf(writer).publish.mutate({ id: first.id });
  const othersFlyer = await flyersOf(other).create.mutate({ title: 'Not yours', body: 'x' });
  await flyersOf(other).publish.mutate({ id: othersFlyer.id });

  const mine = await flyersOf(writer).mine.query();
  expect(mine.map((flyer) => flyer.id)).toEqual([third.id, second.id, first.id]);
  expect(mine.map((flyer) => flyer.status)).toEqual(['draft', 'draft', 'published']);
  expect((await flyersOf(other).mine.query()).map((flyer) => flyer.id)).toEqual([othersFlyer.id]);
  expect(await (await signUpAndVerify(server)).client.trpc.flyers.mine.query()).toEqual([]);
});

test("flyers.update, publish, unpublish and delete answer NOT_FOUND for another member's flyer and change nothing", async () => {
  const draft = await flyersOf(owner).create.mutate({ title: 'Mine only', body: 'Hands off.' });
  const live = await flyersOf(owner).create.mutate({ title: 'Mine and public', body: 'Still hands off.' });
  const livePublished = await flyersOf(owner).publish.mutate({ id: live.id });
  const attempts: Array<[string, () => Promise<unknown>]> = [
    ['update', () => flyersOf(stranger).update.mutate({ id: draft.id, title: 'Hijacked' })],
    ['update', () => flyersOf(stranger).update.mutate({ id: live.id, body: 'Hijacked' })],
    ['publish', () => flyersOf(stranger).publish.mutate({ id: draft.id })],
    ['unpublish', () => flyersOf(stranger).unpublish.mutate({ id: live.id })],
    ['delete', () => flyersOf(stranger).delete.mutate({ id: draft.id })],
    ['delete', () => flyersOf(stranger).delete.mutate({ id: live.id })],
  ];
  for (const [what, attempt] of attempts) {
    const error = await trpcError(attempt());
    expect({ what, code: error.data?.code, reason: error.data?.reason }).toEqual({
      what,
      code: 'NOT_FOUND',
      reason: 'NOT_FOUND',
    });
  }
  const mine = await flyersOf(owner).mine.query();
  expect(mine.find((flyer) => flyer.id === draft.id)).toEqual(draft);
  expect(mine.find((flyer) => flyer.id === live.id)).toEqual(livePublished);
  expect((await publicFlyers(owner.session.user.id)).find((flyer) => flyer.id === live.id)?.body).toBe(
    'Still hands off.',
  );
  expect((await flyersOf(stranger).mine.query()).map((flyer) => flyer.id)).not.toContain(draft.id);
});

test('flyers answer an unknown id with NOT_FOUND', async () => {
  const error = await trpcError(flyersOf(owner).publish.mutate({ id: 'AAAAAAAAAAAAAAAAAAAAAA' }));
  expect(error.data?.code).toBe('NOT_FOUND');
  expect(error.data?.httpStatus).toBe(404);
});

test('flyers procedures refuse requests without a token with UNAUTHORIZED', async () => {
  const flyer = await flyersOf(owner).create.mutate({ title: 'Guarded', body: 'Guarded body' });
  const anonymous = server.client().trpc.flyers;
  const calls: Array<[string, Promise<unknown>]> = [
    ['mine', anonymous.mine.query()],
    ['create', anonymous.create.mutate({ title: 'T', body: 'B' })],
    ['update', anonymous.update.mutate({ id: flyer.id, title: 'T' })],
    ['publish', anonymous.publish.mutate({ id: flyer.id })],
    ['unpublish', anonymous.unpublish.mutate({ id: flyer.id })],
    ['delete', anonymous.delete.mutate({ id: flyer.id })],
  ];
  for (const [path, call] of calls) {
    const error = await trpcError(call);
    expect({ path, code: error.data?.code, reason: error.data?.reason }).toEqual({
      path,
      code: 'UNAUTHORIZED',
      reason: 'UNAUTHENTICATED',
    });
  }
  expect((await flyersOf(owner).mine.query()).find((mine) => mine.id === flyer.id)).toEqual(flyer);
});
