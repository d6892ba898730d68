import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import {
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  trpcError,
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
afterEach(() => server.shiftClock(0));

type Sample = { label: string; response: () => Promise<Response> };

const trpcSamples = (): Sample[] => [
  {
    label: 'a tRPC query',
    response: () =>
      server.fetch(`/trpc/profile.get?input=${encodeURIComponent(JSON.stringify({ userId: member.session.user.id }))}`),
  },
  {
    label: 'a tRPC mutation',
    response: () =>
      server.fetch('/trpc/auth.resendVerification', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"email":"x@example.com"}',
      }),
  },
  {
    label: 'a tRPC input error',
    response: () =>
      server.fetch('/trpc/auth.login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
  },
  { label: 'a tRPC auth error', response: () => server.fetch('/trpc/auth.me') },
  { label: 'an unknown procedure', response: () => server.fetch('/trpc/nothing.here') },
  {
    label: 'an unsupported content type',
    response: () =>
      server.fetch('/trpc/auth.login', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }),
  },
  {
    label: 'a body over the limit',
    response: () =>
      server.fetch('/trpc/auth.login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: `"${'a'.repeat(1024 * 1024 + 10)}"`,
      }),
  },
  {
    label: 'a batch over the limit',
    response: () => server.fetch(`/trpc/${Array(11).fill('auth.me').join(',')}?batch=1`),
  },
];

const otherSamples = (): Sample[] => [
  { label: '/healthz', response: () => server.fetch('/healthz') },
  { label: '/readyz', response: () => server.fetch('/readyz') },
  { label: 'the JWKS', response: () => server.fetch('/.well-known/jwks.json') },
  { label: 'the SPA route /login', response: () => server.fetch('/login') },
  { label: 'an unknown SPA route', response: () => server.fetch('/no/such/page') },
  { label: 'an unknown POST', response: () => server.fetch('/no/such/thing', { method: 'POST' }) },
  { label: 'the dev mail outbox (off with Resend)', response: () => server.fetch('/dev/mail') },
];

function directives(csp: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

test('every response carries the security headers: CSP, nosniff, Referrer-Policy, no X-Powered-By, no HSTS on http', async () => {
  for (const { label, response } of [...trpcSamples(), ...otherSamples()]) {
    const res = await response();
    await res.arrayBuffer();
    const headers = res.headers;
    const csp = directives(headers.get('content-security-policy'));
    const scriptSrc = csp.get('script-src') ?? csp.get('default-src');
    expect({ label, scriptSrc: scriptSrc?.includes("'unsafe-inline'") }).toEqual({ label, scriptSrc: false });
    expect({
      label,
      objectSrc: csp.get('object-src'),
      baseUri: csp.get('base-uri'),
      frameAncestors: csp.get('frame-ancestors'),
    }).toEqual({
      label,
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    });
    expect({ label, nosniff: headers.get('x-content-type-options') }).toEqual({ label, nosniff: 'nosniff' });
    expect({ label, referrer: headers.get('referrer-policy') }).toEqual({
      label,
      referrer: 'strict-origin-when-cross-origin',
    });
    expect({ label, poweredBy: headers.get('x-powered-by') }).toEqual({ label, poweredBy: null });
    expect({ label, hsts: headers.get('strict-transport-security') }).toEqual({ label, hsts: null });
  }
});

test('every /trpc response, errors included, has Cache-Control: no-store', async () => {
  for (const { label, response } of trpcSamples()) {
    const res = await response();
    await res.arrayBuffer();
    expect({ label, cacheControl: res.headers.get('cache-control') }).toEqual({ label, cacheControl: 'no-store' });
  }
});

test('/healthz answers 200 {status: ok}', async () => {
  const response = await server.fetch('/healthz');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('/readyz answers 200 with the database check ok', async () => {
  const response = await server.fetch('/readyz');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
});

test('/dev/mail is not served when mail goes through Resend', async () => {
  const response = await server.fetch('/dev/mail', { headers: { Accept: 'application/json' } });
  expect(response.status).toBe(404);
});

test('an unexpected fault answers INTERNAL_SERVER_ERROR with a generic message and a request id, never the cause or a stack', async () => {
  const secret = 'SQLITE_CORRUPT: database disk image is malformed at /srv/latchkey/server/db.ts:42';
  server.app.deps.now = () => {
    throw new Error(secret);
  };
  const response = await rawTrpc(server, { path: 'auth.verifyEmail', input: { token: 'A'.repeat(43) } });
  server.shiftClock(0);

  expect(response.status).toBe(500);
  const error = response.json.error;
  expect(error.data).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, reason: 'INTERNAL' });
  expect(error.data.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(error.message).not.toMatch(/sqlite|malformed|\/srv|Error:/i);
  expect(response.text).not.toContain('SQLITE');
  expect(response.text).not.toContain('db.ts');
  expect(response.text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(JSON.stringify(error)).not.toContain('"stack"');

  // The typed client sees the same, and the server keeps serving.
  server.app.deps.now = () => {
    throw new Error(secret);
  };
  const clientError = await trpcError(server.client().trpc.auth.verifyEmail.mutate({ token: 'B'.repeat(43) }));
  server.shiftClock(0);
  expect(clientError.data?.reason).toBe('INTERNAL');
  expect(clientError.message).toBe(error.message);
  expect((await server.fetch('/healthz')).status).toBe(200);
});

test('each internal error has its own request id', async () => {
  const ids: string[] = [];
  server.app.deps.now = () => {
    throw new Error('boom');
  };
  try {
    for (let i = 0; i < 2; i++) {
      const response = await rawTrpc(server, { path: 'auth.verifyEmail', input: { token: 'C'.repeat(43) } });
      ids.push(response.json.error.data.requestId);
    }
  } finally {
    server.shiftClock(0);
  }
  expect(ids[0]).not.toBe(ids[1]);
});
