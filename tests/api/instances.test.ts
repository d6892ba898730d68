import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runAdminCommand } from '#tests/helpers/admin-command.ts';
import { solidImage } from '#tests/helpers/images.ts';
import {
  RoundRobinClient,
  signUpAcross,
  startInstances,
  type Instances,
  type Member,
} from '#tests/helpers/instances.ts';
import { startMailCapture, type MailCapture } from '#tests/helpers/mail-capture.ts';
import { decodeJwt, expectReason, strongPassword, type TestClient } from '#tests/helpers/test-server.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import { uploadAvatarOk } from '#tests/helpers/upload.ts';

// API.md §11: three server processes started at the same moment on one database, each with a
// DATA_DIR of its own (nothing shared but the database and MASTER_KEY), and clients whose every
// request goes to the next instance, as behind a load balancer.

const GRACE_SECONDS = 2;
let mail: MailCapture;
let instances: Instances;

beforeAll(async () => {
  mail = await startMailCapture();
  instances = await startInstances(3, mail, { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) });
}, 120_000);
afterAll(async () => {
  await instances?.close();
  await mail?.close();
});

const me = (client: TestClient) => client.trpc.auth.me.query();
/** The same call once on every instance, in order. */
const onEach = <T>(member: Member, use: (client: TestClient) => Promise<T>) =>
  Promise.all(instances.list.map((instance) => member.client.call(use, instance)));

/** Signs in again through the instances (a fresh round-robin browser). */
async function signIn(email: string, password: string): Promise<Member> {
  const client = new RoundRobinClient(instances);
  const result = await client.call((c) => c.trpc.auth.login.mutate({ email, password }));
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return { client, session: result.session, email, password };
}

describe('one session, any instance', () => {
  test('a token issued by one instance is accepted by the other two, and every instance publishes the same keys', async () => {
    const member = await signUpAcross(instances, mail);
    const answers = await onEach(member, me);
    expect(answers.map((answer) => answer.id)).toEqual(Array(3).fill(member.session.user.id));
    const jwks = await Promise.all(
      instances.list.map(async (instance) => (await fetch(`${instance.url}/.well-known/jwks.json`)).json()),
    );
    expect(jwks[1]).toEqual(jwks[0]);
    expect(jwks[2]).toEqual(jwks[0]);
  });

  test('sign-out through one instance ends the session on the very next request to each of the others', async () => {
    const member = await signUpAcross(instances, mail);
    const [a, b, c] = instances.list;
    const stale = member.client.bearer;
    await member.client.call((client) => client.trpc.auth.logout.mutate(), a);
    for (const instance of [b!, c!]) {
      member.client.bearer = stale;
      await expectReason(member.client.call(me, instance), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    }
  });

  test('a session revoked through one instance, and a password changed through another, end the other sessions on the next request anywhere', async () => {
    const member = await signUpAcross(instances, mail);
    const laptop = await signIn(member.email, member.password);
    const phone = await signIn(member.email, member.password);
    const sessionId = decodeJwt(laptop.session.accessToken).payload.sid as string;
    await member.client.call((client) => client.trpc.auth.sessions.revoke.mutate({ sessionId }));
    for (const instance of instances.list) {
      await expectReason(laptop.client.call(me, instance), 'UNAUTHORIZED', 'UNAUTHENTICATED');
      expect((await phone.client.call(me, instance)).id).toBe(member.session.user.id);
    }

    const newPassword = strongPassword();
    await member.client.call((client) =>
      client.trpc.auth.password.change.mutate({ currentPassword: member.password, newPassword }),
    );
    for (const instance of instances.list)
      await expectReason(phone.client.call(me, instance), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    expect((await signIn(member.email, newPassword)).session.user.id).toBe(member.session.user.id);
  });

  test("an admin's role change through one instance acts on the member's next request to another", async () => {
    const [admin, member] = await Promise.all([signUpAcross(instances, mail), signUpAcross(instances, mail)]);
    await instances.orm.em
      .fork()
      .getConnection()
      .execute(`update users set role = 'admin' where id = ?`, [admin.session.user.id]);
    const promoted = await signIn(admin.email, admin.password);
    await promoted.client.call((client) =>
      client.trpc.admin.users.setRole.mutate({ userId: member.session.user.id, role: 'admin' }),
    );
    // The member's token says 'user'; the live row says 'admin': a fresh token carries the new role.
    await member.client
      .call((client) => client.trpc.auth.refresh.mutate())
      .then((session) => member.client.useSession(session));
    expect((await member.client.call(me)).role).toBe('admin');
    await member.client.call((client) => client.trpc.admin.users.list.query({}));

    await promoted.client.call((client) =>
      client.trpc.admin.users.setRole.mutate({ userId: member.session.user.id, role: 'user' }),
    );
    // The token says 'admin', the live row 'user': refused at once on another instance, and once
    // refreshed the member is an ordinary member there too.
    await expectReason(
      member.client.call((client) => client.trpc.admin.users.list.query({})),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
    member.client.useSession(await member.client.call((client) => client.trpc.auth.refresh.mutate()));
    await expectReason(
      member.client.call((client) => client.trpc.admin.users.list.query({})),
      'FORBIDDEN',
      'FORBIDDEN',
    );
  });
});

describe('limits and refresh across instances', () => {
  test('auth.register admits exactly 10 of 25 sign-ups racing from one IP over three instances', async () => {
    const browser = new RoundRobinClient(instances);
    const settled = await Promise.allSettled(
      Array.from({ length: 25 }, (_, index) =>
        browser.call((client) =>
          client.trpc.auth.register.mutate({
            email: `race-${index}-${Date.now()}@example.com`,
            password: strongPassword(),
          }),
        ),
      ),
    );
    const reasons = settled.map((result) =>
      result.status === 'fulfilled' ? 'ok' : (result.reason as { data?: { reason?: string } }).data?.reason,
    );
    expect(reasons.filter((reason) => reason === 'ok')).toHaveLength(10);
    expect(reasons.filter((reason) => reason === 'RATE_LIMITED')).toHaveLength(15);
  });

  test('two tabs refreshing one session on two instances at once both stay signed in', async () => {
    const member = await signUpAcross(instances, mail);
    const tab = member.client.fork();
    const [first, second] = await Promise.all([
      member.client.call((client) => client.trpc.auth.refresh.mutate(), instances.list[0]),
      tab.call((client) => client.trpc.auth.refresh.mutate(), instances.list[1]),
    ]);
    member.client.useSession(first);
    tab.useSession(second);
    expect((await member.client.call(me, instances.list[2])).id).toBe(member.session.user.id);
    expect((await tab.call(me, instances.list[2])).id).toBe(member.session.user.id);
    // Both hold the same successor: the next refresh from either rotates again.
    const jtiOf = (client: RoundRobinClient) => decodeJwt(client.cookies.get('refresh_token')!).payload.jti;
    expect(jtiOf(tab)).toBe(jtiOf(member.client));
    await member.client.call((client) => client.trpc.auth.refresh.mutate(), instances.list[2]);
  });

  test('a retired refresh token presented after the grace window revokes the session on every instance', async () => {
    const member = await signUpAcross(instances, mail);
    const thief = member.client.fork();
    member.client.useSession(await member.client.call((client) => client.trpc.auth.refresh.mutate()));
    await new Promise((resolve) => setTimeout(resolve, (GRACE_SECONDS + 1) * 1000));
    await expectReason(
      thief.call((client) => client.trpc.auth.refresh.mutate()),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
    for (const instance of instances.list)
      await expectReason(member.client.call(me, instance), 'UNAUTHORIZED', 'UNAUTHENTICATED');
    await expectReason(
      member.client.call((client) => client.trpc.auth.refresh.mutate()),
      'UNAUTHORIZED',
      'UNAUTHENTICATED',
    );
  });
});

describe('what one instance made, the others serve', () => {
  test('an avatar uploaded through one instance is served by the other two, byte for byte', async () => {
    const member = await signUpAcross(instances, mail);
    const [a, b, c] = instances.list;
    const avatarUrl = await uploadAvatarOk(a!, member.session.accessToken, {
      bytes: await solidImage('png', 60, 60, { r: 10, g: 200, b: 30 }),
    });
    const served = await Promise.all(
      [a!, b!, c!].map(async (instance) => {
        const response = await fetch(`${instance.url}${avatarUrl}`);
        return {
          status: response.status,
          type: response.headers.get('content-type'),
          bytes: Buffer.from(await response.arrayBuffer()),
        };
      }),
    );
    expect(served.map((answer) => [answer.status, answer.type])).toEqual(Array(3).fill([200, 'image/webp']));
    expect(served[1]!.bytes).toEqual(served[0]!.bytes);
    expect(served[2]!.bytes).toEqual(served[0]!.bytes);
  });

  test('two-factor set up through one instance signs in through another', async () => {
    const member = await signUpAcross(instances, mail);
    const [a, b, c] = instances.list;
    const { secret } = await member.client.call((client) => client.trpc.auth.mfa.setup.mutate(), a);
    await member.client.call((client) => client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, new Date()) }), b);
    const browser = new RoundRobinClient(instances);
    const attempt = await browser.call(
      (client) => client.trpc.auth.login.mutate({ email: member.email, password: member.password }),
      c,
    );
    if (attempt.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${attempt.status}`);
    // The next step's code: enable spent the current one (a code is accepted once).
    const session = await browser.call(
      (client) =>
        client.trpc.auth.verifyMfa.mutate({ mfaToken: attempt.mfaToken, code: totpAt(secret, new Date(), 1) }),
      a,
    );
    expect(session.user.id).toBe(member.session.user.id);
  });
});

describe('a key rotation during a rolling restart', () => {
  test('signs nobody out: every call of a member who keeps using the product succeeds, and every instance publishes the new key', async () => {
    const member = await signUpAcross(instances, mail);
    const kidsBefore = await kidsOn(instances.list[0]!.url);
    const rotated = await runAdminCommand(['rotate-keys'], { env: instances.envOf(0) });
    expect(rotated.code).toBe(0);

    const failures: unknown[] = [];
    let calls = 0;
    let running = true;
    const keepUsing = (async () => {
      while (running) {
        try {
          if (calls % 5 === 4) member.client.useSession(await member.client.call((c) => c.trpc.auth.refresh.mutate()));
          else await member.client.call(me);
        } catch (error) {
          // A connection refused by a stopping instance is the load balancer's to retry, not a sign-out.
          if ((error as { data?: { reason?: string } }).data?.reason) failures.push(error);
        }
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    for (let index = 0; index < instances.list.length; index++) await instances.restart(index);
    running = false;
    await keepUsing;

    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    for (const instance of instances.list) {
      const kids = await kidsOn(instance.url);
      expect(kids.length).toBe(kidsBefore.length + 1);
      for (const kid of kidsBefore) expect(kids).toContain(kid);
    }
    expect((await member.client.call(me)).id).toBe(member.session.user.id);
  }, 120_000);
});

async function kidsOn(url: string): Promise<string[]> {
  const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid).sort();
}
