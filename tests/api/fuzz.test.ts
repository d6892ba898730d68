import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { REASON_CODES, isErrorReason } from '#shared/errors.ts';
import { appRouter } from '#server/trpc/router.ts';
import { signUpAdmin } from '#tests/helpers/admin.ts';
import { rawTrpc, signUpAndVerify, startTestServer, type TestServer } from '#tests/helpers/test-server.ts';

// API.md §2: bad input is never a 500. Every procedure of the router (read from the router
// itself, so a new one is covered without touching this file) gets the same corpus of bad
// inputs, anonymously and with a member's and an admin's token; every answer must be a 4xx in the
// API's error shape, unless the procedure's own input schema accepts the input.

const MiB = 1024 * 1024;

// A full garbage collection now and then keeps the garbage of this process (the corpus, the
// client's copies of it) from counting as the server's memory: what stays is what is kept.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

type Parser = { safeParse(value: unknown): { success: boolean } };
type Procedure = {
  path: string;
  kind: 'query' | 'mutation';
  schema: Parser | null;
  fields: string[];
  /** For each field, a value its own schema accepts (when one of a few candidates does). */
  plausible: Record<string, unknown>;
};

type ProcedureDef = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: unknown[] } };

/** The fields of an object schema (optional or not), each with its own schema. */
function shapeOf(schema: unknown): Record<string, Parser> {
  const candidate = schema as { shape?: Record<string, Parser>; unwrap?: () => unknown } | null;
  if (candidate?.shape && typeof candidate.shape === 'object') return candidate.shape;
  if (typeof candidate?.unwrap === 'function') return shapeOf(candidate.unwrap());
  return {};
}

// undefined first: a field that may be left out is left out.
const CANDIDATES: unknown[] = [
  undefined,
  'fuzz@example.com',
  'Tq7-plum-Harbor-93-vex',
  'AAAAAAAAAAAAAAAAAAAAAA',
  '123456',
  'user',
  'light',
  'en',
  'Europe/Paris',
  10,
  true,
];

const PROCEDURES: Procedure[] = Object.entries(
  appRouter._def.procedures as unknown as Record<string, ProcedureDef>,
).map(([path, procedure]) => {
  const schema = (procedure._def.inputs[0] as Parser | undefined) ?? null;
  if (procedure._def.type === 'subscription') throw new Error(`${path}: subscriptions are not part of API.md`);
  const shape = shapeOf(schema);
  const plausible = Object.fromEntries(
    Object.entries(shape).map(([field, fieldSchema]) => [
      field,
      CANDIDATES.find((value) => fieldSchema.safeParse(value).success),
    ]),
  );
  return { path, kind: procedure._def.type, schema, fields: Object.keys(shape), plausible };
});

/** One input: the JSON text sent and the value it stands for (the two differ for 1e400). */
type Input = { label: string; raw: string; value: unknown };
const json = (label: string, value: unknown): Input => ({ label, raw: JSON.stringify(value), value });
const rawJson = (label: string, raw: string): Input => ({ label, raw, value: JSON.parse(raw) as unknown });

const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const almostMiB = (reserve: number) => 'x'.repeat(MiB - reserve);
// Made once: the same for every procedure.
const ALMOST_MIB = json('a string of almost 1 MiB', almostMiB(64));
const OVER_MIB = json('a string over 1 MiB', 'x'.repeat(MiB + 16));
const MANY_KEYS = json(
  '10,000 keys',
  Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`k${index}`, index])),
);

/**
 * The same corpus for every procedure, shaped by the names of its input's fields. Made one input
 * at a time, so that the megabyte strings of the corpus do not pile up in this process, where the
 * server runs and its memory is measured.
 */
function* corpusFor(procedure: Procedure): Generator<Input> {
  yield json('null', null);
  yield json('an array', []);
  yield json('a string', 'text');
  yield json('a number', 12345);
  yield json('a boolean', true);
  yield json('an empty object', {});
  yield rawJson('a number too large for a double', '1e400');
  yield json('a huge negative number', -1e308);
  yield json('an integer beyond 2^53', 2 ** 53 + 1);
  yield rawJson('arrays nested 10,000 deep', DEEP);
  yield ALMOST_MIB;
  yield OVER_MIB;
  yield rawJson('prototype keys', '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}');
  yield MANY_KEYS;
  if (procedure.fields.length === 0) return;

  const everyField = (value: unknown) => Object.fromEntries(procedure.fields.map((field) => [field, value]));
  const values: Array<[string, unknown]> = [
    ['null', null],
    ['0', 0],
    ['-1', -1],
    ['1e308', 1e308],
    ['2^53+1', 2 ** 53 + 1],
    ['true', true],
    ['an empty array', []],
    ['an array of strings', ['x']],
    ['an empty object', {}],
    ['a query operator', { $gt: '' }],
    ['an empty string', ''],
    ['a null byte', 'a\u0000b'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00x'],
    ['control characters', '\u0001\u001b[2J\u007f'],
    ['10,000 characters', 'x'.repeat(10_000)],
  ];
  for (const [label, value] of values) yield json(`every field ${label}`, everyField(value));
  yield rawJson(
    'every field arrays nested 10,000 deep',
    `{${procedure.fields.map((field) => `"${field}":${DEEP}`).join(',')}}`,
  );
  yield rawJson('every field 1e400', `{${procedure.fields.map((field) => `"${field}":1e400`).join(',')}}`);
  yield json('every field a string and an extra field', { ...everyField('x'), unexpected: { nested: ['extra'] } });

  // Valid values around one bad field, so that the bad one is the only thing wrong.
  const others = (field: string) =>
    Object.fromEntries(
      procedure.fields
        .filter((other) => other !== field && procedure.plausible[other] !== undefined)
        .map((other) => [other, procedure.plausible[other]]),
    );
  for (const field of procedure.fields) {
    const label = /password/i.test(field) ? `a 1 MiB ${field}` : `${field} a string of almost 1 MiB`;
    const base = typeof procedure.plausible[field] === 'string' ? (procedure.plausible[field] as string) : 'x';
    yield json(label, { ...others(field), [field]: almostMiB(512) });
    yield json(`${field} a null byte among valid fields`, { ...others(field), [field]: `${base}\u0000` });
    yield json(`${field} a lone surrogate among valid fields`, { ...others(field), [field]: `${base}\ud800` });
    yield json(`${field} a number among valid fields`, { ...others(field), [field]: 1e21 });
  }
}

const MALFORMED_QUERIES = [
  'input=%',
  'input=%E0%A4%A',
  'input=%FF%FE',
  'input=%00',
  'input=',
  'input',
  'input=[1,2',
  'input={"a":1}garbage',
  'input=1&input=2',
  'batch=1&input=notjson',
  'batch=1&input=[]',
  'batch=1&input=null',
  'batch=1&input={"5":{}}',
  'batch=abc',
  '%%%',
  '&&&=&=',
  `input=${'%5B'.repeat(2000)}`,
];

const RAW_BODIES: Array<[string, string | Blob]> = [
  ['invalid UTF-8', new Blob([Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])])],
  ['truncated JSON', '{"email":"a@'],
  ['JSON with trailing garbage', '{"a":1}}}'],
  ['a byte order mark', '\ufeff{}'],
  ['an empty body', ''],
  ['NaN', '{"limit":NaN}'],
];

type Answer = { status: number; contentType: string | null; text: string };
type Call = {
  what: string;
  procedure: Procedure;
  /**
   * Whether the procedure's own input schema accepts what was sent (a success is then fine too);
   * null when the request is malformed below the input, where any answer but a 5xx or an
   * error outside the API's shape will do.
   */
  accepted: boolean | null;
  method: 'GET' | 'POST';
  url: string;
  body?: string | Blob;
  authorization: string | null;
};

let server: TestServer;
let tokens: { member: string; admin: string };

beforeAll(async () => {
  server = await startTestServer();
  const [member, admin] = await Promise.all([signUpAndVerify(server), signUpAdmin(server)]);
  tokens = { member: member.session.accessToken, admin: admin.client.bearer! };
});
afterAll(async () => {
  await server?.close();
});

async function send(call: Call): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (call.authorization) headers.Authorization = call.authorization;
  if (call.method === 'POST') headers['Content-Type'] = 'application/json';
  const response = await server.fetch(call.url, {
    method: call.method,
    headers,
    ...(call.method === 'POST' ? { body: call.body ?? '' } : {}),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

function callFor(procedure: Procedure, input: Input, authorization: string | null): Call {
  const what = `${procedure.path} given ${input.label}`;
  const accepted = procedure.schema === null || procedure.schema.safeParse(input.value).success;
  if (procedure.kind === 'query') {
    return {
      what,
      procedure,
      accepted,
      method: 'GET',
      url: `/trpc/${procedure.path}?input=${encodeURIComponent(input.raw)}`,
      authorization,
    };
  }
  return { what, procedure, accepted, method: 'POST', url: `/trpc/${procedure.path}`, body: input.raw, authorization };
}

/** The tRPC codes raised before a procedure runs, which API.md §2 gives reason INVALID_INPUT. */
const BEFORE_PROCEDURE = new Set([
  'PARSE_ERROR',
  'METHOD_NOT_SUPPORTED',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
]);

/** What is wrong with the answer, or null when it is what API.md §2 asks for. */
function problemWith(call: Call, answer: Answer, pass: 'anonymous' | 'member' | 'admin'): string | null {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  const accepted = call.accepted;
  if (answer.status < 400) return accepted !== false ? null : `answered ${answer.status} to input its schema refuses`;
  if (!answer.contentType?.startsWith('application/json'))
    return `answered ${answer.status} as ${answer.contentType}: ${answer.text.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `answered ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const items = (Array.isArray(body) ? body : [body]) as Array<{
    result?: unknown;
    error?: { message?: unknown; data?: { code?: string; httpStatus?: number; reason?: unknown; stack?: unknown } };
  }>;
  for (const item of items) {
    if (Array.isArray(body) && item && 'result' in item) continue; // a call of a batch that succeeded
    const data = item?.error?.data;
    if (!data || typeof data !== 'object')
      return `answered ${answer.status} outside the API's error shape: ${answer.text.slice(0, 200)}`;
    if (!isErrorReason(data.reason))
      return `answered ${answer.status} without a reason of API.md §2: ${answer.text.slice(0, 300)}`;
    if (typeof item.error!.message !== 'string' || 'stack' in data)
      return `answered ${answer.status} without a message or with a stack`;
    const consistent = BEFORE_PROCEDURE.has(String(data.code))
      ? data.reason === 'INVALID_INPUT'
      : data.code === REASON_CODES[data.reason];
    if (!consistent) return `answered reason ${data.reason} under code ${data.code}`;
    if (!Array.isArray(body) && data.httpStatus !== answer.status)
      return `said httpStatus ${data.httpStatus} in a ${answer.status} answer`;
    // A member's call that its schema refuses is refused for its input, whatever else.
    if (
      pass === 'member' &&
      accepted === false &&
      !call.procedure.path.startsWith('admin.') &&
      data.reason !== 'INVALID_INPUT'
    ) {
      return `answered ${data.reason} instead of INVALID_INPUT: ${answer.text.slice(0, 200)}`;
    }
  }
  return null;
}

/** Runs the calls a few at a time and collects every problem. */
async function run(
  calls: Iterable<Call>,
  pass: 'anonymous' | 'member' | 'admin',
): Promise<{ problems: string[]; sent: number }> {
  const problems: string[] = [];
  const pending = calls[Symbol.iterator]();
  let sent = 0;
  const worker = async () => {
    for (let next = pending.next(); !next.done; next = pending.next()) {
      const call = next.value;
      sent += 1;
      if (sent % 250 === 0) collectGarbage();
      const problem = problemWith(call, await send(call), pass);
      if (problem) problems.push(`${pass}: ${call.what}: ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return { problems, sent };
}

/** Everything sent in one pass; the calls that end the caller's session come last. */
function* callsOfPass(
  authorization: string | null,
  only: (procedure: Procedure) => boolean = () => true,
): Generator<Call> {
  const ordered = PROCEDURES.filter(only).sort(
    (a, b) => Number(a.path === 'auth.logout') - Number(b.path === 'auth.logout'),
  );
  for (const procedure of ordered) {
    for (const input of corpusFor(procedure)) yield callFor(procedure, input, authorization);
  }
  for (const procedure of ordered) {
    const base = `/trpc/${procedure.path}`;
    for (const query of MALFORMED_QUERIES) {
      const what = `${procedure.path} with the query ${query.slice(0, 40)}`;
      yield procedure.kind === 'query'
        ? { what, procedure, accepted: null, method: 'GET', url: `${base}?${query}`, authorization }
        : { what, procedure, accepted: null, method: 'POST', url: `${base}?${query}`, body: '{}', authorization };
    }
    if (procedure.kind === 'mutation') {
      for (const [label, body] of RAW_BODIES) {
        yield {
          what: `${procedure.path} with ${label}`,
          procedure,
          accepted: null,
          method: 'POST',
          url: base,
          body,
          authorization,
        };
      }
    }
    // Batches of 1,000 and of 11 calls, in the method the procedure takes.
    for (const size of [1000, 11]) {
      const paths = Array.from({ length: size }, () => procedure.path).join(',');
      const input = JSON.stringify(Object.fromEntries(Array.from({ length: size }, (_, index) => [index, {}])));
      const what = `${procedure.path} in a batch of ${size}`;
      yield procedure.kind === 'query'
        ? {
            what,
            procedure,
            accepted: false,
            method: 'GET',
            url: `/trpc/${paths}?batch=1&input=${encodeURIComponent(input)}`,
            authorization,
          }
        : {
            what,
            procedure,
            accepted: false,
            method: 'POST',
            url: `/trpc/${paths}?batch=1`,
            body: input,
            authorization,
          };
    }
  }
}

test("every procedure answers a corpus of bad inputs, malformed query strings and oversized batches with a 4xx in the API error shape, never a 5xx, anonymously and with a member's and an admin's token; the server stays up and its memory bounded", async () => {
  // The walk of the router found every procedure of API.md §5.
  expect(PROCEDURES.length).toBeGreaterThanOrEqual(47);
  collectGarbage();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  let sent = 0;
  const problems: string[] = [];
  try {
    // The admin's token adds something only where a member's is refused: the admin procedures.
    for (const [pass, authorization, only] of [
      ['anonymous', null, undefined],
      ['member', `Bearer ${tokens.member}`, undefined],
      ['admin', `Bearer ${tokens.admin}`, (procedure: Procedure) => procedure.path.startsWith('admin.')],
    ] as const) {
      const outcome = await run(callsOfPass(authorization, only), pass);
      sent += outcome.sent;
      problems.push(...outcome.problems);
    }
  } finally {
    clearInterval(sampler);
  }

  expect(problems.slice(0, 40), `${problems.length} problems in ${sent} calls`).toEqual([]);
  // The server still serves, nothing leaked into the objects of this process (where it runs),
  // and the memory it took stays bounded.
  expect((await server.fetch('/healthz')).status).toBe(200);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(rssPeak - rssBefore, `RSS grew from ${rssBefore >> 20} MiB to a peak of ${rssPeak >> 20} MiB`).toBeLessThan(
    300 * MiB,
  );
  expect(sent).toBeGreaterThan(3000);
}, 120_000);

// What the corpus found, each on its own.

test('flyers.create, flyers.update, profile.update and admin.users.list refuse a null byte or a lone surrogate in free text with INVALID_INPUT and fieldErrors, never a 500', async () => {
  const [member, admin] = await Promise.all([signUpAndVerify(server), signUpAdmin(server)]);
  const flyer = await member.client.trpc.flyers.create.mutate({ title: 'A title', body: 'A body' });
  const cases: Array<{ path: string; method?: 'GET'; token: string; input: unknown; field: string }> = [];
  for (const bad of ['Tea\u0000time', 'Tea \ud83d time', '\udc00']) {
    cases.push(
      {
        path: 'flyers.create',
        token: member.session.accessToken,
        input: { title: bad, body: 'A body' },
        field: 'title',
      },
      {
        path: 'flyers.create',
        token: member.session.accessToken,
        input: { title: 'A title', body: bad },
        field: 'body',
      },
      { path: 'flyers.update', token: member.session.accessToken, input: { id: flyer.id, body: bad }, field: 'body' },
      { path: 'profile.update', token: member.session.accessToken, input: { name: bad }, field: 'name' },
      { path: 'admin.users.list', method: 'GET', token: admin.client.bearer!, input: { query: bad }, field: 'query' },
    );
  }
  for (const { path, method, token, input, field } of cases) {
    const response = await rawTrpc(server, { path, method, input, headers: { Authorization: `Bearer ${token}` } });
    expect({
      path,
      input,
      status: response.status,
      reason: response.json?.error?.data?.reason,
      fields: Object.keys(response.json?.error?.data?.fieldErrors ?? {}),
    }).toEqual({
      path,
      input,
      status: 400,
      reason: 'INVALID_INPUT',
      fields: [field],
    });
  }
  // Nothing was stored, and text with a real emoji (a surrogate pair) still is.
  expect((await member.client.trpc.flyers.mine.query()).map((item) => item.body)).toEqual(['A body']);
  const emoji = await member.client.trpc.flyers.update.mutate({ id: flyer.id, body: 'Tea \ud83c\udf75 time' });
  expect((await member.client.trpc.flyers.mine.query()).map((item) => item.body)).toEqual([emoji.body]);
  expect(emoji.body).toBe('Tea 🍵 time');
});

test('auth.securityEvents and admin.users.list refuse a forged page cursor with INVALID_INPUT and fieldErrors.cursor, never a 500', async () => {
  const [member, admin] = await Promise.all([signUpAndVerify(server), signUpAdmin(server)]);
  const forge = (content: unknown) => Buffer.from(JSON.stringify(content)).toString('base64url');
  const forged = [
    forge([Date.now(), 'a\u0000b']),
    forge([Date.now(), "x' or '1'='1"]),
    forge([Date.now(), ['nested']]),
    forge([1e20, 'AAAAAAAAAAAAAAAAAAAAAA']),
    forge([-1, 'AAAAAAAAAAAAAAAAAAAAAA']),
    forge([1.5, 'AAAAAAAAAAAAAAAAAAAAAA']),
    forge({ at: 1, id: 'AAAAAAAAAAAAAAAAAAAAAA' }),
    forge(null),
    'not base64 at all!',
  ];
  for (const cursor of forged) {
    for (const [path, token] of [
      ['auth.securityEvents', member.session.accessToken],
      ['admin.users.list', admin.client.bearer!],
    ] as const) {
      const response = await rawTrpc(server, {
        path,
        method: 'GET',
        input: { cursor },
        headers: { Authorization: `Bearer ${token}` },
      });
      expect({
        path,
        cursor,
        status: response.status,
        reason: response.json?.error?.data?.reason,
        fields: Object.keys(response.json?.error?.data?.fieldErrors ?? {}),
      }).toEqual({
        path,
        cursor,
        status: 400,
        reason: 'INVALID_INPUT',
        fields: ['cursor'],
      });
    }
  }
  // A cursor the server gave still pages.
  const first = await member.client.trpc.auth.securityEvents.query({ limit: 1 });
  expect(first.nextCursor).not.toBeNull();
  const second = await member.client.trpc.auth.securityEvents.query({ limit: 1, cursor: first.nextCursor! });
  expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
});

test("a request refused before it reaches the server's routes (an address over 16 KiB, a request line that is not HTTP) answers 431 or 400 in the API error shape with the security headers", async () => {
  const response = await server.fetch(
    `/trpc/profile.get?input=${encodeURIComponent(JSON.stringify({ userId: 'x'.repeat(20_000) }))}`,
  );
  expect(response.status).toBe(431);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  expect(await response.json()).toEqual({
    error: {
      message: expect.stringMatching(/\w{3}/),
      code: -32600,
      data: { code: 'BAD_REQUEST', httpStatus: 431, reason: 'INVALID_INPUT' },
    },
  });

  // A request line that is not HTTP at all is answered the same way, 400.
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () =>
      socket.write('BREW /pot HTCPCP/1.0\r\n\r\n'),
    );
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  expect(head).toMatch(/^HTTP\/1\.1 400 /);
  expect(head.toLowerCase()).toContain('x-content-type-options: nosniff');
  expect(JSON.parse(body)).toMatchObject({
    error: { data: { code: 'BAD_REQUEST', httpStatus: 400, reason: 'INVALID_INPUT' } },
  });
  expect((await server.fetch('/healthz')).status).toBe(200);
});

test('a batch of more than 10 calls is refused as JSON (application/json), like every other error', async () => {
  const paths = Array.from({ length: 11 }, () => 'auth.me').join(',');
  const response = await server.fetch(`/trpc/${paths}?batch=1`);
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect((await response.json()).error.data).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_INPUT' });
});
