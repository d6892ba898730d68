import { afterAll, beforeAll, expect, test } from 'vitest';
import { sharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import {
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;
let sender: SignedUp;
let open: SignedUp;
let closed: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  [sender, open, closed] = await Promise.all([
    signUpAndVerify(server, { name: 'Sam Sender' }),
    signUpAndVerify(server, { name: 'Olive Open' }),
    signUpAndVerify(server, { name: 'Clara Closed' }),
  ]);
  await open.client.trpc.privacy.update.mutate({ allowEmailContact: true });
});
afterAll(async () => {
  await server?.close();
});

type Raw = Awaited<ReturnType<typeof rawTrpc>>;

const contactRaw = (token: string | null, input: unknown) =>
  rawTrpc(server, { path: 'profile.contact', headers: token ? { Authorization: `Bearer ${token}` } : {}, input });

/** Fails when the address, or its local part, shows anywhere in what the sender got back. */
function expectNoAddress(response: Raw, address: string): void {
  const localPart = address.split('@')[0]!.toLowerCase();
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  for (const [where, text] of [
    ['body', response.text],
    ['headers', headers],
  ] as const) {
    expect(text.toLowerCase(), `the ${where} of an answer`).not.toContain(localPart);
  }
}

test('profile.contact refuses a recipient who does not allow contact with FORBIDDEN and CONTACT_NOT_ALLOWED, and mails nobody', async () => {
  const since = server.mail.mark();
  const response = await contactRaw(sender.session.accessToken, {
    userId: closed.session.user.id,
    message: 'Hello there',
  });
  expect(response.status).toBe(403);
  expect(response.json.error.data).toMatchObject({ code: 'FORBIDDEN', reason: 'CONTACT_NOT_ALLOWED' });
  expectNoAddress(response, closed.email);
  expect(server.mail.mails().filter((mail) => mail.seq > since)).toEqual([]);
});

test('profile.contact answers NOT_FOUND for an unknown member', async () => {
  const error = await trpcError(
    sender.client.trpc.profile.contact.mutate({ userId: 'AAAAAAAAAAAAAAAAAAAAAA', message: 'Hello' }),
  );
  expect(error.data?.code).toBe('NOT_FOUND');
  expect(error.data?.httpStatus).toBe(404);
  expect(error.data?.reason).toBe('NOT_FOUND');
});

test('profile.contact mails the message to a member who allows contact, once, replying to the sender', async () => {
  expect((await server.client().trpc.profile.get.query({ userId: open.session.user.id })).canBeContacted).toBe(true);
  const since = server.mail.mark();
  const message = 'Hello Olive,\nI liked your flyer about the community garden. Can I help on Saturday?';
  expect(await sender.client.trpc.profile.contact.mutate({ userId: open.session.user.id, message })).toEqual({
    status: 'ok',
  });

  const newMails = server.mail.mails().filter((mail) => mail.seq > since);
  expect(newMails).toHaveLength(1);
  const mail = newMails[0]!;
  expect(mail.to).toEqual([open.email]);
  expect(mail.replyTo).toEqual([sender.email]);
  expect(mail.text).toContain(message);
  expect(mail.text).toContain('Sam Sender');
  expect(mail.html).toContain('Sam Sender');
});

test('profile.contact escapes markup from the message in the HTML part of the mail', async () => {
  const since = server.mail.mark();
  const message = 'Look: <a href="https://evil.example/phish">your account</a> <script>alert(1)</script>';
  await sender.client.trpc.profile.contact.mutate({ userId: open.session.user.id, message });
  const mail = await server.mail.waitForMail({ to: open.email, since });
  expect(mail.html).not.toContain('<a href="https://evil.example/phish">');
  expect(mail.html).not.toContain('<script>');
  expect(mail.html).toContain('&lt;script&gt;');
  expect(mail.text).toContain(message);
});

test("profile.contact never shows the recipient's email address to the sender, in success or error answers", async () => {
  const token = sender.session.accessToken;
  const answers: Raw[] = [
    await rawTrpc(server, {
      path: 'profile.get',
      method: 'GET',
      input: { userId: open.session.user.id },
      headers: { Authorization: `Bearer ${token}` },
    }),
    await contactRaw(token, { userId: open.session.user.id, message: 'A short note.' }),
    await contactRaw(token, { userId: open.session.user.id, message: '' }),
    await contactRaw(token, { userId: open.session.user.id, message: 'x'.repeat(2001) }),
    await contactRaw(token, { userId: open.session.user.id }),
    await contactRaw(null, { userId: open.session.user.id, message: 'Anonymous hello' }),
  ];
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400, 400, 400, 401]);
  for (const answer of answers) expectNoAddress(answer, open.email);

  const refused = [
    await rawTrpc(server, { path: 'profile.get', method: 'GET', input: { userId: closed.session.user.id } }),
    await contactRaw(token, { userId: closed.session.user.id, message: 'Hi' }),
  ];
  expect(refused.map((answer) => answer.status)).toEqual([200, 403]);
  for (const answer of refused) expectNoAddress(answer, closed.email);
});

test.each([
  ['an empty message', ''],
  ['a message of only spaces and line breaks', '  \n\t  '],
  ['a message of 2001 characters', 'm'.repeat(2001)],
  ['a message of 2001 code points', '\u{1F4EE}'.repeat(2001)],
])('profile.contact refuses %s with BAD_REQUEST and fieldErrors.message', async (_what, message) => {
  const since = server.mail.mark();
  const response = await contactRaw(sender.session.accessToken, { userId: open.session.user.id, message });
  expect(response.status).toBe(400);
  expect(response.json.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
  expect(response.json.error.data.fieldErrors.message).toEqual(
    expect.arrayContaining([expect.stringMatching(/\w{3}/)]),
  );
  expect(server.mail.mails().filter((mail) => mail.seq > since)).toEqual([]);
});

test('profile.contact accepts a message of 2000 code points', async () => {
  const since = server.mail.mark();
  const message = '\u{1F4EE}'.repeat(2000);
  expect(await sender.client.trpc.profile.contact.mutate({ userId: open.session.user.id, message })).toEqual({
    status: 'ok',
  });
  expect((await server.mail.waitForMail({ to: open.email, since })).text).toContain(message);
});

test('profile.contact refuses a request without a token with UNAUTHORIZED and mails nobody', async () => {
  const since = server.mail.mark();
  const error = await trpcError(
    server.client().trpc.profile.contact.mutate({ userId: open.session.user.id, message: 'Hello' }),
  );
  expect(error.data?.code).toBe('UNAUTHORIZED');
  expect(error.data?.reason).toBe('UNAUTHENTICATED');
  expect(server.mail.mails().filter((mail) => mail.seq > since)).toEqual([]);
});

test('profile.contact stops once the recipient turns contact off again', async () => {
  const [listener, writer] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
  await listener.client.trpc.privacy.update.mutate({ allowEmailContact: true });
  await writer.client.trpc.profile.contact.mutate({ userId: listener.session.user.id, message: 'First' });
  await listener.client.trpc.privacy.update.mutate({ allowEmailContact: false });
  expect((await server.client().trpc.profile.get.query({ userId: listener.session.user.id })).canBeContacted).toBe(
    false,
  );
  const error = await trpcError(
    writer.client.trpc.profile.contact.mutate({ userId: listener.session.user.id, message: 'Second' }),
  );
  expect(error.data?.reason).toBe('CONTACT_NOT_ALLOWED');
  expect(server.mail.mailsTo(listener.email).filter((mail) => mail.replyTo?.includes(writer.email))).toHaveLength(1);
});

test('profile.contact allows 10 messages a day per sender and refuses the 11th with RATE_LIMITED and Retry-After', async () => {
  const chatty = await signUpAndVerify(server);
  for (let sent = 1; sent <= 10; sent++) {
    const response = await contactRaw(chatty.session.accessToken, {
      userId: open.session.user.id,
      message: `Message ${sent}`,
    });
    expect({ sent, status: response.status }).toEqual({ sent, status: 200 });
  }
  const since = server.mail.mark();
  const response = await contactRaw(chatty.session.accessToken, {
    userId: open.session.user.id,
    message: 'Message 11',
  });
  expect(response.status).toBe(429);
  expect(response.json.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
  const retryAfterSeconds: unknown = response.json.error.data.retryAfterSeconds;
  expect(typeof retryAfterSeconds).toBe('number');
  expect(retryAfterSeconds).toBeGreaterThan(0);
  expect(retryAfterSeconds).toBeLessThanOrEqual(24 * 60 * 60);
  expect(response.headers.get('retry-after')).toBe(String(retryAfterSeconds));
  expectNoAddress(response, open.email);
  expect(server.mail.mails().filter((mail) => mail.seq > since)).toEqual([]);

  // Per sender: someone else may still write.
  expect(
    await sender.client.trpc.profile.contact.mutate({ userId: open.session.user.id, message: 'Still fine' }),
  ).toEqual({ status: 'ok' });
});

test("profile.contact keeps counting a sender's messages after the server restarts on the same database", async () => {
  const data = await sharedDataDir();
  let first: TestServer | undefined;
  let second: TestServer | undefined;
  try {
    first = await startTestServer(data.env);
    const [writer, reader] = await Promise.all([signUpAndVerify(first), signUpAndVerify(first)]);
    await reader.client.trpc.privacy.update.mutate({ allowEmailContact: true });
    for (let sent = 1; sent <= 10; sent++) {
      await writer.client.trpc.profile.contact.mutate({
        userId: reader.session.user.id,
        message: `Before restart ${sent}`,
      });
    }
    await first.close();
    first = undefined;

    second = await startTestServer(data.env);
    const signIn = await second.client().trpc.auth.login.mutate({ email: writer.email, password: writer.password });
    if (signIn.status !== 'signed_in') throw new Error(`expected signed_in, got ${signIn.status}`);
    const restarted = second.client({ bearer: signIn.session.accessToken });
    const error = await trpcError(
      restarted.trpc.profile.contact.mutate({ userId: reader.session.user.id, message: 'After restart' }),
    );
    expect(error.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(error.data?.reason).toBe('RATE_LIMITED');
    expect(error.data?.retryAfterSeconds).toBeGreaterThan(0);
    expect(second.mail.mailsTo(reader.email)).toEqual([]);

    // A day later the sender may write again.
    second.shiftClock(24 * 60 * 60 + 5);
    const nextDay = await second.client().trpc.auth.login.mutate({ email: writer.email, password: writer.password });
    if (nextDay.status !== 'signed_in') throw new Error(`expected signed_in, got ${nextDay.status}`);
    await second
      .client({ bearer: nextDay.session.accessToken })
      .trpc.profile.contact.mutate({ userId: reader.session.user.id, message: 'A day later' });
    expect((await second.mail.waitForMail({ to: reader.email })).replyTo).toEqual([writer.email]);
  } finally {
    await first?.close();
    await second?.close();
    await data.remove();
  }
});
