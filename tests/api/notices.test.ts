import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { NOTICE_BODY_MAX_LENGTH, NOTICE_TITLE_MAX_LENGTH } from '#shared/constants.ts';
import type { OrgRole } from '#shared/roles.ts';
import type { Org } from '#shared/schemas/orgs.ts';
import { tokenIn } from '#tests/helpers/mail-capture.ts';
import {
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let server: TestServer;
let owner: SignedUp;
let admin: SignedUp;
let member: SignedUp;
let colleague: SignedUp;
let stranger: SignedUp;
let org: Org;
let strangersOrg: Org;
let counter = 0;
const slug = () => `board-${Date.now().toString(36)}-${counter++}`;

/** `who` joins `into` with `role` the way people do: an invitation from `by`, accepted from the mailed link. */
async function join(by: SignedUp, into: Org, who: SignedUp, role: OrgRole): Promise<void> {
  const since = server.mail.mark();
  await by.client.trpc.orgs.invitations.create.mutate({ orgId: into.id, email: who.email, role });
  const mail = await server.mail.waitForMail({ to: who.email, since });
  await who.client.trpc.orgs.invitations.accept.mutate({ token: tokenIn(mail, '/invite?token=') });
}

beforeAll(async () => {
  server = await startTestServer();
  [owner, admin, member, colleague, stranger] = await Promise.all([
    signUpAndVerify(server, { name: 'Olga Owner' }),
    signUpAndVerify(server, { name: 'Adam Admin' }),
    signUpAndVerify(server, { name: 'Mia Member' }),
    signUpAndVerify(server, { name: 'Carl Colleague' }),
    signUpAndVerify(server, { name: 'Sid Stranger' }),
  ]);
  org = await owner.client.trpc.orgs.create.mutate({ name: 'Acme Mail', slug: slug() });
  strangersOrg = await stranger.client.trpc.orgs.create.mutate({ name: 'Elsewhere', slug: slug() });
  await join(owner, org, admin, 'admin');
  await join(owner, org, member, 'member');
  await join(owner, org, colleague, 'member');
}, 60_000);
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

const noticesOf = (who: SignedUp) => who.client.trpc.notices;
const errorOf = async (call: Promise<unknown>) => {
  const error = await trpcError(call);
  return { code: error.data?.code, reason: error.data?.reason, fieldErrors: error.data?.fieldErrors };
};
const titlesOn = async (who: SignedUp, on: Org = org) =>
  (await noticesOf(who).list.query({ orgId: on.id, limit: 100 })).items.map((notice) => notice.title);

test('notices.post puts a trimmed notice on the board signed with the author’s name; every member lists it, newest first', async () => {
  const posted = await noticesOf(member).post.mutate({
    orgId: org.id,
    title: '  Kitchen rota  ',
    body: '\nMondays: Mia. Tuesdays: Carl.\n',
  });
  expect(posted).toEqual({
    id: expect.any(String),
    title: 'Kitchen rota',
    body: 'Mondays: Mia. Tuesdays: Carl.',
    author: { userId: member.session.user.id, name: 'Mia Member' },
    canDelete: true,
    createdAt: expect.stringMatching(ISO),
  });
  server.shiftClock(5);
  const later = await noticesOf(colleague).post.mutate({ orgId: org.id, title: 'Fire drill', body: 'Friday at 10.' });

  const seenByColleague = await noticesOf(colleague).list.query({ orgId: org.id });
  const ids = seenByColleague.items.map((notice) => notice.id);
  expect(ids.indexOf(later.id)).toBeLessThan(ids.indexOf(posted.id));
  // The same notice as posted, but another member may not delete it.
  expect(seenByColleague.items.find((notice) => notice.id === posted.id)).toEqual({ ...posted, canDelete: false });
  const seenByOwner = await noticesOf(owner).list.query({ orgId: org.id });
  expect(seenByOwner.items.find((notice) => notice.id === posted.id)).toEqual(posted);
});

test('notices.list, post and delete answer a non-member NOT_FOUND, exactly as for an organization that does not exist', async () => {
  const notice = await noticesOf(owner).post.mutate({ orgId: org.id, title: 'Members only', body: 'Secret plans.' });
  // Thunks: each call starts when its turn comes, so none fails unawaited.
  const calls = (orgId: string) => [
    () => noticesOf(stranger).list.query({ orgId }),
    () => noticesOf(stranger).post.mutate({ orgId, title: 'Hello', body: 'I am in.' }),
    () => noticesOf(stranger).delete.mutate({ orgId, noticeId: notice.id }),
  ];
  for (const call of [...calls(org.id), ...calls('no-such-org-id-000')]) {
    expect(await errorOf(call())).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
  }
  const theirs = await trpcError(noticesOf(stranger).list.query({ orgId: org.id }));
  const none = await trpcError(noticesOf(stranger).list.query({ orgId: 'no-such-org-id-000' }));
  expect(theirs.message).toBe(none.message);
  expect(await titlesOn(owner)).toContain('Members only');
  expect(await titlesOn(owner)).not.toContain('Hello');
});

test('notices.delete answers NOT_FOUND for another organization’s notice sent with the caller’s own orgId, and leaves it', async () => {
  const notice = await noticesOf(owner).post.mutate({ orgId: org.id, title: 'Stays put', body: 'Not yours.' });
  // The stranger is the owner of their own organization: members:manage there, yet no power here.
  expect(
    await errorOf(noticesOf(stranger).delete.mutate({ orgId: strangersOrg.id, noticeId: notice.id })),
  ).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
  const unknown = await errorOf(
    noticesOf(stranger).delete.mutate({ orgId: strangersOrg.id, noticeId: 'AAAAAAAAAAAAAAAAAAAAAA' }),
  );
  expect(unknown).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
  expect(await titlesOn(owner)).toContain('Stays put');
  // Nor does it show on their own board.
  expect(await titlesOn(stranger, strangersOrg)).not.toContain('Stays put');
});

test('notices.delete refuses a member another member’s notice with FORBIDDEN; the author and an admin may delete', async () => {
  const first = await noticesOf(member).post.mutate({
    orgId: org.id,
    title: 'Lost umbrella',
    body: 'Blue, by the door.',
  });
  const second = await noticesOf(member).post.mutate({ orgId: org.id, title: 'Found keys', body: 'At reception.' });

  expect(await errorOf(noticesOf(colleague).delete.mutate({ orgId: org.id, noticeId: first.id }))).toMatchObject({
    code: 'FORBIDDEN',
    reason: 'FORBIDDEN',
  });
  expect(await titlesOn(owner)).toContain('Lost umbrella');

  const asAdmin = await noticesOf(admin).list.query({ orgId: org.id, limit: 100 });
  expect(asAdmin.items.find((notice) => notice.id === first.id)?.canDelete).toBe(true);
  expect(await noticesOf(admin).delete.mutate({ orgId: org.id, noticeId: first.id })).toEqual({ status: 'ok' });
  expect(await noticesOf(member).delete.mutate({ orgId: org.id, noticeId: second.id })).toEqual({ status: 'ok' });
  const titles = await titlesOn(colleague);
  expect(titles).not.toContain('Lost umbrella');
  expect(titles).not.toContain('Found keys');
  // Gone is gone: a second delete finds nothing.
  expect(await errorOf(noticesOf(admin).delete.mutate({ orgId: org.id, noticeId: first.id }))).toMatchObject({
    code: 'NOT_FOUND',
  });
});

test('notices answer a removed member NOT_FOUND on the very next call; their notices stay on the board', async () => {
  const leaving = await signUpAndVerify(server, { name: 'Lena Leaving' });
  await join(owner, org, leaving, 'member');
  const notice = await noticesOf(leaving).post.mutate({ orgId: org.id, title: 'Farewell', body: 'Thanks, all.' });
  expect(await titlesOn(leaving)).toContain('Farewell');

  await owner.client.trpc.orgs.members.remove.mutate({ orgId: org.id, userId: leaving.session.user.id });
  // Same access token, same session: only the membership changed.
  expect(await errorOf(noticesOf(leaving).list.query({ orgId: org.id }))).toMatchObject({ code: 'NOT_FOUND' });
  expect(
    await errorOf(noticesOf(leaving).post.mutate({ orgId: org.id, title: 'Still here?', body: 'No.' })),
  ).toMatchObject({ code: 'NOT_FOUND' });
  expect(await errorOf(noticesOf(leaving).delete.mutate({ orgId: org.id, noticeId: notice.id }))).toMatchObject({
    code: 'NOT_FOUND',
  });
  const kept = (await noticesOf(owner).list.query({ orgId: org.id, limit: 100 })).items.find((n) => n.id === notice.id);
  expect(kept?.author).toEqual({ userId: leaving.session.user.id, name: 'Lena Leaving' });
});

test('notices keep a deleted account’s notices with no author; only those who manage members may delete them', async () => {
  const gone = await signUpAndVerify(server, { name: 'Gina Gone' });
  await join(owner, org, gone, 'member');
  const notice = await noticesOf(gone).post.mutate({ orgId: org.id, title: 'Bake sale', body: 'Thursday.' });
  await gone.client.trpc.privacy.deleteAccount.mutate({ password: gone.password });

  const find = async (who: SignedUp) =>
    (await noticesOf(who).list.query({ orgId: org.id, limit: 100 })).items.find((n) => n.id === notice.id);
  expect(await find(member)).toMatchObject({ title: 'Bake sale', author: null, canDelete: false });
  expect(await find(admin)).toMatchObject({ author: null, canDelete: true });
  expect(await errorOf(noticesOf(member).delete.mutate({ orgId: org.id, noticeId: notice.id }))).toMatchObject({
    code: 'FORBIDDEN',
  });
});

test('notices refuse a caller without a token with UNAUTHORIZED / UNAUTHENTICATED', async () => {
  const visitor = server.client().trpc.notices;
  for (const call of [
    () => visitor.list.query({ orgId: org.id }),
    () => visitor.post.mutate({ orgId: org.id, title: 'Anonymous', body: 'Who am I?' }),
    () => visitor.delete.mutate({ orgId: org.id, noticeId: 'AAAAAAAAAAAAAAAAAAAAAA' }),
  ]) {
    expect(await errorOf(call())).toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' });
  }
  expect(await titlesOn(owner)).not.toContain('Anonymous');
});

test.each([
  ['an empty title', { title: '   ', body: 'Something.' }, 'title'],
  ['an empty body', { title: 'Something', body: ' \n ' }, 'body'],
  ['a title too long', { title: 't'.repeat(NOTICE_TITLE_MAX_LENGTH + 1), body: 'Something.' }, 'title'],
  ['a body too long', { title: 'Too long', body: '\u{1F4CC}'.repeat(NOTICE_BODY_MAX_LENGTH + 1) }, 'body'],
])(
  'notices.post refuses %s with INVALID_INPUT and an error for that field, and posts nothing',
  async (_what, input, field) => {
    const before = await titlesOn(owner);
    const error = await errorOf(noticesOf(member).post.mutate({ orgId: org.id, ...input }));
    expect(error).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
    expect(Object.keys(error.fieldErrors ?? {})).toEqual([field]);
    expect(await titlesOn(owner)).toEqual(before);
  },
);

test('notices.post accepts a title and body at their limits, counted in code points', async () => {
  const title = '\u{1F4CC}'.repeat(NOTICE_TITLE_MAX_LENGTH);
  const body = '\u{1F4CC}'.repeat(NOTICE_BODY_MAX_LENGTH);
  const notice = await noticesOf(member).post.mutate({ orgId: org.id, title, body });
  expect(notice.title === title && notice.body === body).toBe(true);
  await noticesOf(member).delete.mutate({ orgId: org.id, noticeId: notice.id });
});

test('notices.list pages newest first with nextCursor until the last page, and refuses a forged cursor', async () => {
  const board = await owner.client.trpc.orgs.create.mutate({ name: 'Paging', slug: slug() });
  const posted: string[] = [];
  for (let i = 0; i < 5; i++) {
    server.shiftClock(i);
    posted.push((await noticesOf(owner).post.mutate({ orgId: board.id, title: `Notice ${i}`, body: 'x' })).title);
  }
  server.shiftClock(0);
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await noticesOf(owner).list.query({ orgId: board.id, limit: 2, ...(cursor ? { cursor } : {}) });
    sizes.push(page.items.length);
    seen.push(...page.items.map((notice) => notice.title));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(sizes).toEqual([2, 2, 1]);
  expect(seen).toEqual(posted.reverse());

  const forged = await errorOf(noticesOf(owner).list.query({ orgId: board.id, cursor: 'not-a-cursor' }));
  expect(forged).toMatchObject({
    code: 'BAD_REQUEST',
    reason: 'INVALID_INPUT',
    fieldErrors: { cursor: expect.any(Array) },
  });
});

test('notices.list shows an organization’s board only: another organization’s notices never appear', async () => {
  await noticesOf(stranger).post.mutate({ orgId: strangersOrg.id, title: 'Elsewhere only', body: 'Ours.' });
  expect(await titlesOn(stranger, strangersOrg)).toContain('Elsewhere only');
  expect(await titlesOn(owner)).not.toContain('Elsewhere only');
});
