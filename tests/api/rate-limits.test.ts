import { afterAll, beforeAll, expect, test } from 'vitest';
import { HOUR, MINUTE, deliveredMails, expectRateLimited, forwardClock } from '#tests/helpers/rate-limits.ts';
import { sharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  ACCOUNT_EXISTS_SUBJECT,
  VERIFY_SUBJECT,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  testIp,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const RESET_SUBJECT = 'Reset your Latchkey password';
const CONFIRM_CHANGE_SUBJECT = 'Confirm your new email for Latchkey';
/** Slack for the time the test itself takes between the first counted call and the refusal. */
const TEST_TIME = 2 * MINUTE;

let server: TestServer;
let clock: ReturnType<typeof forwardClock>;

beforeAll(async () => {
  server = await startTestServer();
  clock = forwardClock(server);
});
afterAll(async () => {
  await server?.close();
});

/** Runs a call that must be refused and returns the error with the response that carried it. */
async function refused(client: TestClient, call: (client: TestClient) => Promise<unknown>) {
  const error = await trpcError(call(client));
  return { error, response: client.lastResponse };
}

async function expectSignedIn(client: TestClient, email: string, password: string): Promise<void> {
  const result = await client.trpc.auth.login.mutate({ email, password });
  expect(result.status).toBe('signed_in');
}

test('auth.login allows 30 attempts per client IP in 5 minutes, successful or not, then refuses even the right password with RATE_LIMITED until the window passes', async () => {
  const member = await signUpAndVerify(server);
  const ip = testIp();
  const client = server.client({ ip });
  for (let attempt = 1; attempt <= 30; attempt++) {
    // Five successful sign-ins count as well as 25 failures (each against a different address, so
    // that no address's own throttle comes into play).
    if (attempt <= 5) await expectSignedIn(client, member.email, member.password);
    else {
      const error = await trpcError(
        client.trpc.auth.login.mutate({ email: uniqueEmail('nobody'), password: strongPassword() }),
      );
      expect({ attempt, reason: error.data?.reason }).toEqual({ attempt, reason: 'INVALID_CREDENTIALS' });
    }
  }

  const { error, response } = await refused(client, (c) =>
    c.trpc.auth.login.mutate({ email: member.email, password: member.password }),
  );
  expectRateLimited(error, response, { atMost: 5 * MINUTE, atLeast: 5 * MINUTE - TEST_TIME });
  // A new client from the same network is refused too: the count is the address's, not the browser's.
  const sameNetwork = await refused(server.client({ ip }), (c) =>
    c.trpc.auth.login.mutate({ email: member.email, password: member.password }),
  );
  expectRateLimited(sameNetwork.error, sameNetwork.response, { atMost: 5 * MINUTE, atLeast: 5 * MINUTE - TEST_TIME });
  // Another network is not affected.
  await expectSignedIn(server.client(), member.email, member.password);

  clock.advance(5 * MINUTE + 1);
  await expectSignedIn(client, member.email, member.password);
});

test('auth.register allows 10 sign-ups per IP an hour and refuses the 11th with RATE_LIMITED, mailing nobody, until the hour passes', async () => {
  const ip = testIp();
  const client = server.client({ ip });
  for (let signUp = 1; signUp <= 10; signUp++) {
    expect(
      await client.trpc.auth.register.mutate({ email: uniqueEmail('signup'), password: strongPassword() }),
    ).toEqual({ status: 'verification_sent' });
  }
  const eleventh = uniqueEmail('signup');
  const since = server.mail.mark();
  const { error, response } = await refused(client, (c) =>
    c.trpc.auth.register.mutate({ email: eleventh, password: strongPassword() }),
  );
  expectRateLimited(error, response, { atMost: HOUR, atLeast: HOUR - TEST_TIME });
  expect(await deliveredMails(server, eleventh, since)).toEqual([]);

  // From another network the same address signs up.
  await server.client().trpc.auth.register.mutate({ email: eleventh, password: strongPassword() });
  await server.mail.waitForMail({ to: eleventh, subject: VERIFY_SUBJECT, since });

  clock.advance(HOUR + 1);
  const later = uniqueEmail('signup');
  expect(await client.trpc.auth.register.mutate({ email: later, password: strongPassword() })).toEqual({
    status: 'verification_sent',
  });
  await server.mail.waitForMail({ to: later, subject: VERIFY_SUBJECT });
});

type PerIpCase = {
  path: string;
  /** The member whose session calls the procedure, when it needs one (on the client's IP). */
  needsMember: boolean;
  call: (client: TestClient, member: SignedUp | null) => Promise<unknown>;
};

const PER_IP_CASES: PerIpCase[] = [
  {
    path: 'auth.password.requestReset',
    needsMember: false,
    call: (client) => client.trpc.auth.password.requestReset.mutate({ email: uniqueEmail('reset') }),
  },
  {
    path: 'auth.resendVerification',
    needsMember: false,
    call: (client) => client.trpc.auth.resendVerification.mutate({ email: uniqueEmail('resend') }),
  },
  {
    path: 'auth.email.change',
    needsMember: true,
    call: (client, member) =>
      client.trpc.auth.email.change.mutate({ newEmail: uniqueEmail('moved'), password: member!.password }),
  },
];

test.each(PER_IP_CASES.map((c) => [c.path, c] as const))(
  '%s allows 20 calls per IP an hour and refuses the 21st with RATE_LIMITED and Retry-After, until the hour passes',
  async (_path, { needsMember, call }) => {
    const ip = testIp();
    const member = needsMember ? await signUpAndVerify(server, {}, { ip }) : null;
    const client = member?.client ?? server.client({ ip });
    for (let calls = 1; calls <= 20; calls++) {
      expect({ calls, answer: await call(client, member) }).toEqual({ calls, answer: { status: 'ok' } });
    }
    const { error, response } = await refused(client, (c) => call(c, member));
    expectRateLimited(error, response, { atMost: HOUR, atLeast: HOUR - TEST_TIME });

    // Another network is not affected.
    const elsewhere = member ? member.client.fork({ ip: testIp() }) : server.client();
    expect(await call(elsewhere, member)).toEqual({ status: 'ok' });

    clock.advance(HOUR + 1);
    // The member's access token has expired by now: sign in again on the same network.
    if (member) {
      const again = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
      if (again.status !== 'signed_in') throw new Error(`expected signed_in, got ${again.status}`);
      client.useSession(again.session);
    }
    expect(await call(client, member)).toEqual({ status: 'ok' });
  },
);

test('auth.password.requestReset, auth.resendVerification and auth.email.change count their 20 calls per IP separately', async () => {
  const ip = testIp();
  const member = await signUpAndVerify(server, {}, { ip });
  const client = member.client;
  for (let calls = 1; calls <= 20; calls++)
    await client.trpc.auth.password.requestReset.mutate({ email: uniqueEmail('reset') });
  const { error, response } = await refused(client, (c) =>
    c.trpc.auth.password.requestReset.mutate({ email: member.email }),
  );
  expectRateLimited(error, response, { atMost: HOUR, atLeast: HOUR - TEST_TIME });

  expect(await client.trpc.auth.resendVerification.mutate({ email: uniqueEmail('resend') })).toEqual({ status: 'ok' });
  expect(
    await client.trpc.auth.email.change.mutate({ newEmail: uniqueEmail('moved'), password: member.password }),
  ).toEqual({ status: 'ok' });
});

test('auth.resendVerification sends at most 3 verification mails an hour to one address, the sign-up mail counting as one, and always answers Ok', async () => {
  const email = uniqueEmail('unverified');
  const since = server.mail.mark();
  await server.client().trpc.auth.register.mutate({ email, password: strongPassword() });
  for (let resend = 1; resend <= 3; resend++) {
    // Each from another network, so that only the per-address count can stop the mail.
    expect(await server.client().trpc.auth.resendVerification.mutate({ email })).toEqual({ status: 'ok' });
  }
  const mails = await deliveredMails(server, email, since, VERIFY_SUBJECT);
  expect(mails).toHaveLength(3);

  clock.advance(HOUR + 1);
  const later = server.mail.mark();
  expect(await server.client().trpc.auth.resendVerification.mutate({ email })).toEqual({ status: 'ok' });
  expect(await deliveredMails(server, email, later, VERIFY_SUBJECT)).toHaveLength(1);
});

test('auth.password.requestReset sends at most 3 reset mails an hour to one address and answers the 4th request Ok all the same', async () => {
  const member = await signUpAndVerify(server);
  const since = server.mail.mark();
  for (let request = 1; request <= 4; request++) {
    expect({
      request,
      answer: await server.client().trpc.auth.password.requestReset.mutate({ email: member.email }),
    }).toEqual({
      request,
      answer: { status: 'ok' },
    });
  }
  expect(await deliveredMails(server, member.email, since, RESET_SUBJECT)).toHaveLength(3);

  clock.advance(HOUR + 1);
  const later = server.mail.mark();
  await server.client().trpc.auth.password.requestReset.mutate({ email: member.email });
  expect(await deliveredMails(server, member.email, later, RESET_SUBJECT)).toHaveLength(1);
});

test('auth.email.change sends at most 3 confirmation mails an hour to one new address and answers the 4th request Ok all the same', async () => {
  const member = await signUpAndVerify(server);
  const newEmail = uniqueEmail('wanted');
  const since = server.mail.mark();
  for (let request = 1; request <= 4; request++) {
    // Each from another network, so that only the per-address count can stop the mail.
    const tab = member.client.fork({ ip: testIp() });
    expect({
      request,
      answer: await tab.trpc.auth.email.change.mutate({ newEmail, password: member.password }),
    }).toEqual({
      request,
      answer: { status: 'ok' },
    });
  }
  expect(await deliveredMails(server, newEmail, since, CONFIRM_CHANGE_SUBJECT)).toHaveLength(3);
});

test('auth.register sends the owner of a taken address at most 3 "someone tried to sign up" notices an hour, answering the same each time', async () => {
  const owner = await signUpAndVerify(server);
  const since = server.mail.mark();
  for (let attempt = 1; attempt <= 4; attempt++) {
    const answer = await server.client().trpc.auth.register.mutate({ email: owner.email, password: strongPassword() });
    expect({ attempt, answer }).toEqual({ attempt, answer: { status: 'verification_sent' } });
  }
  expect(await deliveredMails(server, owner.email, since, ACCOUNT_EXISTS_SUBJECT)).toHaveLength(3);
});

test('auth.verifyMfa allows 10 wrong codes per account in 15 minutes across several mfaTokens, then refuses even the right code with RATE_LIMITED until the window passes', async () => {
  const member = await signUpAndVerify(server);
  const serverNow = () => server.app.deps.now();
  const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
  await member.client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, serverNow()) });
  clock.advance(30); // the code used to enable is spent

  const passwordStep = async (client: TestClient) => {
    const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
    if (result.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${result.status}`);
    return result.mfaToken;
  };
  const wrongCode = () => totpAt(secret, serverNow(), 10);

  // Two sign-ins with five wrong codes each: every try is within its token's five.
  for (let signIn = 1; signIn <= 2; signIn++) {
    const client = server.client();
    const mfaToken = await passwordStep(client);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const error = await trpcError(client.trpc.auth.verifyMfa.mutate({ mfaToken, code: wrongCode() }));
      expect({ signIn, attempt, reason: error.data?.reason }).toEqual({ signIn, attempt, reason: 'INVALID_MFA_CODE' });
    }
  }

  const third = server.client();
  const mfaToken = await passwordStep(third);
  const { error, response } = await refused(third, (c) =>
    c.trpc.auth.verifyMfa.mutate({ mfaToken, code: totpAt(secret, serverNow()) }),
  );
  expectRateLimited(error, response, { atMost: 15 * MINUTE, atLeast: 15 * MINUTE - TEST_TIME });

  clock.advance(15 * MINUTE + 1);
  const fourth = server.client();
  const session = await fourth.trpc.auth.verifyMfa.mutate({
    mfaToken: await passwordStep(fourth),
    code: totpAt(secret, serverNow()),
  });
  expect(session.user.id).toBe(member.session.user.id);
});

test('auth.password.requestReset still refuses an IP over its 20 calls an hour after the server restarts on the same database', async () => {
  const data = await sharedDataDir();
  let first: TestServer | undefined;
  let second: TestServer | undefined;
  try {
    first = await startTestServer(data.env);
    const ip = testIp();
    for (let calls = 1; calls <= 20; calls++)
      await first.client({ ip }).trpc.auth.password.requestReset.mutate({ email: uniqueEmail('reset') });
    await first.close();
    first = undefined;

    second = await startTestServer(data.env);
    const { error, response } = await refused(second.client({ ip }), (c) =>
      c.trpc.auth.password.requestReset.mutate({ email: uniqueEmail('reset') }),
    );
    expectRateLimited(error, response, { atMost: HOUR, atLeast: HOUR - TEST_TIME });
    expect(await second.client().trpc.auth.password.requestReset.mutate({ email: uniqueEmail('reset') })).toEqual({
      status: 'ok',
    });

    second.shiftClock(HOUR + 1);
    expect(await second.client({ ip }).trpc.auth.password.requestReset.mutate({ email: uniqueEmail('reset') })).toEqual(
      { status: 'ok' },
    );
  } finally {
    await first?.close();
    await second?.close();
    await data.remove();
  }
});
