import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appRouter } from '#server/trpc/router.ts';
import {
  parseSetCookie,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  testIp,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';
import { signUpAdmin, type Account } from '#tests/helpers/admin.ts';

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[] };
type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; required: boolean; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, unknown>;
};
type OpenApi = { openapi: string; paths: Record<string, Record<'get' | 'post', Operation>> };

let server: TestServer;
let member: SignedUp;
let admin: Account;
let document: OpenApi;

beforeAll(async () => {
  server = await startTestServer();
  [member, admin] = await Promise.all([signUpAndVerify(server), signUpAdmin(server)]);
  document = (await (await server.fetch('/openapi.json')).json()) as OpenApi;
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const operations = () =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method as 'get' | 'post', operation })),
  );

const rest = (path: string, init: RequestInit & { token?: string } = {}) =>
  server.fetch(`/api/v1${path}`, {
    ...init,
    headers: {
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
  });

test('GET /openapi.json is a valid OpenAPI 3.1 document with every procedure but the avatar upload', async () => {
  const validator = new Validator();
  const result = await validator.validate(document as never);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
  const procedures = Object.keys(appRouter._def.procedures).filter((path) => path !== 'profile.uploadAvatar');
  expect(
    operations()
      .map(({ operation }) => operation.operationId)
      .sort(),
  ).toEqual(procedures.sort());
  // Every answer is described (and checked at run time): each procedure declares its output schema.
  const undescribed = operations().filter(({ operation }) => {
    const ok = operation.responses['200'] as { content: { 'application/json': { schema: object } } };
    return Object.keys(ok.content['application/json'].schema).length === 0;
  });
  expect(undescribed.map(({ operation }) => operation.operationId)).toEqual([]);
  // Queries are GETs with query parameters, mutations POSTs with a JSON body; the session's bearer is declared.
  const me = document.paths['/auth/me']!.get;
  expect(me.security).toEqual([{ bearer: [] }]);
  expect(document.paths['/profile/get']!.get.parameters).toEqual([
    expect.objectContaining({ name: 'userId', in: 'query', required: true }),
  ]);
  expect(document.paths['/auth/login']!.post.requestBody?.content['application/json'].schema.required).toEqual(
    expect.arrayContaining(['email', 'password']),
  );
  expect(document.paths['/auth/login']!.post.security).toBeUndefined();
});

test('a REST answer is the procedure’s own, with the error shape of API.md §16', async () => {
  const profile = await rest(`/profile/get?userId=${encodeURIComponent(member.session.user.id)}`);
  expect(profile.status).toBe(200);
  expect(profile.headers.get('cache-control')).toBe('no-store');
  expect(await profile.json()).toEqual(await member.client.trpc.profile.get.query({ userId: member.session.user.id }));

  const me = await rest('/auth/me', { token: member.session.accessToken });
  expect(await me.json()).toEqual(member.session.user);

  const anonymous = await rest('/auth/me');
  expect(anonymous.status).toBe(401);
  expect(await anonymous.json()).toEqual({
    code: 'UNAUTHORIZED',
    reason: 'UNAUTHENTICATED',
    message: 'Sign in to continue.',
  });

  const invalid = await rest('/admin/users/list?limit=0', { token: admin.client.bearer! });
  expect(invalid.status).toBe(400);
  expect(await invalid.json()).toMatchObject({
    code: 'BAD_REQUEST',
    reason: 'INVALID_INPUT',
    fieldErrors: { limit: [expect.any(String)] },
  });

  const forbidden = await rest('/admin/users/list', { token: member.session.accessToken });
  expect(forbidden.status).toBe(403);
  expect(await forbidden.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'FORBIDDEN' });

  const nowhere = await rest('/auth/nothing-here');
  expect(nowhere.status).toBe(404);
  expect(await nowhere.json()).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });

  // A mutation is a POST: a GET of it is not found, as every route of another method.
  expect((await rest('/auth/logout')).status).toBe(404);
});

test("the REST form has the tRPC form's rate limits: RATE_LIMITED with Retry-After and retryAfterSeconds", async () => {
  // One client address (TRUST_PROXY is on in the tests): auth.register admits 10 sign-ups an hour from it.
  const ip = testIp();
  const answers: Response[] = [];
  for (let i = 0; i < 11; i++) {
    answers.push(
      await rest('/auth/register', {
        method: 'POST',
        headers: { 'X-Forwarded-For': ip },
        body: JSON.stringify({ email: uniqueEmail('rest-limit'), password: strongPassword() }),
      }),
    );
  }
  expect(answers.slice(0, 10).map((answer) => answer.status)).toEqual(Array(10).fill(200));
  const refused = answers[10]!;
  expect(refused.status).toBe(429);
  const body = (await refused.json()) as { retryAfterSeconds: number };
  expect(body).toMatchObject({
    code: 'TOO_MANY_REQUESTS',
    reason: 'RATE_LIMITED',
    retryAfterSeconds: expect.any(Number),
  });
  expect(refused.headers.get('retry-after')).toBe(String(body.retryAfterSeconds));
});

test('the refresh cookie of a REST sign-in is for the REST routes, and refresh and logout with it need the Origin', async () => {
  const login = await rest('/auth/login', {
    method: 'POST',
    body: JSON.stringify({ email: member.email, password: member.password }),
  });
  expect(login.status).toBe(200);
  const signedIn = (await login.json()) as { status: string; session: { accessToken: string } };
  expect(signedIn.status).toBe('signed_in');
  const cookies = login.headers.getSetCookie().map((header) => parseSetCookie(header));
  const refreshCookie = cookies.find((cookie) => cookie.name === 'refresh_token')!;
  expect(Object.fromEntries(refreshCookie.attributes)).toMatchObject({
    path: '/api/v1',
    httponly: true,
    samesite: 'Strict',
  });
  const cookie = `refresh_token=${refreshCookie.value}`;

  const withoutOrigin = await rest('/auth/refresh', { method: 'POST', headers: { Cookie: cookie } });
  expect(withoutOrigin.status).toBe(403);
  expect(await withoutOrigin.json()).toMatchObject({ reason: 'FORBIDDEN' });

  const refreshed = await rest('/auth/refresh', { method: 'POST', headers: { Cookie: cookie, Origin: server.url } });
  expect(refreshed.status).toBe(200);
  const session = (await refreshed.json()) as { accessToken: string };
  expect((await rest('/auth/me', { token: session.accessToken })).status).toBe(200);

  const rotated = refreshed.headers
    .getSetCookie()
    .map((header) => parseSetCookie(header))
    .find((c) => c.name === 'refresh_token')!;
  const logout = await rest('/auth/logout', {
    method: 'POST',
    headers: { Cookie: `refresh_token=${rotated.value}`, Origin: server.url },
  });
  expect(logout.status).toBe(200);
  expect((await rest('/auth/me', { token: session.accessToken })).status).toBe(401);
});

test('GET /docs/api is a self-hosted reference: its own scripts and styles only, under the CSP', async () => {
  const page = await server.fetch('/docs/api');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  expect(sources.length).toBeGreaterThanOrEqual(3);
  for (const source of sources) {
    expect(source.startsWith('/docs/api/')).toBe(true);
    expect((await server.fetch(source)).status).toBe(200);
  }
  // No inline script or style for the CSP to refuse.
  expect(html).not.toMatch(/<script>(?!<)|<script(?![^>]*src)[^>]*>|<style|style="/);
});

/** A value of the wrong JSON type for a property of this schema. */
const wrongValue = (schema: Schema) => (schema.type === 'string' ? 12345 : 'not-the-right-type');

// Last: its bearers call auth.logout and the other session-ending routes too.
test('every REST route answers bad input with a 4xx in the REST error shape, never a 5xx, signed out and signed in', async () => {
  const tokens = [undefined, member.client.bearer!, admin.client.bearer!];
  for (const { path, method, operation } of operations()) {
    const body = operation.requestBody?.content['application/json'].schema;
    for (const token of tokens) {
      const attempts: Response[] = [];
      if (method === 'get') {
        const wrong = new URLSearchParams(
          (operation.parameters ?? []).map((parameter) => [parameter.name, String(wrongValue(parameter.schema))]),
        );
        attempts.push(await rest(`${path}?${wrong}`, { token }));
        attempts.push(await rest(`${path}?unknownParameter=1`, { token }));
      } else {
        const wrong = Object.fromEntries(
          Object.entries(body?.properties ?? {}).map(([name, schema]) => [name, wrongValue(schema)]),
        );
        attempts.push(await rest(path, { method: 'POST', token, body: JSON.stringify(wrong) }));
        attempts.push(await rest(path, { method: 'POST', token, body: '{"not json' }));
        attempts.push(await rest(path, { method: 'POST', token, body: JSON.stringify([1, 2, 3]) }));
      }
      for (const response of attempts) {
        const answer = (await response.json()) as Record<string, unknown>;
        // A route without input, called right, may succeed; anything else is a 4xx that says why.
        if (response.status === 200) continue;
        expect({ path, token: Boolean(token), status: response.status }).toMatchObject({
          status: expect.toSatisfy((status: number) => status >= 400 && status < 500),
        });
        expect(answer).toEqual(
          expect.objectContaining({
            code: expect.any(String),
            reason: expect.any(String),
            message: expect.any(String),
          }),
        );
      }
    }
  }
}, 240_000);
