import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  decodeJwt,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;
let member: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  member = await signUpAndVerify(server, { name: 'Grace Hopper' });
});
afterAll(async () => {
  await server?.close();
});

test('auth.login signs a verified member in with a session and a refresh cookie', async () => {
  const client = server.client();
  const result = await client.trpc.auth.login.mutate({ email: member.email, password: member.password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  expect(result.session.user).toEqual(member.session.user);
  expect(client.refreshToken()).toBeTruthy();
  client.useSession(result.session);
  expect((await client.trpc.auth.me.query()).id).toBe(member.session.user.id);
  // A new session: not the one the verification link opened.
  expect(decodeJwt(result.session.accessToken).payload.sid).not.toBe(decodeJwt(member.session.accessToken).payload.sid);
});

test('auth.login finds the account whatever the case and surrounding spaces of the email', async () => {
  const result = await server
    .client()
    .trpc.auth.login.mutate({ email: `  ${member.email.toUpperCase()}  `, password: member.password });
  expect(result.status).toBe('signed_in');
});

test('auth.login refuses a wrong password with INVALID_CREDENTIALS', async () => {
  const client = server.client();
  const error = await trpcError(
    client.trpc.auth.login.mutate({ email: member.email, password: `${member.password}x` }),
  );
  expect(error.data?.code).toBe('UNAUTHORIZED');
  expect(error.data?.httpStatus).toBe(401);
  expect(error.data?.reason).toBe('INVALID_CREDENTIALS');
  expect(client.cookies.size).toBe(0);
});

test('auth.login answers an unknown email exactly as a wrong password', async () => {
  const wrongPassword = await trpcError(
    server.client().trpc.auth.login.mutate({ email: member.email, password: strongPassword() }),
  );
  const unknownEmail = await trpcError(
    server.client().trpc.auth.login.mutate({ email: uniqueEmail('ghost'), password: strongPassword() }),
  );
  expect(unknownEmail.data?.reason).toBe('INVALID_CREDENTIALS');
  expect({
    message: unknownEmail.message,
    code: unknownEmail.data?.code,
    reason: unknownEmail.data?.reason,
    httpStatus: unknownEmail.data?.httpStatus,
  }).toEqual({
    message: wrongPassword.message,
    code: wrongPassword.data?.code,
    reason: wrongPassword.data?.reason,
    httpStatus: wrongPassword.data?.httpStatus,
  });
});

test('auth.login takes about as long for an unknown email as for a wrong password', async () => {
  const time = async (email: string) => {
    const started = performance.now();
    await trpcError(server.client().trpc.auth.login.mutate({ email, password: strongPassword() }));
    return performance.now() - started;
  };
  await time(uniqueEmail('warm-up'));
  const known: number[] = [];
  const unknown: number[] = [];
  for (let round = 0; round < 5; round++) {
    known.push(await time(member.email));
    unknown.push(await time(uniqueEmail('ghost')));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[2]!;
  // Both pay for one Argon2id verification (tens of ms); skipping it would answer in a few ms.
  expect(median(unknown)).toBeGreaterThan(median(known) * 0.25);
});

test('auth.login tells an unverified account with the right password EMAIL_NOT_VERIFIED, and with a wrong one INVALID_CREDENTIALS', async () => {
  const email = uniqueEmail('unverified');
  const password = strongPassword();
  await server.client().trpc.auth.register.mutate({ email, password });
  const client = server.client();
  const right = await trpcError(client.trpc.auth.login.mutate({ email, password }));
  expect(right.data?.code).toBe('FORBIDDEN');
  expect(right.data?.reason).toBe('EMAIL_NOT_VERIFIED');
  expect(client.cookies.size).toBe(0);
  const wrong = await trpcError(server.client().trpc.auth.login.mutate({ email, password: strongPassword() }));
  expect(wrong.data?.reason).toBe('INVALID_CREDENTIALS');
});

test('auth.login refuses a password longer than 1024 code points with INVALID_INPUT before checking it', async () => {
  const error = await trpcError(
    server.client().trpc.auth.login.mutate({ email: member.email, password: 'a'.repeat(1025) }),
  );
  expect(error.data?.code).toBe('BAD_REQUEST');
  expect(error.data?.reason).toBe('INVALID_INPUT');
  expect(error.data?.fieldErrors?.password).toEqual([expect.stringMatching(/1024/)]);
});

test('auth.login accepts a 1024-code-point password as input (2048 UTF-16 units) and just finds it wrong', async () => {
  const password = '🔑'.repeat(1024);
  expect(password.length).toBe(2048);
  const error = await trpcError(server.client().trpc.auth.login.mutate({ email: member.email, password }));
  expect(error.data?.reason).toBe('INVALID_CREDENTIALS');
});

test('auth.login applies no password policy: an account keeps signing in with a password the policy would now refuse', async () => {
  // PASSWORD_MIN_LENGTH is 15 here; a login with a short wrong password is checked, not refused as weak.
  const error = await trpcError(server.client().trpc.auth.login.mutate({ email: member.email, password: 'abc' }));
  expect(error.data?.reason).toBe('INVALID_CREDENTIALS');
});

test('auth.login compares the whole password, never a truncated one, in NFKC form', async () => {
  const password = `Zq8-${'vrwT-p3xb-Lm/'.repeat(6)}café-${strongPassword()}`.normalize('NFC');
  expect(password.length).toBeGreaterThan(100);
  const account = await signUpAndVerify(server, { password });
  // The same text typed with a combining accent is the same password.
  const decomposed = password.normalize('NFD');
  expect(decomposed).not.toBe(password);
  const ok = await server.client().trpc.auth.login.mutate({ email: account.email, password: decomposed });
  expect(ok.status).toBe('signed_in');
  // bcrypt-style truncation at 72 bytes would let this in.
  const truncated = await trpcError(
    server.client().trpc.auth.login.mutate({ email: account.email, password: password.slice(0, 72) }),
  );
  expect(truncated.data?.reason).toBe('INVALID_CREDENTIALS');
});
