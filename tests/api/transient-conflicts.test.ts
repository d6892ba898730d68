import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '#server/db/orm.ts';
import { tokenIn } from '#tests/helpers/mail-capture.ts';
import { onPostgres } from '#tests/helpers/test-database.ts';
import { signUpAndVerify, startTestServer, strongPassword, type TestServer } from '#tests/helpers/test-server.ts';

// Issue 14: a call that another transaction gets in the way of (a deadlock, a serialization
// failure, a busy SQLite file) runs again instead of answering INTERNAL. The other transaction is
// a real one, on a connection of the test's own.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const RESET_SUBJECT = 'Reset your Latchkey password';

async function resetToken(email: string): Promise<string> {
  const since = server.mail.mark();
  await server.client().trpc.auth.password.requestReset.mutate({ email });
  return tokenIn(await server.mail.waitForMail({ to: email, subject: RESET_SUBJECT, since }), '/reset-password?token=');
}

/** A connection of the test's own to the server's SQLite file, as another process would have. */
function anotherProcess(file: string) {
  const other = new sqlite3.Database(file);
  return {
    run: (sql: string) =>
      new Promise<void>((resolve, reject) => other.exec(sql, (error) => (error ? reject(error) : resolve()))),
    close: () => new Promise<void>((resolve) => other.close(() => resolve())),
  };
}

async function signsIn(email: string, password: string): Promise<boolean> {
  const result = await server.client().trpc.auth.login.mutate({ email, password });
  return result.status === 'signed_in';
}

test.runIf(onPostgres)(
  'auth.password.reset caught in a deadlock with another transaction runs again and succeeds',
  async () => {
    const member = await signUpAndVerify(server);
    const token = await resetToken(member.email);
    // A connection of its own, outside the server's pool.
    const orm = await openDatabase(server.config);
    const other = await orm.em.getKnex().transaction();
    try {
      // This side waits longer before checking for a deadlock, so the database picks the reset's transaction.
      await other.raw(`set local deadlock_timeout = '20s'`);
      await other.raw('update users set updated_at = updated_at where id = ?', [member.session.user.id]);
      const password = strongPassword();
      const reset = server.client().trpc.auth.password.reset.mutate({ token, password });
      for (let waited = 0; ; waited += 50) {
        const { rows } = await other.raw(
          `select 1 from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid() and datname = current_database()`,
        );
        if (rows.length > 0) break;
        if (waited > 10_000) throw new Error('the reset never waited for the user row');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Now the other wants the token's row: a cycle. The reset's side is rolled back after 1 s.
      await other.raw(`update one_time_tokens set expires_at = expires_at where user_id = ?`, [member.session.user.id]);
      await other.commit();
      expect(await reset).toEqual({ status: 'ok' });
      expect(await signsIn(member.email, password)).toBe(true);
    } finally {
      if (!other.isCompleted()) await other.rollback();
      await orm.close();
    }
  },
);

test.runIf(!onPostgres)(
  'profile.update while another process holds the SQLite file past the busy timeout runs again once it is free',
  async () => {
    const member = await signUpAndVerify(server);
    const database = server.config.database;
    if (database.dialect !== 'sqlite') throw new Error('SQLite only');
    const { run, close } = anotherProcess(database.path);
    try {
      await run('begin immediate');
      const update = member.client.trpc.profile.update.mutate({ name: 'Held Up' });
      // Longer than the server waits for a busy file (busy_timeout, 5 s per statement): its first attempt gives up, a later one gets through.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      await run('commit');
      expect((await update).name).toBe('Held Up');
      expect((await server.client().trpc.profile.get.query({ userId: member.session.user.id })).name).toBe('Held Up');
    } finally {
      await close();
    }
  },
  30_000,
);

test.runIf(!onPostgres)(
  'auth.password.reset, which reads before it writes, waits for another process writing to the SQLite file instead of failing',
  async () => {
    const member = await signUpAndVerify(server);
    const token = await resetToken(member.email);
    const database = server.config.database;
    if (database.dialect !== 'sqlite') throw new Error('SQLite only');
    const { run, close } = anotherProcess(database.path);
    try {
      await run('begin immediate');
      const password = strongPassword();
      const reset = server.client().trpc.auth.password.reset.mutate({ token, password });
      reset.catch(() => {}); // awaited below; a failure must not be unhandled meanwhile
      // Well within busy_timeout; its commit writes, so a transaction that read before it cannot write after.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await run(`update users set updated_at = updated_at where id = '${member.session.user.id}'; commit`);
      expect(await reset).toEqual({ status: 'ok' });
      expect(await signsIn(member.email, password)).toBe(true);
    } finally {
      await close();
    }
  },
);
