import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;
let member: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  member = await signUpAndVerify(server);
});
afterAll(async () => {
  await server?.close();
});

type Case = { path: string; method: 'GET' | 'POST'; input: unknown; field: string };

const strong = 'Tq7-plum-Harbor-93-vex';
const INVALID: Case[] = [
  { path: 'auth.register', method: 'POST', input: { email: 'not-an-email', password: strong }, field: 'email' },
  { path: 'auth.register', method: 'POST', input: { email: 42, password: strong }, field: 'email' },
  {
    path: 'auth.register',
    method: 'POST',
    input: { email: 'a'.repeat(250) + '@example.com', password: strong },
    field: 'email',
  },
  { path: 'auth.register', method: 'POST', input: { email: 'new@example.com' }, field: 'password' },
  { path: 'auth.register', method: 'POST', input: { email: 'new@example.com', password: '' }, field: 'password' },
  {
    path: 'auth.register',
    method: 'POST',
    input: { email: 'new@example.com', password: strong, name: 'Ann\nExample' },
    field: 'name',
  },
  {
    path: 'auth.register',
    method: 'POST',
    input: { email: 'new@example.com', password: strong, name: 'x'.repeat(61) },
    field: 'name',
  },
  { path: 'auth.resendVerification', method: 'POST', input: { email: 'nope' }, field: 'email' },
  { path: 'auth.resendVerification', method: 'POST', input: {}, field: 'email' },
  { path: 'auth.verifyEmail', method: 'POST', input: { token: '' }, field: 'token' },
  { path: 'auth.verifyEmail', method: 'POST', input: { token: 'x'.repeat(257) }, field: 'token' },
  { path: 'auth.verifyEmail', method: 'POST', input: { token: ['a'] }, field: 'token' },
  { path: 'auth.login', method: 'POST', input: { email: 'someone', password: 'whatever' }, field: 'email' },
  { path: 'auth.login', method: 'POST', input: { email: 'someone@example.com', password: '' }, field: 'password' },
  { path: 'auth.login', method: 'POST', input: { email: 'someone@example.com', password: null }, field: 'password' },
  { path: 'profile.get', method: 'GET', input: { userId: '../../etc/passwd' }, field: 'userId' },
  { path: 'profile.get', method: 'GET', input: { userId: '' }, field: 'userId' },
  { path: 'profile.get', method: 'GET', input: { userId: 'x'.repeat(65) }, field: 'userId' },
  { path: 'profile.get', method: 'GET', input: {}, field: 'userId' },
];

test.each(
  INVALID.map(
    (c) =>
      [
        `${c.path} refuses ${JSON.stringify(c.input).slice(0, 60)} with BAD_REQUEST, INVALID_INPUT and fieldErrors.${c.field}`,
        c,
      ] as const,
  ),
)('%s', async (_name, { path, method, input, field }) => {
  const response = await rawTrpc(server, { path, method, input, headers: { Origin: server.url } });
  expect(response.status).toBe(400);
  expect(response.json.error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, reason: 'INVALID_INPUT' });
  const messages: unknown = response.json.error.data.fieldErrors[field];
  expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/\w{3}/)]));
  expect(Object.keys(response.json.error.data.fieldErrors)).toEqual([field]);
});

test('every procedure answers input of the wrong shape with INVALID_INPUT, never a 500', async () => {
  const procedures: Array<{ path: string; method: 'GET' | 'POST' }> = [
    { path: 'auth.register', method: 'POST' },
    { path: 'auth.resendVerification', method: 'POST' },
    { path: 'auth.verifyEmail', method: 'POST' },
    { path: 'auth.login', method: 'POST' },
    { path: 'profile.get', method: 'GET' },
  ];
  const shapes = [
    'null',
    '[]',
    '"text"',
    '12',
    'true',
    '{"email":{"$gt":""},"password":{},"token":{},"userId":{}}',
    `{"email":"${'a'.repeat(5000)}"}`,
  ];
  for (const { path, method } of procedures) {
    for (const shape of shapes) {
      const response =
        method === 'GET'
          ? await rawTrpc(server, { path, method, query: `input=${encodeURIComponent(shape)}` })
          : await rawTrpc(server, { path, method, body: shape });
      expect({ path, shape, status: response.status, reason: response.json?.error?.data?.reason }).toEqual({
        path,
        shape,
        status: 400,
        reason: 'INVALID_INPUT',
      });
    }
  }
});

test('a POST body that is not valid JSON is refused with 400 INVALID_INPUT', async () => {
  for (const body of ['{"email":', '{email: "a@example.com"}', '']) {
    const response = await rawTrpc(server, { path: 'auth.login', body });
    expect(response.status).toBe(400);
    expect(response.json.error.data.reason).toBe('INVALID_INPUT');
    expect(response.json.error.message).toBe('The request is not valid JSON.');
  }
});

test('a query whose input parameter is not valid JSON is refused with 400 INVALID_INPUT', async () => {
  const response = await rawTrpc(server, { path: 'profile.get', method: 'GET', query: 'input=%7Bnope' });
  expect(response.status).toBe(400);
  expect(response.json.error.data.reason).toBe('INVALID_INPUT');
  expect(response.json.error.message).toBe('The request is not valid JSON.');
});

test('a JSON body over 1 MiB is refused with 413, and one just under it is read', async () => {
  const envelope = JSON.stringify({ email: '', password: 'x' });
  const pad = (bytes: number) => JSON.stringify({ email: 'a'.repeat(bytes - envelope.length), password: 'x' });
  const over = await rawTrpc(server, { path: 'auth.login', body: pad(1024 * 1024 + 1) });
  expect(over.status).toBe(413);
  expect(over.json.error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });

  const under = await rawTrpc(server, { path: 'auth.login', body: pad(1024 * 1024 - 16) });
  expect(under.status).toBe(400);
  expect(under.json.error.data.fieldErrors.email).toBeDefined();
});

test('a multipart body over 5 MiB is refused with 413 before it is parsed, and one of 4 MiB is read', async () => {
  const boundary = 'latchkey-test-boundary';
  const multipart = (bytes: number) => ({
    path: 'auth.resendVerification',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, Origin: server.url },
    body: `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n${'a'.repeat(bytes)}\r\n--${boundary}--\r\n`,
  });
  const over = await rawTrpc(server, multipart(5 * 1024 * 1024 + 1));
  expect(over.status).toBe(413);
  expect(over.json.error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', reason: 'INVALID_INPUT' });
  // Not an upload procedure: read, then refused as bad input.
  const under = await rawTrpc(server, multipart(4 * 1024 * 1024));
  expect(under.status).toBe(400);
  expect(under.json.error.data.reason).toBe('INVALID_INPUT');
});

const batchPath = (path: string, count: number) => Array.from({ length: count }, () => path).join(',');
const batchInput = (count: number, input: (index: number) => unknown) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [String(index), input(index)]));

test('a batch of 10 mutations is answered in full, even when their joined paths are long', async () => {
  const path = batchPath('auth.resendVerification', 10);
  expect(path.length).toBeGreaterThan(200);
  const response = await rawTrpc(server, {
    path,
    query: 'batch=1',
    input: batchInput(10, (index) => ({ email: `nobody-${index}@example.com` })),
  });
  expect(response.status).toBe(200);
  expect(response.json).toEqual(Array.from({ length: 10 }, () => ({ result: { data: { status: 'ok' } } })));
});

test('a batch of 10 queries is answered in full', async () => {
  const userId = member.session.user.id;
  const response = await rawTrpc(server, {
    path: batchPath('profile.get', 10),
    method: 'GET',
    query: `batch=1&input=${encodeURIComponent(JSON.stringify(batchInput(10, () => ({ userId }))))}`,
  });
  expect(response.status).toBe(200);
  expect(response.json).toHaveLength(10);
  for (const item of response.json) expect(item.result.data.userId).toBe(userId);
});

test('a batch of 11 calls is refused with BAD_REQUEST and runs none of them', async () => {
  const since = server.mail.mark();
  const email = `unverified-${Date.now()}@example.com`;
  await rawTrpc(server, { path: 'auth.register', input: { email, password: strong } });
  await server.mail.waitForMail({ to: email, since });
  const marked = server.mail.mark();

  const mutation = await rawTrpc(server, {
    path: batchPath('auth.resendVerification', 11),
    query: 'batch=1',
    input: batchInput(11, () => ({ email })),
  });
  expect(mutation.status).toBe(400);
  expect(mutation.json.error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
  expect(server.mail.mark()).toBe(marked);

  const userId = member.session.user.id;
  const query = await rawTrpc(server, {
    path: batchPath('profile.get', 11),
    method: 'GET',
    query: `batch=1&input=${encodeURIComponent(JSON.stringify(batchInput(11, () => ({ userId }))))}`,
  });
  expect(query.status).toBe(400);
  expect(query.json.error.data.code).toBe('BAD_REQUEST');
});

test('a GET to a mutation is refused with METHOD_NOT_SUPPORTED and INVALID_INPUT, and does not run it', async () => {
  const since = server.mail.mark();
  const email = `by-get-${Date.now()}@example.com`;
  const response = await rawTrpc(server, { path: 'auth.register', method: 'GET', input: { email, password: strong } });
  expect(response.status).toBe(405);
  expect(response.json.error.data).toMatchObject({ code: 'METHOD_NOT_SUPPORTED', reason: 'INVALID_INPUT' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(server.mail.mailsTo(email)).toEqual([]);
  expect(server.mail.mark()).toBe(since);
});

test('a POST to a query is refused with METHOD_NOT_SUPPORTED and INVALID_INPUT', async () => {
  const response = await rawTrpc(server, { path: 'profile.get', input: { userId: member.session.user.id } });
  expect(response.status).toBe(405);
  expect(response.json.error.data).toMatchObject({ code: 'METHOD_NOT_SUPPORTED', reason: 'INVALID_INPUT' });
});

test('a mutation posted as text/plain, a form or without a content type is refused and not run', async () => {
  const email = `simple-request-${Date.now()}@example.com`;
  const json = JSON.stringify({ email, password: strong });
  const attempts: Array<{ headers: Record<string, string>; body: string }> = [
    { headers: { 'Content-Type': 'text/plain' }, body: json },
    { headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: json },
    {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `email=${encodeURIComponent(email)}&password=${strong}`,
    },
    {
      headers: { 'Content-Type': 'multipart/form-data; boundary=b' },
      body: `--b\r\nContent-Disposition: form-data; name="email"\r\n\r\n${email}\r\n--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n${strong}\r\n--b--\r\n`,
    },
  ];
  for (const attempt of attempts) {
    const response = await rawTrpc(server, {
      path: 'auth.register',
      ...attempt,
      headers: { ...attempt.headers, Origin: 'https://evil.example' },
    });
    expect(response.status, attempt.headers['Content-Type']).toBeGreaterThanOrEqual(400);
    expect(response.status, attempt.headers['Content-Type']).toBeLessThan(500);
    expect(response.json.error.data.reason).toBe('INVALID_INPUT');
  }
  const bare = await server.fetch('/trpc/auth.register', { method: 'POST', body: new TextEncoder().encode(json) });
  expect(bare.status).toBe(415);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(server.mail.mailsTo(email)).toEqual([]);
});

test('an unknown procedure is NOT_FOUND', async () => {
  const response = await rawTrpc(server, { path: 'auth.nothingHere', input: {} });
  expect(response.status).toBe(404);
  expect(response.json.error.data).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
});
