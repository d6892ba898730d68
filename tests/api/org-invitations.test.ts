import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { ORG_INVITATIONS_PER_DAY } from '#shared/constants.ts';
import type { OrgRole } from '#shared/roles.ts';
import type { Org } from '#shared/schemas/orgs.ts';
import { refreshInto } from '#tests/helpers/admin.ts';
import { batchOf, inviteToOrg, joinOrg } from '#tests/helpers/orgs.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const DAY = 24 * 60 * 60;

let server: TestServer;
let owner: SignedUp;
let admin: SignedUp;
let member: SignedUp;
let stranger: SignedUp;
let org: Org;
let counter = 0;
const slug = () => `inv-${Date.now().toString(36)}-${counter++}`;

beforeAll(async () => {
  server = await startTestServer();
  [owner, admin, member, stranger] = await Promise.all([
    signUpAndVerify(server, { name: 'Olga Owner' }),
    signUpAndVerify(server, { name: 'Adam Admin' }),
    signUpAndVerify(server, { name: 'Mia Member' }),
    signUpAndVerify(server, { name: 'Sid Stranger' }),
  ]);
  org = await owner.client.trpc.orgs.create.mutate({ name: 'Acme Mail', slug: slug() });
  await join(owner, org, admin, 'admin');
  await join(owner, org, member, 'member');
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  server.shiftClock(0);
  await Promise.all([owner, admin, member, stranger].map((account) => refreshInto(account.client)));
});

const invite = (by: SignedUp, into: Org, email: string, role: OrgRole = 'member') =>
  inviteToOrg(server, by, into, email, role);
const join = (by: SignedUp, into: Org, who: SignedUp, role: OrgRole) => joinOrg(server, by, into, who, role);

const statusOf = async (id: string, into = org) =>
  (await owner.client.trpc.orgs.invitations.list.query({ orgId: into.id })).find((i) => i.id === id)?.status;

test('a person without an account signs up from the mailed link and is a member with the invited role', async () => {
  const email = uniqueEmail('newcomer');
  const sent = await invite(owner, org, email, 'admin');
  expect(new Date(sent.expiresAt).getTime() - Date.now()).toBeGreaterThan(7 * DAY * 1000 - 60_000);
  expect(sent.mail.subject).toBe(`Olga Owner invited you to Acme Mail`);
  expect(sent.mail.text).toContain(`${server.url}/invite?token=`);

  const visitor = server.client();
  expect(await visitor.trpc.auth.invitationDetails.query({ token: sent.token })).toEqual({
    email,
    accountExists: false,
    organization: { name: 'Acme Mail', slug: org.slug, role: 'admin' },
  });
  const session = await visitor.trpc.auth.acceptInvitation.mutate({
    token: sent.token,
    password: strongPassword(),
    name: 'Nina Newcomer',
  });
  expect(session.user).toMatchObject({ email, emailVerified: true, role: 'user' });
  visitor.useSession(session);
  expect(await visitor.trpc.orgs.mine.query()).toEqual([{ org, role: 'admin' }]);
  const members = await owner.client.trpc.orgs.members.list.query({ orgId: org.id });
  expect(members.items).toContainEqual(
    expect.objectContaining({ userId: session.user.id, name: 'Nina Newcomer', role: 'admin', email }),
  );
  expect(await statusOf(sent.id)).toBe('accepted');

  // The link worked once: for the details, a second sign-up, and a signed-in accept.
  await expectReason(visitor.trpc.auth.invitationDetails.query({ token: sent.token }), 'BAD_REQUEST', 'INVALID_TOKEN');
  await expectReason(
    server.client().trpc.auth.acceptInvitation.mutate({ token: sent.token, password: strongPassword() }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
  await expectReason(
    visitor.trpc.orgs.invitations.accept.mutate({ token: sent.token }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );

  const log = await owner.client.trpc.orgs.log.query({ orgId: org.id, limit: 2 });
  expect(log.items.map((event) => [event.type, event.actor?.name, event.subject?.name, event.role])).toEqual([
    ['member.joined', 'Nina Newcomer', 'Nina Newcomer', 'admin'],
    ['member.invited', 'Olga Owner', email, 'admin'],
  ]);
});

test('an existing account joins with orgs.invitations.accept; the wrong account, a sign-up and a second accept are refused', async () => {
  const into = await owner.client.trpc.orgs.create.mutate({ name: 'Existing', slug: slug() });
  const sent = await invite(owner, into, stranger.email);
  expect(await server.client().trpc.auth.invitationDetails.query({ token: sent.token })).toMatchObject({
    email: stranger.email,
    accountExists: true,
  });

  await expectReason(
    member.client.trpc.orgs.invitations.accept.mutate({ token: sent.token }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
  await expectReason(member.client.trpc.orgs.get.query({ orgId: into.id }), 'NOT_FOUND', 'NOT_FOUND');
  await expectReason(
    server.client().trpc.auth.acceptInvitation.mutate({ token: sent.token, password: strongPassword() }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
  expect(await statusOf(sent.id, into)).toBe('pending');

  // Two tabs at once: one joins, the other is told the link is used; one membership.
  const answers = await Promise.allSettled([
    stranger.client.trpc.orgs.invitations.accept.mutate({ token: sent.token }),
    stranger.client.trpc.orgs.invitations.accept.mutate({ token: sent.token }),
  ]);
  expect(answers.filter((answer) => answer.status === 'fulfilled').map((answer) => answer.value)).toEqual([into]);
  expect(await stranger.client.trpc.orgs.mine.query()).toContainEqual({ org: into, role: 'member' });
  const members = await owner.client.trpc.orgs.members.list.query({ orgId: into.id });
  expect(members.items.filter((m) => m.userId === stranger.session.user.id)).toHaveLength(1);
  await expectReason(
    stranger.client.trpc.orgs.invitations.accept.mutate({ token: sent.token }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
});

test('after expiry and after revocation the link is refused everywhere and changes nothing', async () => {
  const expiring = await invite(owner, org, uniqueEmail('late'));
  const revoked = await invite(admin, org, uniqueEmail('revoked'));
  await admin.client.trpc.orgs.invitations.revoke.mutate({ orgId: org.id, id: revoked.id });
  expect(await statusOf(revoked.id)).toBe('revoked');
  const revokedEvent = (await owner.client.trpc.orgs.log.query({ orgId: org.id, limit: 1 })).items[0];
  expect(revokedEvent).toMatchObject({ type: 'member.invitation_revoked', actor: { name: 'Adam Admin' } });

  server.shiftClock(7 * DAY + 60);
  await Promise.all([owner, stranger].map((account) => refreshInto(account.client)));
  expect(await statusOf(expiring.id)).toBe('expired');
  for (const token of [expiring.token, revoked.token]) {
    await expectReason(server.client().trpc.auth.invitationDetails.query({ token }), 'BAD_REQUEST', 'INVALID_TOKEN');
    await expectReason(
      server.client().trpc.auth.acceptInvitation.mutate({ token, password: strongPassword() }),
      'BAD_REQUEST',
      'INVALID_TOKEN',
    );
  }
  const before = (await owner.client.trpc.orgs.members.list.query({ orgId: org.id })).items.length;
  await expectReason(
    stranger.client.trpc.orgs.invitations.accept.mutate({ token: revoked.token }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
  expect((await owner.client.trpc.orgs.members.list.query({ orgId: org.id })).items).toHaveLength(before);
});

test('inviting one address again replaces its pending invitation: only the latest link works', async () => {
  const email = uniqueEmail('twice');
  const first = await invite(owner, org, email);
  const second = await invite(owner, org, email);
  expect(await statusOf(first.id)).toBe('revoked');
  await expectReason(
    server.client().trpc.auth.invitationDetails.query({ token: first.token }),
    'BAD_REQUEST',
    'INVALID_TOKEN',
  );
  expect((await server.client().trpc.auth.invitationDetails.query({ token: second.token })).email).toBe(email);
});

test('a list is answered address by address: invited, already a member, already invited, invalid', async () => {
  const into = await owner.client.trpc.orgs.create.mutate({ name: 'Team Import', slug: slug() });
  const pending = uniqueEmail('pending');
  await invite(owner, into, pending);
  const fresh = [uniqueEmail('a'), uniqueEmail('b')];
  const since = server.mail.mark();
  const answer = batchOf(
    await owner.client.trpc.orgs.invitations.create.mutate({
      orgId: into.id,
      emails: [fresh[0]!, owner.email.toUpperCase(), pending, 'not an address', ` ${fresh[1]!} `, fresh[0]!],
      role: 'member',
    }),
  );
  expect(answer.retryAfterSeconds).toBeNull();
  expect(answer.results.map((result) => [result.email, result.outcome])).toEqual([
    [fresh[0], 'invited'],
    [owner.email.toUpperCase(), 'already_member'],
    [pending, 'already_invited'],
    ['not an address', 'invalid'],
    [fresh[1], 'invited'],
    [fresh[0], 'already_invited'],
  ]);
  for (const email of fresh) await server.mail.waitForMail({ to: email, subject: 'invited you to Team Import', since });
  expect(server.mail.mailsTo(pending)).toHaveLength(1);
  const listed = await owner.client.trpc.orgs.invitations.list.query({ orgId: into.id });
  expect(listed.map((invitation) => invitation.email).sort()).toEqual([pending, ...fresh].sort());
  expect(listed[0]).toMatchObject({
    status: 'pending',
    invitedBy: { userId: owner.session.user.id, name: 'Olga Owner' },
  });

  // A member is refused on the single form with the field named.
  const error = await expectReason(
    owner.client.trpc.orgs.invitations.create.mutate({ orgId: into.id, email: owner.email, role: 'member' }),
    'BAD_REQUEST',
    'INVALID_INPUT',
  );
  expect(error.data?.fieldErrors?.email).toEqual(['This person is already a member.']);
});

test(`at most ${ORG_INVITATIONS_PER_DAY} invitations per organization per day; the rest are over the limit with a retry time`, async () => {
  const into = await owner.client.trpc.orgs.create.mutate({ name: 'Big Team', slug: slug() });
  const emails = Array.from({ length: ORG_INVITATIONS_PER_DAY + 2 }, (_, i) => uniqueEmail(`bulk${i}`));
  const answer = batchOf(
    await owner.client.trpc.orgs.invitations.create.mutate({ orgId: into.id, emails, role: 'member' }),
  );
  const outcomes = answer.results.map((result) => result.outcome);
  expect(outcomes.filter((outcome) => outcome === 'invited')).toHaveLength(ORG_INVITATIONS_PER_DAY);
  expect(outcomes.slice(ORG_INVITATIONS_PER_DAY)).toEqual(['over_limit', 'over_limit']);
  expect(answer.retryAfterSeconds).toBeGreaterThan(DAY - 120);
  const limited = await expectReason(
    owner.client.trpc.orgs.invitations.create.mutate({ orgId: into.id, email: uniqueEmail('one'), role: 'member' }),
    'TOO_MANY_REQUESTS',
    'RATE_LIMITED',
  );
  expect(limited.data?.retryAfterSeconds).toBeGreaterThan(0);
  expect(await owner.client.trpc.orgs.invitations.list.query({ orgId: into.id })).toHaveLength(ORG_INVITATIONS_PER_DAY);
  // Another organization has its own allowance.
  await invite(owner, org, uniqueEmail('elsewhere'));
});

test('who may invite and revoke: members may not, admins may except for owners, non-members get NOT_FOUND', async () => {
  const email = uniqueEmail('perm');
  await expectReason(
    member.client.trpc.orgs.invitations.create.mutate({ orgId: org.id, email, role: 'member' }),
    'FORBIDDEN',
    'FORBIDDEN',
  );
  await expectReason(member.client.trpc.orgs.invitations.list.query({ orgId: org.id }), 'FORBIDDEN', 'FORBIDDEN');
  await expectReason(
    admin.client.trpc.orgs.invitations.create.mutate({ orgId: org.id, email, role: 'owner' }),
    'FORBIDDEN',
    'FORBIDDEN',
  );
  await expectReason(
    admin.client.trpc.orgs.invitations.create.mutate({ orgId: org.id, emails: [email], role: 'owner' }),
    'FORBIDDEN',
    'FORBIDDEN',
  );
  const ownerInvitation = await invite(owner, org, uniqueEmail('co-owner'), 'owner');
  await expectReason(
    admin.client.trpc.orgs.invitations.revoke.mutate({ orgId: org.id, id: ownerInvitation.id }),
    'FORBIDDEN',
    'FORBIDDEN',
  );
  expect(await statusOf(ownerInvitation.id)).toBe('pending');
  await invite(admin, org, email, 'member');

  const strangers = stranger.client.trpc.orgs.invitations;
  await expectReason(strangers.create.mutate({ orgId: org.id, email, role: 'member' }), 'NOT_FOUND', 'NOT_FOUND');
  await expectReason(strangers.list.query({ orgId: org.id }), 'NOT_FOUND', 'NOT_FOUND');
  await expectReason(strangers.revoke.mutate({ orgId: org.id, id: ownerInvitation.id }), 'NOT_FOUND', 'NOT_FOUND');
});

test("an invitation of another organization cannot be revoked through one's own", async () => {
  const mine = await stranger.client.trpc.orgs.create.mutate({ name: 'Stranger Co', slug: slug() });
  const theirs = await invite(owner, org, uniqueEmail('isolated'));
  await expectReason(
    stranger.client.trpc.orgs.invitations.revoke.mutate({ orgId: mine.id, id: theirs.id }),
    'NOT_FOUND',
    'NOT_FOUND',
  );
  expect(await statusOf(theirs.id)).toBe('pending');
  expect(await stranger.client.trpc.orgs.invitations.list.query({ orgId: mine.id })).toEqual([]);
});

test('orgs.log pages newest first for members:manage only; a forged cursor is INVALID_INPUT', async () => {
  const into = await owner.client.trpc.orgs.create.mutate({ name: 'Logged', slug: slug() });
  for (let i = 0; i < 3; i++) await invite(owner, into, uniqueEmail(`log${i}`));
  const first = await owner.client.trpc.orgs.log.query({ orgId: into.id, limit: 2 });
  expect(first.items).toHaveLength(2);
  const rest = await owner.client.trpc.orgs.log.query({ orgId: into.id, limit: 2, cursor: first.nextCursor! });
  const all = [...first.items, ...rest.items];
  expect(all.map((event) => event.type)).toEqual(['member.invited', 'member.invited', 'member.invited', 'org.created']);
  expect(rest.nextCursor).toBeNull();
  expect(all.at(-1)).toMatchObject({ actor: { userId: owner.session.user.id, name: 'Olga Owner' }, subject: null });

  await expectReason(member.client.trpc.orgs.log.query({ orgId: org.id }), 'FORBIDDEN', 'FORBIDDEN');
  await expectReason(stranger.client.trpc.orgs.log.query({ orgId: org.id }), 'NOT_FOUND', 'NOT_FOUND');
  await expectReason(
    owner.client.trpc.orgs.log.query({ orgId: into.id, cursor: 'bm90LWEtY3Vyc29y' }),
    'BAD_REQUEST',
    'INVALID_INPUT',
  );
});
