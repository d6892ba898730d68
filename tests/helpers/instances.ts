import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AuthSession } from '#shared/schemas/auth.ts';
import { loadConfig } from '#server/config.ts';
import { openDatabase, type Orm } from '#server/db/orm.ts';
import { tokenIn, type MailCapture } from './mail-capture.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import { freshDatabaseEnv, TEST_MASTER_KEY } from './test-database.ts';
import { TestClient, VERIFY_SUBJECT, strongPassword, testIp, uniqueEmail } from './test-server.ts';

// Instances share PUBLIC_URL (API.md §11): the issuer of their tokens and the Origin they accept.
export const PUBLIC_URL = 'http://latchkey.test';

/**
 * Server processes that share nothing but the database and MASTER_KEY: each has a DATA_DIR of its
 * own, as on machines with no common disk behind a load balancer.
 */
export type Instances = {
  list: ServerProcess[];
  /** The environment of instance `index` (its own DATA_DIR), to start it again. */
  envOf(index: number): Record<string, string>;
  /** Stops instance `index` and starts it again with the same environment (a new port). */
  restart(index: number): Promise<void>;
  /** The database, opened by the test itself, for checks behind the API. */
  orm: Orm;
  close(): Promise<void>;
};

export async function startInstances(
  count: number,
  mail: MailCapture,
  overrides: Record<string, string> = {},
): Promise<Instances> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-instances-'));
  const database = { MASTER_KEY: TEST_MASTER_KEY, ...(await freshDatabaseEnv(root)) };
  const envs = await Promise.all(
    Array.from({ length: count }, async () => ({
      HOST: '127.0.0.1',
      DATA_DIR: await fs.mkdtemp(path.join(root, 'instance-')),
      ...database,
      PUBLIC_URL,
      RESEND_API_KEY: 'test-key',
      RESEND_BASE_URL: mail.url,
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      ...overrides,
    })),
  );
  // Started at the same moment, on an empty database: they migrate once and agree on one set of keys.
  const list = await Promise.all(envs.map((env) => startServerProcess(env, { timeoutMs: 60_000 })));
  const orm = await openDatabase(loadConfig(envs[0]!));
  return {
    list,
    envOf: (index) => envs[index]!,
    async restart(index) {
      await list[index]!.stop();
      list[index] = await startServerProcess(envs[index]!, { timeoutMs: 60_000 });
    },
    orm,
    async close() {
      await Promise.all(list.map((instance) => instance.stop()));
      await orm.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * One person's browser behind a load balancer that sends each request to the next instance:
 * the refresh cookie, the access token and the address travel with it from instance to instance.
 */
export class RoundRobinClient {
  readonly cookies = new Map<string, string>();
  bearer: string | null = null;
  private turn: number;

  constructor(
    private readonly instances: Instances,
    readonly ip: string = testIp(),
    start = 0,
  ) {
    this.turn = start;
  }

  /** The instance the next call goes to. */
  next(): ServerProcess {
    const list = this.instances.list;
    return list[this.turn++ % list.length]!;
  }

  /** Runs one call on the next instance (or on `on`), keeping what it set. */
  async call<T>(use: (client: TestClient) => Promise<T>, on: ServerProcess = this.next()): Promise<T> {
    const client = new TestClient({ url: on.url }, { origin: PUBLIC_URL, bearer: this.bearer, ip: this.ip });
    for (const [name, value] of this.cookies) client.cookies.set(name, value);
    try {
      return await use(client);
    } finally {
      this.cookies.clear();
      for (const [name, value] of client.cookies) this.cookies.set(name, value);
    }
  }

  useSession(session: AuthSession): void {
    this.bearer = session.accessToken;
  }

  /** A second tab of the same browser: the same cookie and token from now on apart. */
  fork(start = this.turn + 1): RoundRobinClient {
    const other = new RoundRobinClient(this.instances, this.ip, start);
    other.bearer = this.bearer;
    for (const [name, value] of this.cookies) other.cookies.set(name, value);
    return other;
  }
}

export type Member = { client: RoundRobinClient; session: AuthSession; email: string; password: string };

/** Signs a member up through the instances in turn: register on one, the mailed link on the next. */
export async function signUpAcross(instances: Instances, mail: MailCapture): Promise<Member> {
  const email = uniqueEmail('instances');
  const password = strongPassword();
  const client = new RoundRobinClient(instances);
  const since = mail.mark();
  await client.call((c) => c.trpc.auth.register.mutate({ email, password }));
  const verification = await mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since }, 10_000);
  const session = await client.call((c) =>
    c.trpc.auth.verifyEmail.mutate({ token: tokenIn(verification, '/verify-email?token=') }),
  );
  client.useSession(session);
  return { client, session, email, password };
}
