import { afterAll, beforeAll, expect, test } from 'vitest';
import { signUpAndVerify, startTestServer, type SignedUp, type TestServer } from '#tests/helpers/test-server.ts';

// The procedures are served through server/http/trpc-route.ts (tRPC's resolveResponse behind a
// route of ours): what a client sees of that HTTP layer.

let server: TestServer;
let member: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  member = await signUpAndVerify(server);
});
afterAll(async () => {
  await server?.close();
});

test('a finished answer is sent whole, with its Content-Length and no chunked encoding', async () => {
  const response = await server.fetch('/trpc/auth.me', {
    headers: { Authorization: `Bearer ${member.session.accessToken}` },
  });
  const body = await response.text();
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('transfer-encoding')).toBeNull();
  expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(body));
  expect(JSON.parse(body).result.data.email).toBe(member.email);
});

test('a batch asked for as JSON Lines (trpc-accept: application/jsonl) is streamed as JSON Lines, each call answered as alone', async () => {
  const response = await server.fetch('/trpc/system.ping,auth.me?batch=1&input=%7B%7D', {
    headers: { 'trpc-accept': 'application/jsonl' },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('transfer-encoding')).toBe('chunked');
  const lines = (await response.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
  const text = JSON.stringify(lines);
  expect(text).toContain('{"status":"ok"}');
  expect(text).toContain('"UNAUTHENTICATED"');
});

test('a JSON call whose body is not JSON, or is empty, is refused as bad input and the server goes on', async () => {
  for (const body of ['{"email":', '']) {
    const response = await server.fetch('/trpc/auth.resendVerification', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
  }
  const ping = await server.fetch('/trpc/system.ping');
  expect(await ping.json()).toEqual({ result: { data: { status: 'ok' } } });
});
