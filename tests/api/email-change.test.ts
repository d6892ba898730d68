import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { linkIn, tokenIn } from '#tests/helpers/mail-capture.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const HOUR = 60 * 60;
const CONFIRM_SUBJECT = 'Confirm your new email for Latchkey';
const NOTICE_SUBJECT = 'Your Latchkey email is about to change';
const TAKEN_SUBJECT = 'Someone tried to use your email on Latchkey';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => server.shiftClock(0));

const confirm = (token: string) => server.client().trpc.auth.email.confirmChange.mutate({ token });

async function expectLoginRefused(email: string, password: string) {
  await expectReason(
    server.client().trpc.auth.login.mutate({ email, password }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
}

async function expectLoginWorks(email: string, password: string) {
  const result = await server.client().trpc.auth.login.mutate({ email, password });
  expect(result.status).toBe('signed_in');
}

/** Requests the change and returns the token from the confirmation mail sent to the new address. */
async function requestChange(member: SignedUp, newEmail: string): Promise<string> {
  const since = server.mail.mark();
  expect(await member.client.trpc.auth.email.change.mutate({ newEmail, password: member.password })).toEqual({
    status: 'ok',
  });
  const mail = await server.mail.waitForMail({ to: newEmail, subject: CONFIRM_SUBJECT, since });
  return tokenIn(mail, '/confirm-email?token=');
}

/** Waits for the background mails of a request to have gone out, so their absence means something. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

test('auth.email.change refuses a wrong password with UNAUTHORIZED INVALID_CREDENTIALS and mails nobody', async () => {
  const member = await signUpAndVerify(server);
  const newEmail = uniqueEmail('new');
  const since = server.mail.mark();
  const error = await expectReason(
    member.client.trpc.auth.email.change.mutate({ newEmail, password: strongPassword() }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
  expect(error.data?.fieldErrors?.password?.length).toBeGreaterThan(0);
  await settle();
  expect(server.mail.mails().filter((mail) => mail.seq > since)).toEqual([]);
});

test('auth.email.change refuses the account’s own address, whatever its case, with BAD_REQUEST under newEmail', async () => {
  const member = await signUpAndVerify(server);
  for (const newEmail of [member.email, ` ${member.email.toUpperCase()} `]) {
    const error = await expectReason(
      member.client.trpc.auth.email.change.mutate({ newEmail, password: member.password }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.newEmail?.length).toBeGreaterThan(0);
  }
});

test('auth.email.change to a free address mails a confirmation link to it and a notice to the old one, and changes nothing yet', async () => {
  const member = await signUpAndVerify(server);
  const newEmail = uniqueEmail('new');
  const since = server.mail.mark();
  expect(await member.client.trpc.auth.email.change.mutate({ newEmail, password: member.password })).toEqual({
    status: 'ok',
  });

  const confirmation = await server.mail.waitForMail({ to: newEmail, subject: CONFIRM_SUBJECT, since });
  const link = linkIn(confirmation, '/confirm-email?token=');
  expect(link.origin).toBe(server.url);
  const notice = await server.mail.waitForMail({ to: member.email, subject: NOTICE_SUBJECT, since });
  expect(notice.text).toContain(newEmail);
  // The link goes only to the new address: whoever reads the old mailbox cannot confirm for it.
  expect(notice.text).not.toContain(link.searchParams.get('token'));

  expect((await member.client.trpc.auth.me.query()).email).toBe(member.email);
  await expectLoginRefused(newEmail, member.password);
  await expectLoginWorks(member.email, member.password);
});

test('auth.email.confirmChange makes the new address the account’s: auth.me shows it, login works with it and not with the old one', async () => {
  const member = await signUpAndVerify(server);
  const newEmail = uniqueEmail('new');
  const token = await requestChange(member, newEmail);

  expect(await confirm(token)).toEqual({ status: 'ok' });
  const me = await member.client.trpc.auth.me.query();
  expect({ email: me.email, emailVerified: me.emailVerified }).toEqual({ email: newEmail, emailVerified: true });
  await expectLoginWorks(newEmail, member.password);
  await expectLoginRefused(member.email, member.password);
  // The old address is free for someone else now.
  const newcomer = await signUpAndVerify(server, { email: member.email });
  expect(newcomer.session.user.id).not.toBe(member.session.user.id);
});

test('auth.email.confirmChange refuses a used link with INVALID_TOKEN', async () => {
  const member = await signUpAndVerify(server);
  const token = await requestChange(member, uniqueEmail('new'));
  await confirm(token);
  await expectReason(confirm(token), 'BAD_REQUEST', 'INVALID_TOKEN');
});

test('auth.email.confirmChange accepts a link 23 hours old and refuses one older than 24 hours, leaving the email as it was', async () => {
  const [fresh, stale] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
  const [freshEmail, staleEmail] = [uniqueEmail('fresh'), uniqueEmail('stale')];
  const freshToken = await requestChange(fresh, freshEmail);
  const staleToken = await requestChange(stale, staleEmail);

  server.shiftClock(23 * HOUR);
  expect(await confirm(freshToken)).toEqual({ status: 'ok' });
  server.shiftClock(24 * HOUR + 5);
  await expectReason(confirm(staleToken), 'BAD_REQUEST', 'INVALID_TOKEN');
  server.shiftClock(0);
  expect((await stale.client.trpc.auth.me.query()).email).toBe(stale.email);
  await expectLoginRefused(staleEmail, stale.password);
});

test('auth.email.confirmChange refuses an unknown token with INVALID_TOKEN', async () => {
  await expectReason(confirm('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 'BAD_REQUEST', 'INVALID_TOKEN');
});

test('auth.email.change to a taken address answers the same Ok, mails no link to it but a notice to its owner, and changes nothing', async () => {
  const [member, owner] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
  const since = server.mail.mark();
  expect(
    await member.client.trpc.auth.email.change.mutate({
      newEmail: owner.email.toUpperCase(),
      password: member.password,
    }),
  ).toEqual({ status: 'ok' });

  const taken = await server.mail.waitForMail({ to: owner.email, subject: TAKEN_SUBJECT, since });
  expect(taken.text).not.toContain(member.email);
  await settle();
  const toOwner = server.mail.mailsTo(owner.email).filter((mail) => mail.seq > since);
  expect(toOwner.map((mail) => mail.subject)).toEqual([TAKEN_SUBJECT]);
  expect(toOwner.some((mail) => /confirm-email/.test(mail.text ?? ''))).toBe(false);

  expect((await member.client.trpc.auth.me.query()).email).toBe(member.email);
  expect((await owner.client.trpc.auth.me.query()).email).toBe(owner.email);
  await expectLoginWorks(member.email, member.password);
});

test('auth.email.change to a taken address looks to the requester like a free one: the same notice to the current address and the same security event', async () => {
  const [free, taken, owner] = await Promise.all([
    signUpAndVerify(server),
    signUpAndVerify(server),
    signUpAndVerify(server),
  ]);
  const since = server.mail.mark();
  await free.client.trpc.auth.email.change.mutate({ newEmail: uniqueEmail('free'), password: free.password });
  await taken.client.trpc.auth.email.change.mutate({ newEmail: owner.email, password: taken.password });

  // What each requester can see: their own mailbox and their own security log.
  const noticeToFree = await server.mail.waitForMail({ to: free.email, subject: NOTICE_SUBJECT, since });
  const noticeToTaken = await server.mail.waitForMail({ to: taken.email, subject: NOTICE_SUBJECT, since });
  expect(noticeToTaken.subject).toBe(noticeToFree.subject);
  expect(noticeToTaken.text).toContain(owner.email);
  const latestEvent = async (member: SignedUp) =>
    (await member.client.trpc.auth.securityEvents.query({ limit: 1 })).items[0]?.type;
  expect(await latestEvent(free)).toBe('email.change_requested');
  expect(await latestEvent(taken)).toBe('email.change_requested');
});

test('auth.email.confirmChange refuses with INVALID_TOKEN when the address was registered by someone else in the meantime', async () => {
  const member = await signUpAndVerify(server);
  const newEmail = uniqueEmail('contested');
  const token = await requestChange(member, newEmail);
  const other = await signUpAndVerify(server, { email: newEmail });

  await expectReason(confirm(token), 'BAD_REQUEST', 'INVALID_TOKEN');
  expect((await member.client.trpc.auth.me.query()).email).toBe(member.email);
  expect((await other.client.trpc.auth.me.query()).email).toBe(newEmail);
});

test('auth.email.change refuses a caller without a token with UNAUTHENTICATED', async () => {
  await expectReason(
    server.client().trpc.auth.email.change.mutate({ newEmail: uniqueEmail(), password: strongPassword() }),
    'UNAUTHORIZED',
    'UNAUTHENTICATED',
  );
});
