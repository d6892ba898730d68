import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { refreshInto, setRoleInDatabase } from '#tests/helpers/admin.ts';
import { deliveredMails } from '#tests/helpers/rate-limits.ts';
import { sharedDataDir, type SharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import {
  signUpAndVerify,
  startTestServer,
  strongPassword,
  testIp,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §6 and §11: limits hold across several server processes on one database, on SQLite and
// on PostgreSQL under READ COMMITTED. Two servers share one database here; the calls of each test
// race across both at once.

// Instances share PUBLIC_URL (API.md §11): the issuer of their tokens and the Origin they accept.
const PUBLIC_URL = 'http://latchkey.test';
const origin = PUBLIC_URL;

let data: SharedDataDir;
let servers: TestServer[];

beforeAll(async () => {
  data = await sharedDataDir();
  // One after the other: the first start makes the keys the second one reads.
  const env = { ...data.env, PUBLIC_URL };
  const first = await startTestServer(env);
  servers = [first, await startTestServer(env)];
});
afterAll(async () => {
  for (const server of servers ?? []) await server.close();
  await data?.remove();
});

/** The n-th of a set of racing calls goes to the n-th server, round robin. */
const serverFor = (index: number) => servers[index % servers.length]!;

/** What each settled call answered: 'ok', or its API.md §2 reason. */
const outcomes = (settled: PromiseSettledResult<unknown>[]) =>
  settled.map((result) =>
    result.status === 'fulfilled' ? 'ok' : ((result.reason as { data?: { reason?: string } }).data?.reason ?? 'error'),
  );

const count = (values: string[], value: string) => values.filter((entry) => entry === value).length;

describe('limits across two servers on one database', () => {
  test('auth.register admits exactly 10 of 25 sign-ups racing from one IP across two servers and refuses the rest with RATE_LIMITED', async () => {
    const ip = testIp();
    const emails = Array.from({ length: 25 }, () => uniqueEmail('race'));
    const settled = await Promise.allSettled(
      emails.map((email, index) =>
        serverFor(index).client({ ip, origin }).trpc.auth.register.mutate({ email, password: strongPassword() }),
      ),
    );
    const answers = outcomes(settled);
    expect({ ok: count(answers, 'ok'), limited: count(answers, 'RATE_LIMITED') }).toEqual({ ok: 10, limited: 15 });
    const em = servers[0]!.app.deps.orm.em.fork();
    expect(await em.count(UserEntity, { emailNormalized: { $in: emails } })).toBe(10);
  });

  test('profile.contact admits exactly 10 of 20 messages a sender races across two servers', async () => {
    const recipient = await signUpAndVerify(servers[0]!, {}, { origin });
    await recipient.client.trpc.privacy.update.mutate({ allowEmailContact: true });
    const sender = await signUpAndVerify(servers[1]!, {}, { origin });
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        serverFor(index)
          .client({ bearer: sender.session.accessToken, origin })
          .trpc.profile.contact.mutate({ userId: recipient.session.user.id, message: `Hello number ${index}` }),
      ),
    );
    const answers = outcomes(settled);
    expect({ ok: count(answers, 'ok'), limited: count(answers, 'RATE_LIMITED') }).toEqual({ ok: 10, limited: 10 });
  });

  test('auth.register with one new address raced ten times across two servers makes one account', async () => {
    const email = uniqueEmail('same');
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        serverFor(index).client({ origin }).trpc.auth.register.mutate({ email, password: strongPassword() }),
      ),
    );
    expect(outcomes(settled)).toEqual(Array.from({ length: 10 }, () => 'ok'));
    const em = servers[0]!.app.deps.orm.em.fork();
    expect(await em.count(UserEntity, { emailNormalized: email.toLowerCase() })).toBe(1);
  });

  test('auth.login mails the owner one throttle notice when 12 failures race across two servers', async () => {
    const owner = await signUpAndVerify(servers[0]!, {}, { origin });
    const marks = servers.map((server) => server.mail.mark());
    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        serverFor(index).client({ origin }).trpc.auth.login.mutate({ email: owner.email, password: strongPassword() }),
      ),
    );
    const answers = outcomes(settled);
    expect(count(answers, 'INVALID_CREDENTIALS') + count(answers, 'RATE_LIMITED')).toBe(12);
    const notices = (
      await Promise.all(
        servers.map((server, index) => deliveredMails(server, owner.email, marks[index]!, 'Many failed sign-ins')),
      )
    ).flat();
    expect(notices).toHaveLength(1);
    // The throttle is on: a stranger with the right password is refused too.
    const after = await trpcError(
      servers[1]!.client({ origin }).trpc.auth.login.mutate({ email: owner.email, password: owner.password }),
    );
    expect(after.data?.reason).toBe('RATE_LIMITED');
  });
});

describe('the last administrator across two servers', () => {
  async function twoAdmins(): Promise<[SignedUp, SignedUp]> {
    const admins: SignedUp[] = [];
    for (const server of servers) {
      const admin = await signUpAndVerify(server, {}, { origin });
      await setRoleInDatabase(server, admin.session.user.id, 'admin');
      await refreshInto(admin.client);
      admins.push(admin);
    }
    return admins as [SignedUp, SignedUp];
  }

  async function activeAdmins(): Promise<number> {
    return servers[0]!.app.deps.orm.em
      .fork()
      .count(UserEntity, { role: 'admin', disabledAt: null, deactivatedAt: null });
  }

  async function demoteEveryAdmin(): Promise<void> {
    const em = servers[0]!.app.deps.orm.em.fork();
    await em.nativeUpdate(UserEntity, { role: 'admin' }, { role: 'user' });
  }

  test('admin.users.setRole: two admins demoting each other at once on two servers leave one admin, the other call answered LAST_ADMIN, every time', async () => {
    for (let round = 0; round < 5; round++) {
      await demoteEveryAdmin();
      const [a, b] = await twoAdmins();
      const settled = await Promise.allSettled([
        a.client.trpc.admin.users.setRole.mutate({ userId: b.session.user.id, role: 'user' }),
        b.client.trpc.admin.users.setRole.mutate({ userId: a.session.user.id, role: 'user' }),
      ]);
      // Overlapping, the second is LAST_ADMIN; when one lands after the other's commit, its sender is
      // no longer an admin and the token is refused at once (UNAUTHENTICATED). Either way one admin is left.
      const [first, second] = outcomes(settled).sort();
      expect({ round, first, second }).toEqual({
        round,
        first: expect.stringMatching(/^(LAST_ADMIN|UNAUTHENTICATED)$/),
        second: 'ok',
      });
      expect(await activeAdmins()).toBe(1);
    }
  });

  test('admin.users.setDisabled: two admins disabling each other at once on two servers leave one active admin', async () => {
    for (let round = 0; round < 3; round++) {
      await demoteEveryAdmin();
      const [a, b] = await twoAdmins();
      const settled = await Promise.allSettled([
        a.client.trpc.admin.users.setDisabled.mutate({ userId: b.session.user.id, disabled: true }),
        b.client.trpc.admin.users.setDisabled.mutate({ userId: a.session.user.id, disabled: true }),
      ]);
      const answers = outcomes(settled);
      // The one disabled first is signed out: its own call may then be refused as unauthenticated.
      expect(count(answers, 'ok')).toBe(1);
      expect(await activeAdmins()).toBe(1);
    }
  });
});
