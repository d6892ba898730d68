import { afterAll, beforeAll, expect, test } from 'vitest';
import { startMailCapture, type MailCapture } from '#tests/helpers/mail-capture.ts';
import { MINUTE, expectRateLimited } from '#tests/helpers/rate-limits.ts';
import { processEnv, signUpOnProcess, startServerProcess, type ServerProcess } from '#tests/helpers/server-process.ts';
import { sharedDataDir, type SharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import { strongPassword, testIp, trpcError, uniqueEmail, type TestClient } from '#tests/helpers/test-server.ts';

// API.md §6: limits hold across several server processes on one database. Two real server
// processes (`node --import tsx server/index.ts`) share one SQLite file and one DATA_DIR.

const TEST_TIME = 2 * MINUTE;
const THROTTLE_NOTICE_SUBJECT = 'Many failed sign-ins';

let data: SharedDataDir;
let mail: MailCapture;
let first: ServerProcess;
let second: ServerProcess;

beforeAll(async () => {
  data = await sharedDataDir();
  mail = await startMailCapture();
  const env = processEnv(data, mail);
  // One after the other: the first creates the database, its migrations and the keys.
  first = await startServerProcess(env);
  second = await startServerProcess(env);
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await mail?.close();
  await data?.remove();
});

/** A wrong password against a fresh address: a failure that no account's throttle notices. */
async function failAt(server: ServerProcess, ip: string): Promise<string | undefined> {
  const error = await trpcError(
    server.client({ ip }).trpc.auth.login.mutate({ email: uniqueEmail('nobody'), password: strongPassword() }),
  );
  return error.data?.reason;
}

async function refusedAt(client: TestClient, email: string, password: string) {
  const error = await trpcError(client.trpc.auth.login.mutate({ email, password }));
  return expectRateLimited(error, client.lastResponse, { atMost: 15 * MINUTE, atLeast: 1 });
}

test('both server processes serve the same accounts: a member signed up on one signs in on the other', async () => {
  const member = await signUpOnProcess(first, mail);
  const client = second.client();
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  expect((await client.trpc.auth.me.query()).id).toBe(member.session.user.id);
  // Each process has its own PUBLIC_URL here, the issuer and audience of its access tokens, so
  // the session list is where the other process's sign-in shows.
  expect(await member.client.trpc.auth.sessions.list.query()).toHaveLength(2);
});

test('auth.login counts the 30 attempts per IP over both server processes: the 31st is refused by either', async () => {
  const member = await signUpOnProcess(first, mail);
  const ip = testIp();
  for (let attempt = 1; attempt <= 30; attempt++) {
    const reason = await failAt(attempt % 2 === 0 ? first : second, ip);
    expect({ attempt, reason }).toEqual({ attempt, reason: 'INVALID_CREDENTIALS' });
  }
  for (const server of [first, second]) {
    const client = server.client({ ip });
    const error = await trpcError(client.trpc.auth.login.mutate({ email: member.email, password: member.password }));
    expectRateLimited(error, client.lastResponse, { atMost: 5 * MINUTE, atLeast: 5 * MINUTE - TEST_TIME });
  }
});

test('auth.login lets exactly 30 of 40 simultaneous attempts from one IP through when they are spread over both server processes', async () => {
  const ip = testIp();
  const reasons = await Promise.all(
    Array.from({ length: 40 }, (_, index) => failAt(index % 2 === 0 ? first : second, ip)),
  );
  expect(reasons.filter((reason) => reason === 'INVALID_CREDENTIALS')).toHaveLength(30);
  expect(reasons.filter((reason) => reason === 'RATE_LIMITED')).toHaveLength(10);
});

test('auth.login throttles an account after 10 failures spread over both server processes, on both, with one notice to the owner', async () => {
  const owner = await signUpOnProcess(second, mail);
  const since = mail.mark();
  for (let failure = 1; failure <= 10; failure++) {
    const server = failure % 2 === 0 ? first : second;
    const error = await trpcError(
      server.client().trpc.auth.login.mutate({ email: owner.email, password: strongPassword() }),
    );
    expect({ failure, reason: error.data?.reason }).toEqual({ failure, reason: 'INVALID_CREDENTIALS' });
  }
  await refusedAt(first.client(), owner.email, owner.password);
  await refusedAt(second.client(), owner.email, owner.password);

  // The owner's device, known to the account whichever process set its cookie, still gets in on both.
  for (const server of [first, second]) {
    const device = server.client();
    for (const [name, value] of owner.client.cookies) device.cookies.set(name, value);
    expect((await device.trpc.auth.login.mutate({ email: owner.email, password: owner.password })).status).toBe(
      'signed_in',
    );
  }

  await mail.waitForMail({ to: owner.email, subject: THROTTLE_NOTICE_SUBJECT, since });
  // Give a second notice, were there one, time to arrive.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(
    mail.mailsTo(owner.email).filter((m) => m.seq > since && m.subject.includes(THROTTLE_NOTICE_SUBJECT)),
  ).toHaveLength(1);
});
