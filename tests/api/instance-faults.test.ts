import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUpAcross, startInstances, type Instances, type Member } from '#tests/helpers/instances.ts';
import { startMailCapture, type MailCapture } from '#tests/helpers/mail-capture.ts';
import { startPostgresCluster, type PostgresCluster } from '#tests/helpers/postgres-cluster.ts';
import { startServerProcess, signUpOnProcess, type ServerProcess } from '#tests/helpers/server-process.ts';
import { TEST_MASTER_KEY, onPostgres } from '#tests/helpers/test-database.ts';
import { trpcError } from '#tests/helpers/test-server.ts';

// Issue 14's faults: an instance killed mid-write loses no acknowledged write and the others keep
// serving; PostgreSQL going away and coming back is 503 then 200 on /readyz, with prompt INTERNAL
// answers in between.

let mail: MailCapture;
beforeAll(async () => {
  mail = await startMailCapture();
});
afterAll(async () => {
  await mail?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kill -9 of an instance under a write load', () => {
  let instances: Instances;
  beforeAll(async () => {
    instances = await startInstances(3, mail);
  }, 120_000);
  afterAll(async () => {
    await instances?.close();
  });

  test('every write that was answered 2xx is there afterwards, and the other instances keep serving', async () => {
    const members = await Promise.all(Array.from({ length: 6 }, () => signUpAcross(instances, mail)));
    const victim = instances.list[1]!;
    const acknowledged = new Map<Member, string[]>(members.map((member) => [member, []]));
    const refusals: unknown[] = [];
    let killedAt = 0;
    let acknowledgedAfterKill = 0;
    let running = true;

    const write = async (member: Member, turn: number) => {
      const flyer = await member.client.call((client) =>
        client.trpc.flyers.create.mutate({ title: `Flyer ${turn}`, body: 'Under load' }),
      );
      acknowledged.get(member)!.push(flyer.id);
      if (killedAt) acknowledgedAfterKill++;
    };
    const load = members.map(async (member) => {
      for (let turn = 0; running; turn++) {
        try {
          await write(member, turn);
        } catch (error) {
          // The killed instance's connections fail without an answer; an answer with a reason is a refusal.
          if ((error as { data?: { reason?: string } }).data?.reason) refusals.push(error);
        }
      }
    });
    await sleep(1500);
    victim.child.kill('SIGKILL');
    killedAt = Date.now();
    // The load balancer takes the dead instance out; the members go on through the others.
    instances.list.splice(1, 1);
    await sleep(1500);
    running = false;
    await Promise.all(load);
    instances.list.splice(1, 0, victim);

    expect(refusals).toEqual([]);
    expect(acknowledgedAfterKill).toBeGreaterThan(0);
    const survivor = instances.list[0]!;
    for (const [member, ids] of acknowledged) {
      expect(ids.length).toBeGreaterThan(0);
      const stored = await member.client.call((client) => client.trpc.flyers.mine.query(), survivor);
      const storedIds = new Set(stored.map((flyer) => flyer.id));
      expect(ids.filter((id) => !storedIds.has(id))).toEqual([]);
    }
    expect((await victim.exited).signal).toBe('SIGKILL');
  }, 60_000);
});

describe.runIf(onPostgres)('PostgreSQL stopped and started again', () => {
  let cluster: PostgresCluster;
  let dataDir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-pg-down-'));
    server = await startServerProcess(
      {
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: cluster.url,
        MASTER_KEY: TEST_MASTER_KEY,
        RESEND_API_KEY: 'test-key',
        RESEND_BASE_URL: mail.url,
        TRUST_PROXY: 'true',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
      },
      { timeoutMs: 60_000 },
    );
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await cluster?.stop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const readyz = async () => (await fetch(`${server.url}/readyz`)).status;

  async function pollUntil(status: number, withinMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      if ((await readyz()) === status) return Date.now() - started;
      await sleep(200);
    }
    throw new Error(`/readyz did not answer ${status} within ${withinMs} ms`);
  }

  test('/readyz answers 503 while it is down and 200 again by itself; calls answer INTERNAL promptly meanwhile and work after', async () => {
    const member = await signUpOnProcess(server, mail, { origin: server.url });
    expect(await readyz()).toBe(200);

    await cluster.halt();
    await pollUntil(503, 10_000);
    const started = Date.now();
    const error = await trpcError(member.client.trpc.flyers.mine.query());
    expect({ code: error.data?.code, reason: error.data?.reason }).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      reason: 'INTERNAL',
    });
    expect(Date.now() - started).toBeLessThan(10_000);

    await cluster.resume();
    await pollUntil(200, 30_000);
    expect((await member.client.trpc.auth.me.query()).id).toBe(member.session.user.id);
    const signedIn = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(signedIn.status).toBe('signed_in');
  }, 90_000);
});
