import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMailCapture } from '#tests/helpers/mail-capture.ts';
import { processEnv, signUpOnProcess, startServerProcess } from '#tests/helpers/server-process.ts';
import { sharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import { onPostgres } from '#tests/helpers/test-database.ts';
import {
  logCollector,
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

/** The SQLite file of a server of this file (its tests are about the file). */
function sqlitePath(server: TestServer): string {
  const { database } = server.config;
  if (database.dialect !== 'sqlite') throw new Error('a SQLite test');
  return database.path;
}

const GENERIC_MESSAGE = 'Something went wrong on our side. Please try again.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Raw = Awaited<ReturnType<typeof rawTrpc>>;

/** API.md §2: an unexpected fault as the client sees it. Returns the request id. */
function expectInternal(response: Raw, ...mustNotShow: string[]): string {
  expect({ status: response.status, data: response.json?.error?.data }).toMatchObject({
    status: 500,
    data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, reason: 'INTERNAL' },
  });
  expect(response.json.error.message).toBe(GENERIC_MESSAGE);
  expect(response.json.error.data.requestId).toMatch(UUID);
  expect(response.text).not.toMatch(/"stack"|\bat .+:\d+:\d+|sqlite|select |insert /i);
  for (const text of mustNotShow) expect(response.text).not.toContain(text);
  return response.json.error.data.requestId as string;
}

describe('an unexpected error', () => {
  const log = logCollector();
  let server: TestServer;
  let member: SignedUp;

  beforeAll(async () => {
    server = await startTestServer({}, { logStream: log.stream });
    member = await signUpAndVerify(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('a service that throws answers INTERNAL_SERVER_ERROR / INTERNAL with a request id and a generic message, and the log line for it has that id and the cause', async () => {
    const cause = 'clock failure 7f3a9: the time source went away';
    server.app.deps.now = () => {
      throw new Error(cause);
    };
    let response: Raw;
    try {
      response = await rawTrpc(server, {
        path: 'flyers.create',
        headers: { Authorization: `Bearer ${member.session.accessToken}` },
        input: { title: 'Lost', body: 'Never written' },
      });
    } finally {
      server.shiftClock(0);
    }
    const requestId = expectInternal(response, cause, '7f3a9');

    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = log.lines().filter((line) => line.reqId === requestId);
    const errorLine = lines.find((line) => line.level === 50);
    expect(errorLine, 'an error line with the request id').toBeDefined();
    expect(JSON.stringify(errorLine)).toContain(cause);
    expect(lines.find((line) => line.msg === 'request')).toMatchObject({ route: '/trpc/flyers.create', status: 500 });

    // The server goes on serving, and nothing was written.
    expect(await member.client.trpc.flyers.mine.query()).toEqual([]);
    expect((await server.fetch('/healthz')).status).toBe(200);
  });
});

// About the SQLite file itself: nothing of it applies on PostgreSQL.
describe.skipIf(onPostgres)('the database becoming unavailable', () => {
  let server: TestServer;
  let member: SignedUp;
  let flyerId: string;
  let aside: string;

  beforeAll(async () => {
    server = await startTestServer();
    member = await signUpAndVerify(server);
    flyerId = (
      await member.client.trpc.flyers.create.mutate({ title: 'Before the outage', body: 'Still here after it.' })
    ).id;
    aside = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-aside-'));
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(aside, { recursive: true, force: true });
  });

  const FILES = ['', '-wal', '-shm', '-journal'];
  const presentFiles = async (database: string) =>
    (
      await Promise.all(
        FILES.map((suffix) =>
          fs.access(database + suffix).then(
            () => suffix,
            () => null,
          ),
        ),
      )
    ).filter((suffix) => suffix !== null);

  test('/readyz answers 503 while the database file is gone and procedures fail cleanly; once it is back /readyz answers 200 and the old data is served again', async () => {
    const database = sqlitePath(server);
    await server.app.deps.orm.close(true);
    const moved: string[] = [];
    for (const suffix of FILES) {
      try {
        await fs.rename(database + suffix, path.join(aside, path.basename(database) + suffix));
        moved.push(suffix);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    expect(moved).toContain('');

    const notReady = await server.fetch('/readyz');
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as { status: string; checks: { database: string } };
    expect(body.status).not.toBe('ok');
    expect(body.checks.database).not.toBe('ok');

    const answers = [
      await rawTrpc(server, {
        path: 'auth.me',
        method: 'GET',
        headers: { Authorization: `Bearer ${member.session.accessToken}` },
      }),
      await rawTrpc(server, { path: 'auth.login', input: { email: member.email, password: member.password } }),
      await rawTrpc(server, { path: 'profile.get', method: 'GET', input: { userId: member.session.user.id } }),
      await rawTrpc(server, {
        path: 'flyers.create',
        headers: { Authorization: `Bearer ${member.session.accessToken}` },
        input: { title: 'During', body: 'the outage' },
      }),
    ];
    const ids = answers.map((answer) => expectInternal(answer, member.email, database));
    expect(new Set(ids).size).toBe(ids.length);
    expect((await server.fetch('/healthz')).status).toBe(200);
    expect((await server.fetch('/readyz')).status).toBe(503);

    // The reconnects made nothing at the path: no new, empty database (API.md §11).
    expect(await presentFiles(database)).toEqual([]);

    for (const suffix of moved) await fs.rename(path.join(aside, path.basename(database) + suffix), database + suffix);

    const ready = await server.fetch('/readyz');
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { status: 'ok', checks: { database: 'ok' } },
    });

    // The old data, and the session from before the outage, are served again.
    expect((await member.client.trpc.auth.me.query()).id).toBe(member.session.user.id);
    expect((await member.client.trpc.flyers.mine.query()).map((flyer) => flyer.id)).toEqual([flyerId]);
    const again = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(again.status).toBe('signed_in');
  });
});

// About the SQLite file itself: nothing of it applies on PostgreSQL.
describe.skipIf(onPostgres)('the database file going missing while the server runs', () => {
  let server: TestServer;
  let member: SignedUp;
  let aside: string;

  beforeAll(async () => {
    server = await startTestServer();
    member = await signUpAndVerify(server);
    await member.client.trpc.flyers.create.mutate({ title: 'Before', body: 'Kept in the file.' });
    aside = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-aside-'));
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(aside, { recursive: true, force: true });
  });

  test('/readyz answers 503 as soon as the file is gone from its path, though connections still hold it open; nothing is created there, and it serves again once the file is back', async () => {
    const database = sqlitePath(server);
    const movedTo = path.join(aside, 'app.db');
    // The -wal and -shm files stay: SQLite keeps them beside the path it opened.
    await fs.rename(database, movedTo);

    expect((await server.fetch('/readyz')).status).toBe(503);
    const during = await rawTrpc(server, {
      path: 'flyers.create',
      headers: { Authorization: `Bearer ${member.session.accessToken}` },
      input: { title: 'During', body: 'the outage' },
    });
    expect(during.status).toBe(500);
    expect((await server.fetch('/readyz')).status).toBe(503);
    await expect(fs.access(database)).rejects.toThrow();

    await fs.rename(movedTo, database);
    expect((await server.fetch('/readyz')).status).toBe(200);
    expect((await member.client.trpc.flyers.mine.query()).map((flyer) => flyer.title)).toEqual(['Before']);
  });
});

// About the SQLite file itself: nothing of it applies on PostgreSQL.
describe.skipIf(onPostgres)('a start that finds the keys of an install but not its database', () => {
  test('buildApp refuses to start, naming the missing file, instead of making an empty database; with the file back it starts and serves the old accounts', async () => {
    const data = await sharedDataDir();
    let second: TestServer | undefined;
    try {
      const first = await startTestServer(data.env);
      const member = await signUpAndVerify(first);
      await first.close();
      const database = path.join(data.dir, 'app.db');
      await fs.rename(database, `${database}.aside`);

      await expect(startTestServer(data.env)).rejects.toThrow(
        /^The database .*app\.db is missing, but .*keys holds the keys of an install that has started before/,
      );
      await expect(fs.access(database)).rejects.toThrow();

      await fs.rename(`${database}.aside`, database);
      second = await startTestServer(data.env);
      const signIn = await second.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
      expect(signIn.status).toBe('signed_in');
    } finally {
      await second?.close();
      await data.remove();
    }
  });
});

describe('SIGTERM during load', () => {
  test('a server process stopped with SIGTERM under a stream of writes exits 0 and keeps every write it acknowledged', async () => {
    const data = await sharedDataDir();
    const mail = await startMailCapture();
    let restarted: TestServer | undefined;
    try {
      const serverProcess = await startServerProcess(processEnv(data, mail));
      const member = await signUpOnProcess(serverProcess, mail);
      const acknowledged: string[] = [];
      const statuses = new Map<number, number>();
      let exited = false;
      void serverProcess.exited.then(() => (exited = true));

      // Several writers, each sending its next flyer as soon as the last one is answered.
      const writer = async (writerId: number) => {
        for (let n = 0; !exited; n++) {
          let response: Response;
          try {
            response = await fetch(`${serverProcess.url}/trpc/flyers.create`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${member.session.accessToken}` },
              body: JSON.stringify({ title: `Writer ${writerId} flyer ${n}`, body: 'Written under load.' }),
            });
          } catch {
            return; // The server has stopped listening.
          }
          const text = await response.text().catch(() => '');
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 200)
            acknowledged.push((JSON.parse(text) as { result: { data: { id: string } } }).result.data.id);
        }
      };
      const writers = Array.from({ length: 6 }, (_, index) => writer(index));

      const deadline = Date.now() + 20_000;
      while (acknowledged.length < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);
      serverProcess.child.kill('SIGTERM');
      const exit = await serverProcess.exited;
      await Promise.all(writers);

      expect(exit).toEqual({ code: 0, signal: null });
      // LOG_LEVEL=silent: anything written would be a crash report.
      expect(serverProcess.output()).not.toMatch(/error|exception|unhandled/i);
      // Writes refused while stopping are refused as unavailable, never failed half-way.
      expect([...statuses.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);

      restarted = await startTestServer(data.env);
      const signIn = await restarted
        .client()
        .trpc.auth.login.mutate({ email: member.email, password: member.password });
      if (signIn.status !== 'signed_in') throw new Error(`expected signed_in, got ${signIn.status}`);
      const stored = new Set(
        (await restarted.client({ bearer: signIn.session.accessToken }).trpc.flyers.mine.query()).map(
          (flyer) => flyer.id,
        ),
      );
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await restarted?.close();
      await mail.close();
      await data.remove();
    }
    // A process start, a sign-up and a restart: generous on a busy 2-core machine.
  }, 90_000);
});
