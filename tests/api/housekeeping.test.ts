import { afterAll, beforeAll, expect, test } from 'vitest';
import { runHousekeeping } from '#server/housekeeping.ts';
import { claimTask } from '#server/modules/system/task-lease.ts';
import { onPostgres } from '#tests/helpers/test-database.ts';
import { logCollector, signUpAndVerify, startTestServer, type TestServer } from '#tests/helpers/test-server.ts';

// API.md §11: housekeeping runs on every instance, each task on one instance at a time, and is
// safe to repeat; one account that cannot be erased does not keep the others from being erased.

const DAY = 24 * 60 * 60;
let server: TestServer;
const log = logCollector();

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'info' }, { logStream: log.stream });
});
afterAll(async () => {
  await server?.close();
});

const sql = (statement: string, params: unknown[] = []) =>
  server.app.deps.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(statement, params);
const exists = async (userId: string) => (await sql('select id from users where id = ?', [userId])).length === 1;

/** A member who deactivated their account, which housekeeping erases 30 days later. */
async function deactivatedMember(): Promise<string> {
  const member = await signUpAndVerify(server);
  await member.client.trpc.privacy.deactivateAccount.mutate({ password: member.password });
  return member.session.user.id;
}

test('a task another instance is running is skipped; once its lease ends (the holder died mid-run) the next pass takes it over', async () => {
  const userId = await deactivatedMember();
  const until = new Date(Date.now() + 60_000);
  await sql(
    `insert into task_leases (task, holder, until) values ('deactivated-accounts', 'another-instance', ?)
     on conflict (task) do update set holder = excluded.holder, until = excluded.until`,
    [until],
  );
  server.shiftClock(31 * DAY);
  try {
    await runHousekeeping(server.app.deps);
    expect(await exists(userId)).toBe(true);

    await sql(`update task_leases set until = ? where task = 'deactivated-accounts'`, [new Date(Date.now() - 1000)]);
    await runHousekeeping(server.app.deps);
    expect(await exists(userId)).toBe(false);
    // And the lease is free again for whoever asks next.
    await runHousekeeping(server.app.deps);
    const [lease] = await sql(`select holder from task_leases where task = 'deactivated-accounts'`);
    expect(lease?.holder).not.toBe('another-instance');
  } finally {
    server.shiftClock(0);
  }
});

test('twenty instances asking for one task at the same moment: exactly one gets it', async () => {
  const orm = server.app.deps.orm;
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, index) => claimTask(orm.em.fork(), 'race-task', `instance-${index}`, 60_000)),
  );
  expect(answers.filter(Boolean)).toHaveLength(1);
});

test('an account that cannot be erased is logged and skipped, the others are erased, and the next pass erases it', async () => {
  const [first, stuck, last] = [await deactivatedMember(), await deactivatedMember(), await deactivatedMember()];
  // A real failure inside the database: a trigger refuses to delete that one user.
  if (onPostgres) {
    await sql(`create function refuse_delete() returns trigger language plpgsql as $$
      begin raise exception 'held for the test'; end $$`);
    await sql(
      `create trigger hold_user before delete on users for each row when (old.id = '${stuck}') execute function refuse_delete()`,
    );
  } else {
    await sql(
      `create trigger hold_user before delete on users when old.id = '${stuck}' begin select raise(abort, 'held for the test'); end`,
    );
  }
  server.shiftClock(31 * DAY);
  try {
    await runHousekeeping(server.app.deps);
    expect({ first: await exists(first), stuck: await exists(stuck), last: await exists(last) }).toEqual({
      first: false,
      stuck: true,
      last: false,
    });
    const warning = log.lines().find((line) => line.userId === stuck && line.level === 40);
    expect(warning).toMatchObject({
      level: 40,
      msg: 'a deactivated account could not be erased; the next pass tries again',
    });

    await sql(onPostgres ? 'drop trigger hold_user on users' : 'drop trigger hold_user');
    await runHousekeeping(server.app.deps);
    expect(await exists(stuck)).toBe(false);
  } finally {
    server.shiftClock(0);
  }
});
